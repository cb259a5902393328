"""The answer for a whole object: its images' verdicts, the mode and the failure policy, turned into allowed or
denied with the message kubectl shows and the warnings the API server passes on.

- enforce: denied when any image is refused by a check; an image that could not be judged (an error, the
  deadline) denies too under `failurePolicy: Fail`, and is allowed with a warning under `Ignore`.
- audit: always allowed; everything enforce mode would have refused comes back as a warning.

Warnings are short (the API server advises 120 characters, and may cut them past 256), one per refused check.
"""

from __future__ import annotations

from collections.abc import Sequence

from regwarden.model.admission import AdmissionDecision, AdmissionMode, AdmissionRequest, ImageVerdict
from regwarden.signing.admission_policy import FailurePolicy

MAX_MESSAGE = 4000
MAX_WARNING = 256
MAX_WARNINGS = 20


def decide(
    request: AdmissionRequest,
    verdicts: Sequence[ImageVerdict],
    mode: AdmissionMode,
    failure_policy: FailurePolicy,
    *,
    error: str | None = None,
    elapsed_ms: float = 0.0,
) -> AdmissionDecision:
    """Allowed or denied, and why. `error`: the decision as a whole could not be made (the deadline passed)."""
    refused = [v for v in verdicts if v.failed_checks]
    broken = [v for v in verdicts if v.error is not None and not v.failed_checks]
    ignore_errors = failure_policy is FailurePolicy.IGNORE
    fails_closed = bool(broken or error) and not ignore_errors
    if mode is AdmissionMode.AUDIT:
        warnings = _warnings("regwarden audit", refused, broken, error)
        return AdmissionDecision(request.uid, True, mode, tuple(verdicts), "", warnings, False, error, elapsed_ms)
    if refused or fails_closed:
        message = _message(request, refused, broken, error)
        return AdmissionDecision(request.uid, False, mode, tuple(verdicts), message, (), False, error, elapsed_ms)
    failed_open = bool(broken or error)
    warnings = _warnings("regwarden (failurePolicy Ignore)", [], broken, error) if failed_open else ()
    return AdmissionDecision(request.uid, True, mode, tuple(verdicts), "", warnings, failed_open, error, elapsed_ms)


def _message(
    request: AdmissionRequest, refused: list[ImageVerdict], broken: list[ImageVerdict], error: str | None
) -> str:
    parts = [
        f"{verdict.image}: {check.reason.value if check.reason else 'refused'}: {check.detail}"
        for verdict in refused
        for check in verdict.failed_checks
    ]
    parts += [f"{verdict.image}: could not be checked: {verdict.error}" for verdict in broken]
    if error is not None:
        parts.append(f"could not decide: {error}")
    text = f"regwarden denied {request.object_label}: " + "; ".join(parts)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _warnings(
    prefix: str, refused: list[ImageVerdict], broken: list[ImageVerdict], error: str | None
) -> tuple[str, ...]:
    found = [
        f"{prefix}: {verdict.image}: {check.reason.value if check.reason else 'refused'}: {check.detail}"
        for verdict in refused
        for check in verdict.failed_checks
    ]
    found += [f"{prefix}: {verdict.image}: could not be checked: {verdict.error}" for verdict in broken]
    if error is not None:
        found.append(f"{prefix}: could not decide: {error}")
    shortened = [text if len(text) <= MAX_WARNING else text[: MAX_WARNING - 1] + "…" for text in found]
    if len(shortened) > MAX_WARNINGS:
        shortened = [*shortened[: MAX_WARNINGS - 1], f"{prefix}: and {len(shortened) - MAX_WARNINGS + 1} more"]
    return tuple(shortened)
