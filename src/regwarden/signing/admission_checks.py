"""Judge one image against the admission policy: pure functions over what was learnt about it (`ImageFacts`).

Two steps, because the first needs no network: `precheck` reads the reference alone (a malformed reference, a
registry the policy does not allow, a tag where a digest is required are refused at once), and `judge` decides
over the facts gathered by digest (signature verification, open findings, the quarantine record). A check the
policy does not ask for is not shown; one it asks for but could not evaluate is a failure with its reason, never
a pass.
"""

from __future__ import annotations

from regwarden.model.admission import (
    CheckName,
    DenyReason,
    ImageCheck,
    ImageFacts,
    ImageVerdict,
    UntriagedFinding,
)
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from regwarden.model.quarantine import PASSED
from regwarden.model.trust import FailureReason, VerificationResult
from regwarden.oci.reference import Reference, parse_reference
from regwarden.signing.admission_policy import AdmissionPolicy, Pinning, registry_allowed

SHOWN_FINDINGS = 3
"""Findings named in a denial; the rest are counted."""


def precheck(image: str, policy: AdmissionPolicy) -> tuple[Reference | None, ImageVerdict | None]:
    """The parsed reference, or the verdict that refuses it before any registry request."""
    try:
        reference = parse_reference(image)
    except BadInputError as error:
        check = ImageCheck(CheckName.REGISTRY, False, str(error), DenyReason.BAD_REFERENCE)
        return None, ImageVerdict(image, image, checks=(check,))
    refused = [check for check in reference_checks(reference, policy) if not check.passed]
    if refused:
        return reference, ImageVerdict(image, str(reference), reference.digest, checks=tuple(refused))
    return reference, None


def reference_checks(reference: Reference, policy: AdmissionPolicy) -> tuple[ImageCheck, ...]:
    """The registry and pinning checks, passed or not (they read the reference alone)."""
    checks = [_pinning(reference, policy)]
    if policy.registries is not None:
        checks.insert(0, _registry(reference, policy.registries))
    return tuple(checks)


def judge(image: str, reference: Reference, facts: ImageFacts, policy: AdmissionPolicy) -> ImageVerdict:
    """Every check the policy asks for, over the facts gathered for the image's digest."""
    checks = list(reference_checks(reference, policy))
    if facts.resolved_from is not None:
        checks[-1] = ImageCheck(CheckName.PINNING, True, f"tag {facts.resolved_from} resolved to {facts.digest}")
    if policy.signatures is not None:
        checks.append(signature_check(facts.verification))
    if policy.findings is not None:
        checks.append(findings_check(facts, policy.findings.fail_on))
    if quarantine_applies(reference, policy):
        checks.append(quarantine_check(facts.quarantine_state))
    return ImageVerdict(image, facts.reference, facts.digest, tuple(checks), resolved_from=facts.resolved_from)


def signature_check(result: VerificationResult | None) -> ImageCheck:
    if result is None:
        return ImageCheck(CheckName.SIGNATURE, False, "signatures were not verified", DenyReason.ERROR)
    if result.passed:
        signer = next((v.signer for v in result.verdicts if v.passed and v.signer), "")
        what = "the trust policy says skip (nothing verified)" if result.skipped else f"signed by {signer or '?'}"
        return ImageCheck(CheckName.SIGNATURE, True, f"{what}; policy {result.policy or '?'}")
    if result.reason is FailureReason.NO_SIGNATURE:
        return ImageCheck(CheckName.SIGNATURE, False, "no signature is attached", DenyReason.UNSIGNED)
    detail = f"{result.reason.value if result.reason else 'failed'}: {result.message}".rstrip(": ")
    return ImageCheck(CheckName.SIGNATURE, False, detail, DenyReason.UNTRUSTED_SIGNATURE)


def findings_check(facts: ImageFacts, fail_on: Severity) -> ImageCheck:
    if facts.not_scanned is not None or facts.findings is None:
        detail = facts.not_scanned or "the findings were not read"
        return ImageCheck(CheckName.FINDINGS, False, detail, DenyReason.NOT_SCANNED)
    blocking = sorted((f for f in facts.findings if _rank(f) >= fail_on.rank), key=lambda f: (-_rank(f), f.vuln_id))
    if not blocking:
        below = len(facts.findings)
        detail = f"no open finding at or above {fail_on.value} ({below} below; {facts.findings_source or 'inventory'})"
        return ImageCheck(CheckName.FINDINGS, True, detail)
    named = ", ".join(f"{f.vuln_id} ({f.severity}, {f.package})" for f in blocking[:SHOWN_FINDINGS])
    more = f" and {len(blocking) - SHOWN_FINDINGS} more" if len(blocking) > SHOWN_FINDINGS else ""
    detail = f"{len(blocking)} open finding(s) at or above {fail_on.value}: {named}{more}"
    return ImageCheck(CheckName.FINDINGS, False, detail, DenyReason.FINDINGS_ABOVE_THRESHOLD)


def quarantine_applies(reference: Reference, policy: AdmissionPolicy) -> bool:
    registries = policy.quarantine
    return registries is not None and (not registries or registry_allowed(reference, registries))


def quarantine_check(state: str | None) -> ImageCheck:
    if state == PASSED:
        return ImageCheck(CheckName.QUARANTINE, True, "quarantine Passed")
    if state is None:
        detail = "no quarantine record for this digest: the quarantine worker never checked it"
    else:
        detail = f"quarantine {state}" + ("" if state[:1].isupper() else " (not decided yet)")
    return ImageCheck(CheckName.QUARANTINE, False, detail, DenyReason.QUARANTINE_NOT_PASSED)


def _registry(reference: Reference, patterns: tuple[str, ...]) -> ImageCheck:
    if registry_allowed(reference, patterns):
        return ImageCheck(CheckName.REGISTRY, True, f"{reference.name} is allowed")
    detail = f"{reference.name} is not in the allowed registries ({', '.join(patterns)})"
    return ImageCheck(CheckName.REGISTRY, False, detail, DenyReason.REGISTRY_NOT_ALLOWED)


def _pinning(reference: Reference, policy: AdmissionPolicy) -> ImageCheck:
    if reference.digest is not None:
        return ImageCheck(CheckName.PINNING, True, f"pinned to {reference.digest}")
    if policy.pinning is Pinning.DIGEST:
        detail = f"tag {reference.tag} is not pinned: name the image by digest (@sha256:…)"
        return ImageCheck(CheckName.PINNING, False, detail, DenyReason.NOT_PINNED)
    return ImageCheck(CheckName.PINNING, True, f"tag {reference.tag} to be resolved")


def _rank(finding: UntriagedFinding) -> int:
    try:
        return Severity.parse(finding.severity).rank
    except ValueError:  # a severity regwarden does not know counts as the worst: never let it through on a guess
        return Severity.CRITICAL.rank
