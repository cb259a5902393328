"""cosign signatures: a `simplesigning` payload with its signature in a layer annotation (`.sig` tags, referrers).

A cosign signature manifest has one layer per signature; the layer blob is the payload
`{"critical": {"identity": …, "image": {"docker-manifest-digest": …}, "type": "cosign container image
signature"}, "optional": …}` and the layer's annotations carry `dev.cosignproject.cosign/signature` (base64,
ECDSA/RSA/Ed25519 over the payload with SHA-256), and for keyless signatures the Fulcio certificate
(`dev.sigstore.cosign/certificate`), its chain (`dev.sigstore.cosign/chain`) and the Rekor bundle
(`dev.sigstore.cosign/bundle`), whose signed entry timestamp proves when the short-lived certificate was used.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from regwarden.model.trust import Check, CheckOutcome, FailureReason, SignatureVerdict
from regwarden.signing.identity import IdentityRule, fulcio_identity
from regwarden.signing.rekor import RekorError, rekor_integrated_time

SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
SIGNATURE_TYPE = "cosign container image signature"
PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True)
class CosignRule:
    """A policy's cosign requirement: trusted public keys, or Fulcio roots plus identities (and Rekor keys)."""

    name: str
    registry_scopes: tuple[str, ...]
    public_keys: tuple[tuple[str, PublicKey], ...] = ()
    certificate_roots: tuple[x509.Certificate, ...] = ()
    identities: tuple[IdentityRule, ...] = ()
    rekor_keys: tuple[PublicKey, ...] = ()
    trusted_root: str | None = None
    """A Sigstore trusted root (JSON) for Sigstore bundles: Fulcio, Rekor and TSA keys, read offline."""

    def applies_to(self, repository_uri: str) -> bool:
        return "*" in self.registry_scopes or repository_uri in self.registry_scopes


class _Failed(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def verify_simplesigning(
    payload: bytes,
    annotations: Mapping[str, str],
    subject_digest: str,
    artifact_digest: str,
    rule: CosignRule,
    now: datetime,
) -> SignatureVerdict:
    checks: list[Check] = []
    signer = ""
    try:
        signature = _signature(annotations)
        if CERTIFICATE_ANNOTATION in annotations:
            signer = _verify_with_certificate(payload, signature, annotations, rule, now, checks)
        else:
            signer = _verify_with_keys(payload, signature, rule, checks)
        _check_claims(payload, subject_digest)
        checks.append(Check("payload", CheckOutcome.PASSED, f"signs {subject_digest}"))
    except _Failed as failure:
        checks.append(Check(_stage(checks), CheckOutcome.FAILED, str(failure), failure.reason))
        return SignatureVerdict("cosign", artifact_digest, False, tuple(checks), signer=signer, policy=rule.name)
    return SignatureVerdict("cosign", artifact_digest, True, tuple(checks), signer=signer, policy=rule.name)


def _stage(done: Sequence[Check]) -> str:
    return ("integrity", "authenticity", "payload")[min(len(done), 2)]


def _signature(annotations: Mapping[str, str]) -> bytes:
    text = annotations.get(SIGNATURE_ANNOTATION)
    if not text:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"the layer has no {SIGNATURE_ANNOTATION} annotation")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, "the cosign signature annotation is not base64") from None


def _verify_with_keys(payload: bytes, signature: bytes, rule: CosignRule, checks: list[Check]) -> str:
    if not rule.public_keys:
        raise _Failed(
            FailureReason.KEY_MISMATCH, f"policy {rule.name} trusts no public key, and the signature has no certificate"
        )
    for label, key in rule.public_keys:
        if verify_payload_signature(key, payload, signature):
            checks.append(Check("integrity", CheckOutcome.PASSED, f"signature verifies with key {label}"))
            checks.append(Check("authenticity", CheckOutcome.PASSED, f"key {label} is trusted by {rule.name}"))
            return f"key {label}"
    names = ", ".join(label for label, _ in rule.public_keys)
    raise _Failed(FailureReason.KEY_MISMATCH, f"the signature verifies with none of the trusted keys ({names})")


