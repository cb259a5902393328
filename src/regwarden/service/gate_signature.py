"""The gate's signature condition: the pushed manifest must verify under a verification policy, exactly as
`regwarden verify IMAGE --policy FILE` decides (service/trust.py fetches, signing/ judges; nothing is redone here).

The subject is the pushed digest itself (an index is verified as the index, as `verify` does when given it).
A registry that cannot be reached raises: that says nothing about the image, and the caller retries. A signature
that is listed but cannot be read fails the condition with the reason, as any failed verification does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from regwarden.model.errors import NoDataError, RegwardenError, UnreachableError
from regwarden.model.quarantine import Condition
from regwarden.model.trust import CheckOutcome, SignatureVerdict, VerificationResult
from regwarden.oci.client import RegistryClient
from regwarden.oci.reference import Reference
from regwarden.signing.policy import VerificationPolicy


@dataclass(frozen=True)
class SignatureRequirement:
    """`--signature-policy FILE`: the policy loaded once, before any image is checked (its `revocation.fetch:
    false` keeps CRL downloads off, as for `verify`)."""

    policy: VerificationPolicy


def signature_condition(
    client: RegistryClient, repository: str, digest: str, requirement: SignatureRequirement
) -> Condition:
    """Verify `repository@digest` under the requirement's policy; the condition says which signature decided."""
    from regwarden.service.trust import verify_image

    name = f"signatures ({requirement.policy.name})"
    reference = Reference(client.registry, repository, None, digest)
    try:
        result = verify_image(reference, requirement.policy, client)
    except (UnreachableError, NoDataError):
        raise
    except RegwardenError as error:
        return Condition(name, False, f"the signatures could not be read: {error}")
    return Condition(name, result.passed, verification_detail(result))


def verification_detail(result: VerificationResult) -> str:
    """One line: what decided, then why each signature was rejected (or who signed the one that verified)."""
    if result.passed:
        signers = [_signer(v) for v in result.verdicts if v.passed]
        return f"{result.message}: {'; '.join(signers)}" if signers else result.message
    head = f"{result.reason}: {result.message}" if result.reason else result.message
    return "; ".join([head, *_rejections(result.verdicts)])


def _signer(verdict: SignatureVerdict) -> str:
    who = verdict.signer or "an unnamed signer"
    return f"{verdict.artifact_digest} signed by {who}" + (f" (issuer {verdict.issuer})" if verdict.issuer else "")


def _rejections(verdicts: Sequence[SignatureVerdict]) -> list[str]:
    lines: list[str] = []
    for verdict in verdicts:
        failed = next((c for c in verdict.checks if c.outcome is CheckOutcome.FAILED), None)
        why = f"{verdict.reason}" + (f" ({failed.detail})" if failed is not None and failed.detail else "")
        lines.append(f"{verdict.artifact_digest} rejected: {why}")
    return lines
