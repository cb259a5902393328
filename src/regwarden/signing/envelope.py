"""A Notary Project signature envelope, read from JWS or COSE into one format-neutral shape.

The verifier (`notation.py`) works on `Envelope` alone, so each rule of the signature specification is written
once whatever the envelope format. Parsing never trusts anything: it only reads; every decision is the verifier's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from regwarden.model.trust import FailureReason

JWS_MEDIA_TYPE = "application/jose+json"
COSE_MEDIA_TYPE = "application/cose"
PAYLOAD_CONTENT_TYPE = "application/vnd.cncf.notary.payload.v1+json"
SIGNATURE_ARTIFACT_TYPE = "application/vnd.cncf.notary.signature"

SIGNING_SCHEME = "io.cncf.notary.signingScheme"
SIGNING_TIME = "io.cncf.notary.signingTime"
AUTHENTIC_SIGNING_TIME = "io.cncf.notary.authenticSigningTime"
EXPIRY = "io.cncf.notary.expiry"
VERIFICATION_PLUGIN = "io.cncf.notary.verificationPlugin"
VERIFICATION_PLUGIN_MIN_VERSION = "io.cncf.notary.verificationPluginMinVersion"
TIMESTAMP_SIGNATURE = "io.cncf.notary.timestampSignature"
SIGNING_AGENT = "io.cncf.notary.signingAgent"
THUMBPRINT_ANNOTATION = "io.cncf.notary.x509chain.thumbprint#S256"

SCHEME_X509 = "notary.x509"
SCHEME_SIGNING_AUTHORITY = "notary.x509.signingAuthority"

KNOWN_CRITICAL = frozenset({SIGNING_SCHEME, AUTHENTIC_SIGNING_TIME, EXPIRY})
"""Critical attributes this verifier processes; the plugin ones it cannot, so they fail verification (spec)."""


class EnvelopeError(Exception):
    """The envelope cannot be read; carries the failure reason for the verdict."""

    def __init__(self, reason: FailureReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """Payload, signed attributes, unsigned attributes and the primitive signature: `e = {m, v, u, s}`."""

    format: str
    """`jws` or `cose`."""
    payload: bytes
    signed_bytes: bytes
    """What the signature covers: the JWS signing input, or the COSE Sig_structure."""
    signature: bytes
    algorithm: str
    """The JWS name of the declared algorithm (`PS256`, `ES384`, …); COSE labels are mapped onto these."""
    content_type: str | None
    signing_scheme: str | None
    signing_time: datetime | None
    authentic_signing_time: datetime | None
    expiry: datetime | None
    critical: tuple[str, ...]
    protected_names: frozenset[str]
    """Every signed attribute present, by name (COSE's registered labels as `alg`, `crit`, `cty`)."""
    certificates: tuple[bytes, ...]
    """The x5c / x5chain: DER, signing certificate first, root last."""
    timestamp_token: bytes | None = None
    signing_agent: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


def parse_envelope(data: bytes, media_type: str) -> Envelope:
    """Read a JWS or COSE envelope, chosen by the signature layer's media type (the spec's rule)."""
    if media_type == JWS_MEDIA_TYPE:
        from regwarden.signing.jws import parse_jws

        return parse_jws(data)
    if media_type == COSE_MEDIA_TYPE:
        from regwarden.signing.cose import parse_cose

        return parse_cose(data)
    raise EnvelopeError(
        FailureReason.UNSUPPORTED_ENVELOPE,
        f"signature envelope media type {media_type!r} is neither {JWS_MEDIA_TYPE} nor {COSE_MEDIA_TYPE}",
    )