def _verify_with_certificate(
    payload: bytes,
    signature: bytes,
    annotations: Mapping[str, str],
    rule: CosignRule,
    now: datetime,
    checks: list[Check],
) -> str:
    chain = _certificates(annotations)
    leaf = chain[0]
    if not verify_payload_signature(leaf.public_key(), payload, signature):
        raise _Failed(FailureReason.SIGNATURE_INVALID, "the signature does not verify with its certificate")
    checks.append(Check("integrity", CheckOutcome.PASSED, "signature verifies with the attached certificate"))
    _check_fulcio_chain(chain, rule)
    identity = fulcio_identity(leaf)
    if not any(wanted.accepts(identity) for wanted in rule.identities):
        raise _Failed(
            FailureReason.IDENTITY_MISMATCH, f"signer {identity.subject} ({identity.issuer}) is not a trusted identity"
        )
    try:
        logged = rekor_integrated_time(annotations.get(BUNDLE_ANNOTATION), signature, payload, rule.rekor_keys)
    except RekorError as error:
        raise _Failed(FailureReason.TRANSPARENCY_LOG_INVALID, str(error)) from None
    moment = logged or now
    if moment > leaf.not_valid_after_utc:
        raise _Failed(
            FailureReason.CERTIFICATE_EXPIRED,
            f"the certificate expired at {leaf.not_valid_after_utc.isoformat()} and no verified transparency-log "
            "entry proves it was used in time",
        )
    if moment < leaf.not_valid_before_utc:
        raise _Failed(FailureReason.CERTIFICATE_NOT_YET_VALID, "the certificate was not yet valid when used")
    checks.append(
        Check(
            "authenticity", CheckOutcome.PASSED, f"{identity.subject} from {identity.issuer}, used {moment.isoformat()}"
        )
    )
    return f"{identity.subject} ({identity.issuer})"


def _certificates(annotations: Mapping[str, str]) -> list[x509.Certificate]:
    try:
        chain = x509.load_pem_x509_certificates(annotations[CERTIFICATE_ANNOTATION].encode())
        chain += (
            x509.load_pem_x509_certificates(annotations[CHAIN_ANNOTATION].encode())
            if annotations.get(CHAIN_ANNOTATION)
            else []
        )
    except ValueError as error:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"the cosign certificate is not PEM: {error}") from None
    return chain


def _check_fulcio_chain(chain: list[x509.Certificate], rule: CosignRule) -> None:
    from regwarden.signing.certificates import anchored_in

    if not rule.certificate_roots:
        raise _Failed(FailureReason.UNTRUSTED_CERTIFICATE, f"policy {rule.name} names no certificate roots")
    pool = [*chain[1:], *rule.certificate_roots]
    current = chain[0]
    path = [current]
    while not anchored_in([current], rule.certificate_roots):
        issuer = next((c for c in pool if c.subject == current.issuer and _issued(current, c)), None)
        if issuer is None or len(path) > 8:
            raise _Failed(FailureReason.UNTRUSTED_CERTIFICATE, "the certificate does not chain to a trusted root")
        path.append(issuer)
        current = issuer


def _issued(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
    except Exception:  # another key, another name, an unsupported algorithm: not the issuer
        return False
    return True


def _check_claims(payload: bytes, subject_digest: str) -> None:
    try:
        critical = json.loads(payload)["critical"]
        claimed = critical["image"]["docker-manifest-digest"]
        kind = critical["type"]
    except (ValueError, KeyError, TypeError):
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, "the payload is not a cosign simple signing document") from None
    if kind != SIGNATURE_TYPE:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"the payload type is {kind!r}, not {SIGNATURE_TYPE!r}")
    if claimed != subject_digest:
        raise _Failed(FailureReason.PAYLOAD_MISMATCH, f"the payload signs {claimed}, not {subject_digest}")


def verify_payload_signature(key: object, payload: bytes, signature: bytes) -> bool:
    """cosign's signature schemes: ECDSA (DER) or RSA PKCS#1 v1.5 with SHA-256, or Ed25519."""
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, payload, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, payload, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, payload)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def simplesigning_payload(reference: str, digest: str) -> bytes:
    """The payload cosign signs for an image (used by tests and by anyone re-creating one)."""
    document = {
        "critical": {
            "identity": {"docker-reference": reference},
            "image": {"docker-manifest-digest": digest},
            "type": SIGNATURE_TYPE,
        },
        "optional": None,
    }
    return json.dumps(document, separators=(",", ":")).encode()
