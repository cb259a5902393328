"""Create a Notary Project JWS signature and its OCI signature manifest (pure: bytes in, bytes out).

The signing certificate chain is checked with the verifier's own rules first: a chain regwarden would reject
is refused before anything is pushed. The manifest follows the signature specification: `artifactType`
`application/vnd.cncf.notary.signature`, the empty config, one `application/jose+json` layer, the image as
`subject`, and the chain's SHA-256 thumbprints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.signing import envelope as env
from regwarden.signing.algorithms import SigningKey, UnsupportedKeyError, algorithm_for_key, sign_raw
from regwarden.signing.certificates import ChainError, check_chain, fingerprint
from regwarden.signing.jws import build_jws, rfc3339

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
EMPTY_CONFIG = b"{}"
EMPTY_CONFIG_MEDIA_TYPE = "application/vnd.oci.empty.v1+json"
EMPTY_CONFIG_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
CREATED_ANNOTATION = "org.opencontainers.image.created"


@dataclass(frozen=True)
class SignatureArtifactBytes:
    envelope: bytes
    manifest: bytes
    annotations: dict[str, str]


def check_signing_material(key: SigningKey, chain: Sequence[x509.Certificate], now: datetime) -> None:
    """Refuse what could not verify: a key the spec does not allow, a chain that is not the key's or is broken."""
    if not chain:
        raise BadInputError("the certificate chain file holds no certificate")
    try:
        algorithm_for_key(key.public_key())
    except UnsupportedKeyError as error:
        raise BadInputError(f"signing key: {error}") from None
    if _spki(chain[0].public_key()) != _spki(key.public_key()):
        raise BadInputError("the first certificate of the chain is not the signing key's certificate")
    try:
        check_chain(chain)
    except ChainError as error:
        raise BadInputError(f"certificate chain: {error}") from None
    if not all(cert.not_valid_before_utc <= now <= cert.not_valid_after_utc for cert in chain):
        raise BadInputError("a certificate of the chain is not valid now: the signature would never verify")


def create_signature(
    key: SigningKey,
    chain: Sequence[x509.Certificate],
    subject: Descriptor,
    now: datetime,
    expiry: datetime | None = None,
) -> SignatureArtifactBytes:
    """The JWS envelope over `subject` and the signature manifest that points at it."""
    payload = json.dumps(
        {"targetArtifact": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size}},
        separators=(",", ":"),
    ).encode()
    protected: dict[str, object] = {
        "alg": algorithm_for_key(key.public_key()),
        "crit": [env.SIGNING_SCHEME] + ([env.EXPIRY] if expiry else []),
        "cty": env.PAYLOAD_CONTENT_TYPE,
        env.SIGNING_SCHEME: env.SCHEME_X509,
        env.SIGNING_TIME: rfc3339(now),
    }
    if expiry is not None:
        protected[env.EXPIRY] = rfc3339(expiry)
    chain_der = [cert.public_bytes(Encoding.DER) for cert in chain]
    envelope = build_jws(protected, payload, lambda data: sign_raw(key, data)[1], chain_der)
    annotations = {
        env.THUMBPRINT_ANNOTATION: json.dumps([fingerprint(cert) for cert in chain], separators=(",", ":")),
        CREATED_ANNOTATION: rfc3339(now),
    }
    return SignatureArtifactBytes(envelope, signature_manifest(envelope, subject, annotations), annotations)


def signature_manifest(envelope: bytes, subject: Descriptor, annotations: dict[str, str]) -> bytes:
    from regwarden.oci.blobs import compute_digest

    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": env.SIGNATURE_ARTIFACT_TYPE,
        "config": {"mediaType": EMPTY_CONFIG_MEDIA_TYPE, "digest": EMPTY_CONFIG_DIGEST, "size": 2},
        "layers": [{"mediaType": env.JWS_MEDIA_TYPE, "digest": compute_digest(envelope), "size": len(envelope)}],
        "subject": {"mediaType": subject.media_type, "digest": subject.digest, "size": subject.size},
        "annotations": annotations,
    }
    return json.dumps(document, separators=(",", ":")).encode()


def _spki(public_key: object) -> bytes:
    from cryptography.hazmat.primitives.serialization import PublicFormat

    assert hasattr(public_key, "public_bytes")
    encoded: bytes = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return encoded
