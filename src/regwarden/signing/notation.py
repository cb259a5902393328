"""Verify one Notary Project signature against its trust policy statement (trust-store-trust-policy.md steps).

Order: integrity (always enforced), authenticity, expiry, authentic timestamp, revocation. Each check after
integrity is enforced, logged or skipped as the statement's verification level and overrides say; the first
enforced failure stops the verification, as the spec requires, and is the verdict's reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from regwarden.model.image import Descriptor
from regwarden.model.trust import Check, CheckOutcome, FailureReason, SignatureVerdict
from regwarden.signing import envelope as env
from regwarden.signing.algorithms import UnsupportedKeyError, algorithm_for_key, verify_raw
from regwarden.signing.certificates import ChainError, anchored_in, check_chain, load_chain, validity_problem
from regwarden.signing.envelope import Envelope, EnvelopeError, parse_envelope
from regwarden.signing.identity import subject_matches
from regwarden.signing.revocation import CrlRevocation, RevocationError
from regwarden.signing.timestamp import TimestampError, verify_timestamp
from regwarden.signing.trust_policy import Action, TrustPolicyStatement
from regwarden.signing.truststore import TrustStore


class _Failed(Exception):
    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class NotationContext:
    statement: TrustPolicyStatement
    trust_store: TrustStore
    revocation: CrlRevocation
    now: datetime


@dataclass
class _Signature:
    envelope: Envelope
    chain: list[x509.Certificate]


def verify_notation(
    blob: bytes, media_type: str, target: Descriptor, artifact_digest: str, context: NotationContext
) -> SignatureVerdict:
    kind = "notation-cose" if media_type == env.COSE_MEDIA_TYPE else "notation-jws"
    checks: list[Check] = []
    try:
        signature = _integrity(blob, media_type, target)
    except _Failed as failure:
        checks.append(Check("integrity", CheckOutcome.FAILED, str(failure), failure.reason))
        return SignatureVerdict(kind, artifact_digest, False, tuple(checks), policy=context.statement.name)
    checks.append(
        Check("integrity", CheckOutcome.PASSED, f"{signature.envelope.algorithm} signature over {target.digest}")
    )
    steps: tuple[tuple[str, Callable[[_Signature, NotationContext], str]], ...] = (
        ("authenticity", _authenticity),
        ("expiry", _expiry),
        ("authenticTimestamp", _authentic_timestamp),
        ("revocation", _revocation),
    )
    for name, step in steps:
        check = _run(name, step, signature, context)
        checks.append(check)
        if check.outcome is CheckOutcome.FAILED:
            break
    passed = all(check.outcome is not CheckOutcome.FAILED for check in checks)
    signed_at = signature.envelope.authentic_signing_time or signature.envelope.signing_time
    return SignatureVerdict(
        kind,
        artifact_digest,
        passed,
        tuple(checks),
        signer=signature.chain[0].subject.rfc4514_string(),
        issuer=signature.chain[0].issuer.rfc4514_string(),
        policy=context.statement.name,
        signed_at=signed_at.isoformat() if signed_at else None,
    )


def _run(
    name: str, step: Callable[[_Signature, NotationContext], str], signature: _Signature, context: NotationContext
) -> Check:
    action = context.statement.action(name)
    if action is Action.SKIP:
        return Check(name, CheckOutcome.SKIPPED, f"not checked: the policy skips {name}")
    try:
        return Check(name, CheckOutcome.PASSED, step(signature, context))
    except _Failed as failure:
        outcome = CheckOutcome.FAILED if action is Action.ENFORCE else CheckOutcome.LOGGED
        return Check(name, outcome, str(failure), failure.reason)


def _integrity(blob: bytes, media_type: str, target: Descriptor) -> _Signature:
    try:
        envelope = parse_envelope(blob, media_type)
        chain = load_chain(envelope.certificates)
    except (EnvelopeError, ChainError) as error:
        raise _Failed(error.reason, str(error)) from None
    _check_signed_attributes(envelope)
    try:
        expected = algorithm_for_key(chain[0].public_key())
    except UnsupportedKeyError as error:
        raise _Failed(FailureReason.UNSUPPORTED_ALGORITHM, str(error)) from None
    if envelope.algorithm != expected:
        raise _Failed(
            FailureReason.ALGORITHM_MISMATCH,
            f"the envelope says {envelope.algorithm or 'no algorithm'}, the signing key requires {expected}",
        )
    if not verify_raw(expected, chain[0].public_key(), envelope.signed_bytes, envelope.signature):
        raise _Failed(FailureReason.SIGNATURE_INVALID, "the signature does not verify with the signing certificate")
    _check_payload(envelope.payload, target)
    return _Signature(envelope, chain)


def _check_signed_attributes(envelope: Envelope) -> None:
    if envelope.content_type != env.PAYLOAD_CONTENT_TYPE:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"unsupported payload content type {envelope.content_type!r}")
    if envelope.signing_scheme not in (env.SCHEME_X509, env.SCHEME_SIGNING_AUTHORITY):
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"unknown signing scheme {envelope.signing_scheme!r}")
    unknown = [name for name in envelope.critical if name not in env.KNOWN_CRITICAL]
    if unknown:
        raise _Failed(
            FailureReason.UNKNOWN_CRITICAL_ATTRIBUTE,
            f"critical attribute(s) this verifier cannot process: {', '.join(unknown)} (a verification plugin?)",
        )
    required = {env.SIGNING_SCHEME} | {
        name for name in (env.EXPIRY, env.AUTHENTIC_SIGNING_TIME) if _has(envelope, name)
    }
    missing = sorted(required - set(envelope.critical))
    if missing:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, f"attribute(s) that must be critical are not: {missing}")
    if envelope.signing_scheme == env.SCHEME_X509 and envelope.signing_time is None:
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, "notary.x509 signatures must carry a signing time")


def _has(envelope: Envelope, name: str) -> bool:
    return name in envelope.protected_names


def _check_payload(payload: bytes, target: Descriptor) -> None:
    try:
        artifact = json.loads(payload)["targetArtifact"]
        signed = (artifact["mediaType"], artifact["digest"], artifact["size"])
    except (ValueError, KeyError, TypeError):
        raise _Failed(FailureReason.MALFORMED_ENVELOPE, "the payload has no targetArtifact descriptor") from None
    if signed != (target.media_type, target.digest, target.size):
        raise _Failed(
            FailureReason.PAYLOAD_MISMATCH,
            f"the signature is for {signed[1]} ({signed[0]}, {signed[2]} bytes), not {target.digest} "
            f"({target.media_type}, {target.size} bytes)",
        )


def _authenticity(signature: _Signature, context: NotationContext) -> str:
    try:
        check_chain(signature.chain)
    except ChainError as error:
        raise _Failed(error.reason, str(error)) from None
    store_type = "signingAuthority" if signature.envelope.signing_scheme == env.SCHEME_SIGNING_AUTHORITY else "ca"
    trusted = context.trust_store.all_of(context.statement.trust_stores, store_type)
    if not anchored_in(signature.chain, trusted):
        stores = ", ".join(f"{k}:{n}" for k, n in context.statement.trust_stores if k == store_type) or "none"
        raise _Failed(FailureReason.UNTRUSTED_CERTIFICATE, f"the certificate chain leads to no certificate of {stores}")
    identities = context.statement.trusted_identities
    leaf = signature.chain[0]
    if identities != ("*",) and not any(subject_matches(leaf, identity) for identity in identities):
        raise _Failed(
            FailureReason.IDENTITY_MISMATCH, f"signer {leaf.subject.rfc4514_string()} is not a trusted identity"
        )
    return f"chain to a trusted root; signer {leaf.subject.rfc4514_string()}"


def _expiry(signature: _Signature, context: NotationContext) -> str:
    expiry = signature.envelope.expiry
    if expiry is None:
        return "the signature sets no expiry"
    if context.now >= expiry:
        raise _Failed(FailureReason.SIGNATURE_EXPIRED, f"the signature expired at {expiry.isoformat()}")
    return f"valid until {expiry.isoformat()}"


def _authentic_timestamp(signature: _Signature, context: NotationContext) -> str:
    envelope, chain = signature.envelope, signature.chain
    if envelope.signing_scheme == env.SCHEME_SIGNING_AUTHORITY:
        moment = envelope.authentic_signing_time
        if moment is None:
            raise _Failed(FailureReason.TIMESTAMP_MISSING, "no authentic signing time in a signingAuthority signature")
        _raise_validity(chain, moment, moment)
        return f"certificates valid at the authentic signing time {moment.isoformat()}"
    if not _timestamp_required(signature, context):
        _raise_validity(chain, context.now, context.now)
        return "certificates valid now (no timestamp verification asked)"
    if envelope.timestamp_token is None:
        raise _Failed(FailureReason.TIMESTAMP_MISSING, "the policy asks for a timestamp and the signature has none")
    roots = context.trust_store.all_of(context.statement.trust_stores, "tsa")
    try:
        stamp = verify_timestamp(envelope.timestamp_token, envelope.signature, roots)
    except TimestampError as error:
        raise _Failed(error.reason, str(error)) from None
    problem = validity_problem(chain, stamp.lower, stamp.upper)
    if problem is not None:
        raise _Failed(FailureReason.TIMESTAMP_OUTSIDE_VALIDITY, f"timestamp {stamp.gen_time.isoformat()}: {problem}")
    _revoke_check(context, list(stamp.chain), "TSA")
    return f"timestamped {stamp.gen_time.isoformat()} (±{stamp.accuracy.total_seconds():g}s) by {stamp.tsa}"


def _timestamp_required(signature: _Signature, context: NotationContext) -> bool:
    """The spec's necessary and sufficient conditions for timestamp countersignature verification."""
    statement = context.statement
    if not any(kind == "tsa" for kind, _ in statement.trust_stores):
        return False
    if statement.verify_timestamp == "always":
        return True
    return any(cert.not_valid_after_utc < context.now for cert in signature.chain)


def _raise_validity(chain: list[x509.Certificate], start: datetime, end: datetime) -> None:
    problem = validity_problem(chain, start, end)
    if problem is not None:
        raise _Failed(problem.reason, str(problem))


def _revocation(signature: _Signature, context: NotationContext) -> str:
    return _revoke_check(context, signature.chain, "signing")


def _revoke_check(context: NotationContext, chain: list[x509.Certificate], what: str) -> str:
    """TSA chains follow the statement's revocation setting too: the spec enforces them always, which offline
    verification of any public TSA could never pass."""
    if context.statement.action("revocation") is Action.SKIP:
        return "revocation not checked (policy)"
    try:
        return f"{what} chain: {context.revocation.check_chain(chain, context.now)}"
    except RevocationError as error:
        raise _Failed(error.reason, f"{what} chain: {error}") from None
