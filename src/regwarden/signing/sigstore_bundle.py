"""Sigstore bundles attached to an image, verified offline through sigstore-python against a given trusted root.

What works offline (sigstore 4.x): `Verifier(trusted_root=TrustedRoot.from_file(path))` needs no network; it
checks the Fulcio chain against the root's CAs at the time the transparency log (inclusion proof and signed
checkpoint, or signed entry timestamp) or an RFC 3161 timestamp proves, the Rekor entry against the log keys,
and the signature. Two bundle shapes are accepted: a DSSE envelope whose in-toto statement names the image
digest as a subject (cosign attestations), and a message signature over the image manifest digest itself.
The signer's identity is judged here with the same Fulcio rule as cosign's certificate signatures.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from regwarden.model.trust import Check, CheckOutcome, FailureReason, SignatureVerdict
from regwarden.signing.cosign import CosignRule
from regwarden.signing.identity import fulcio_identity

if TYPE_CHECKING:
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle

BUNDLE_MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.bundle"


class _AcceptAnyCertificate:
    """sigstore-python's policy hook; identity is checked after verification, so reasons stay distinct."""

    def verify(self, cert: object) -> None:
        return None


class _Failed(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def verify_bundle(bundle_json: bytes, subject_digest: str, artifact_digest: str, rule: CosignRule) -> SignatureVerdict:
    checks: list[Check] = []
    signer = ""
    try:
        bundle = _load(bundle_json)
        identity = fulcio_identity(bundle.signing_certificate)
        signer = f"{identity.subject} ({identity.issuer})"
        statement = _verify(bundle, subject_digest, rule)
        checks.append(Check("integrity", CheckOutcome.PASSED, "bundle verified against the trusted root " + statement))
        if not any(wanted.accepts(identity) for wanted in rule.identities):
            raise _Failed(FailureReason.IDENTITY_MISMATCH, f"signer {signer} is not a trusted identity")
        checks.append(Check("authenticity", CheckOutcome.PASSED, f"trusted identity {signer}"))
    except _Failed as failure:
        stage = "integrity" if not checks else "authenticity"
        checks.append(Check(stage, CheckOutcome.FAILED, str(failure), failure.reason))
        return SignatureVerdict(
            "sigstore-bundle", artifact_digest, False, tuple(checks), signer=signer, policy=rule.name
        )
    return SignatureVerdict("sigstore-bundle", artifact_digest, True, tuple(checks), signer=signer, policy=rule.name)


def _load(bundle_json: bytes) -> Bundle:
    from sigstore.models import Bundle, InvalidBundle

    try:
        return Bundle.from_json(bundle_json)
    except (InvalidBundle, ValueError) as error:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"not a Sigstore bundle: {error}") from None


def _verify(bundle: Bundle, subject_digest: str, rule: CosignRule) -> str:
    from sigstore.errors import VerificationError
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    if rule.trusted_root is None:
        raise _Failed(FailureReason.UNTRUSTED_CERTIFICATE, f"policy {rule.name} names no Sigstore trusted root")
    verifier = Verifier(trusted_root=TrustedRoot.from_file(rule.trusted_root))
    try:
        if bundle._dsse_envelope is not None:
            _, payload = verifier.verify_dsse(bundle, _AcceptAnyCertificate())
            return _check_statement(payload, subject_digest)
        verifier.verify_artifact(_hashed(subject_digest), bundle, _AcceptAnyCertificate())
    except VerificationError as error:
        raise _Failed(FailureReason.SIGNATURE_INVALID, f"the bundle does not verify: {error}") from None
    return f"(message signature over {subject_digest})"


def _hashed(subject_digest: str) -> Hashed:
    from sigstore.hashes import Hashed
    from sigstore_models.common.v1 import HashAlgorithm

    algorithm, _, hex_digest = subject_digest.partition(":")
    if algorithm != "sha256":
        raise _Failed(
            FailureReason.UNSUPPORTED_ALGORITHM, f"a message-signature bundle over {algorithm} is not supported"
        )
    return Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(hex_digest))


def _check_statement(payload: bytes, subject_digest: str) -> str:
    algorithm, _, hex_digest = subject_digest.partition(":")
    try:
        statement = json.loads(payload)
        subjects = statement["subject"]
        names = {subject["digest"].get(algorithm) for subject in subjects}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, "the DSSE payload is not an in-toto statement") from None
    if hex_digest not in names:
        raise _Failed(FailureReason.PAYLOAD_MISMATCH, f"the attestation's subjects do not include {subject_digest}")
    return f"(in-toto {statement.get('predicateType', '?')} over {subject_digest})"
