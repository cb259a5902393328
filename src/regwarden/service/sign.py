"""`regwarden sign`: a Notation JWS signature for an image, pushed next to it as a referrer.

Order: read the key and chain and refuse what could not verify; resolve the image to its manifest descriptor;
push the empty config and the envelope blobs, then the signature manifest (with `subject`) by digest. A registry
with the referrers API indexes it from `subject`; one without (the API answers 404) gets the OCI distribution
spec's fallback: the signature is added to the image index tagged `sha256-<hex>` (oci/referrer_index.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from regwarden.model.errors import BadInputError
from regwarden.model.image import Descriptor
from regwarden.oci.blobs import compute_digest
from regwarden.oci.client import Referrer, RegistryClient
from regwarden.oci.reference import Reference, parse_reference
from regwarden.oci.referrer_index import add_to_tag_index, has_referrers_api
from regwarden.oci.upload import blob_exists, put_manifest, upload_blob
from regwarden.service.trust import resolve_subject
from regwarden.signing import envelope as env
from regwarden.signing.algorithms import SigningKey
from regwarden.signing.sign import (
    EMPTY_CONFIG,
    EMPTY_CONFIG_MEDIA_TYPE,
    OCI_MANIFEST,
    check_signing_material,
    create_signature,
)


@dataclass(frozen=True)
class SignOutcome:
    reference: str
    subject_digest: str
    signature_digest: str
    indexed_by: str
    """`referrers-api` (the registry indexes `subject` itself) or `tag-schema` (the `sha256-<hex>` index)."""


def load_signing_key(path: Path, password: str | None = None) -> SigningKey:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(path.read_bytes(), password.encode() if password else None)
    except OSError as error:
        raise BadInputError(f"cannot read the key {path}: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise BadInputError(f"{path} is not a PEM private key (or the password is wrong): {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadInputError(f"{path}: {type(key).__name__} keys cannot sign Notary Project signatures (RSA or EC)")
    return key


def sign_image(
    reference: str | Reference,
    key: SigningKey,
    chain_path: Path,
    client: RegistryClient,
    *,
    expiry: datetime | None = None,
    now: datetime | None = None,
) -> SignOutcome:
    from regwarden.signing.truststore import load_certificates

    moment = now or datetime.now(UTC)
    chain = load_certificates(chain_path)
    check_signing_material(key, chain, moment)
    parsed = parse_reference(reference) if isinstance(reference, str) else reference
    subject = resolve_subject(client, parsed).descriptor
    artifact = create_signature(key, chain, subject, moment, expiry)
    repo = parsed.repository
    _push_blob(client, repo, EMPTY_CONFIG, EMPTY_CONFIG_MEDIA_TYPE)
    _push_blob(client, repo, artifact.envelope, env.JWS_MEDIA_TYPE)
    digest = put_manifest(client, repo, compute_digest(artifact.manifest), artifact.manifest, OCI_MANIFEST)
    signature = Descriptor(OCI_MANIFEST, digest, len(artifact.manifest), artifact.annotations)
    indexed_by = "referrers-api"
    if not has_referrers_api(client, repo, subject.digest):
        add_to_tag_index(client, repo, subject.digest, Referrer(signature, env.SIGNATURE_ARTIFACT_TYPE))
        indexed_by = "tag-schema"
    return SignOutcome(str(parsed), subject.digest, digest, indexed_by)


def _push_blob(client: RegistryClient, repo: str, data: bytes, media_type: str) -> Descriptor:
    descriptor = Descriptor(media_type, compute_digest(data), len(data))
    if not blob_exists(client, repo, descriptor.digest):
        upload_blob(client, repo, descriptor, io.BytesIO(data))
    return descriptor
