"""Trust use cases over a registry: what is attached to an image, and whether its signatures satisfy a policy.

`verify_image(reference, policy, client)` is the one entry point for anything that must decide on an image
(the CLI's `verify`, an admission webhook): resolve the reference to its manifest descriptor (a tag is read once,
then everything is by digest), fetch every signature attached to it, and hand them to the pure verifier
(`signing.verify.verify_signatures`). Fetching is here; judging is in signing/.

Signatures are found through the referrers API, its `sha256-<hex>` tag-schema fallback (both through
`RegistryClient.referrers`), and cosign's `sha256-<hex>.sig` tag. A signature that cannot be fetched is an
error (exit code of its kind), never a silently missing signature.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from regwarden.model.image import Descriptor
from regwarden.model.trust import AttachedArtifact, VerificationResult
from regwarden.oci import mediatypes
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.manifest import Manifest, parse_manifest_document
from regwarden.oci.reference import Reference, parse_reference
from regwarden.signing import cosign
from regwarden.signing import envelope as env
from regwarden.signing.policy import VerificationPolicy
from regwarden.signing.revocation import CrlFetcher
from regwarden.signing.verify import COSIGN, NOTATION, SIGSTORE_BUNDLE, ImageSubject, SignatureArtifact

if TYPE_CHECKING:
    from regwarden.service.images import ImageOptions

MAX_SIGNATURE_BYTES = 4 * 1024 * 1024
COSIGN_TAG_SUFFIXES = (".sig", ".att", ".sbom")
CREATED_ANNOTATION = "org.opencontainers.image.created"
_MANIFEST_ACCEPT = f"{mediatypes.OCI_MANIFEST}, {mediatypes.DOCKER_MANIFEST_V2}"


def resolve_subject(client: RegistryClient, reference: Reference) -> ImageSubject:
    """The manifest (or index) the reference names, as a descriptor: what signatures must sign."""
    fetched = client.get_manifest(reference.repository, reference.identifier)
    document = parse_manifest_document(fetched.data, fetched.media_type or None)
    descriptor = Descriptor(media_type=document.media_type, digest=fetched.digest, size=len(fetched.data))
    return ImageSubject(str(reference), reference.name, descriptor)


def list_attached(client: RegistryClient, reference: Reference) -> tuple[ImageSubject, list[AttachedArtifact]]:
    """Referrers (API or tag schema) and cosign's `.sig` / `.att` / `.sbom` tags of the image."""
    subject = resolve_subject(client, reference)
    repo, digest = reference.repository, subject.descriptor.digest
    attached = [
        AttachedArtifact(
            digest=ref.descriptor.digest,
            media_type=ref.descriptor.media_type,
            artifact_type=ref.artifact_type,
            size=ref.descriptor.size,
            annotations=dict(ref.descriptor.annotations),
            created=ref.descriptor.annotations.get(CREATED_ANNOTATION),
        )
        for ref in client.referrers(repo, digest)
    ]
    for tag in cosign_tags(digest):
        found = _manifest_or_none(client, repo, tag)
        if found is not None:
            attached.append(_cosign_entry(*found, tag))
    return subject, attached


def fetch_signatures(client: RegistryClient, reference: Reference, subject: ImageSubject) -> list[SignatureArtifact]:
    """Every signature attached to the subject, with the bytes the verifier needs."""
    repo, digest = reference.repository, subject.descriptor.digest
    artifacts: list[SignatureArtifact] = []
    for ref in client.referrers(repo, digest):
        # A listed referrer must be readable: a 404 here is an error, never a signature quietly left out.
        fetched = client.get_manifest(repo, ref.descriptor.digest, accept=_MANIFEST_ACCEPT)
        document = parse_manifest_document(fetched.data, fetched.media_type or None)
        if isinstance(document, Manifest):
            artifacts += _signatures_in(client, repo, fetched.digest, document)
    sig_tag = _manifest_or_none(client, repo, cosign_tags(digest)[0])
    if sig_tag is not None:
        artifacts += _signatures_in(client, repo, sig_tag[0], sig_tag[2])
    return artifacts


def verify_image(
    reference: str | Reference,
    policy: VerificationPolicy,
    client: RegistryClient,
    *,
    now: datetime | None = None,
    fetch_crl: CrlFetcher | None = None,
) -> VerificationResult:
    """Whether the image meets `policy`; `client` must be connected to the reference's registry."""
    from regwarden.signing.verify import verify_signatures

    parsed = parse_reference(reference) if isinstance(reference, str) else reference
    subject = resolve_subject(client, parsed)
    artifacts = fetch_signatures(client, parsed, subject)
    return verify_signatures(subject, artifacts, policy, now=now, fetch_crl=fetch_crl or http_crl_fetcher())


def http_crl_fetcher(timeout: float = 5.0) -> CrlFetcher:
    """Download a CRL over HTTP(S); None when it cannot be had (the verifier then says "revocation unavailable")."""
    import httpx

    def fetch(url: str) -> bytes | None:
        try:
            response = httpx.get(url, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError:
            return None
        return response.content if response.status_code == 200 and len(response.content) < 64 << 20 else None

    return fetch


def cosign_tags(digest: str) -> tuple[str, ...]:
    algorithm, _, hex_digest = digest.partition(":")
    return tuple(f"{algorithm}-{hex_digest}{suffix}" for suffix in COSIGN_TAG_SUFFIXES)


def _manifest_or_none(client: RegistryClient, repo: str, reference: str) -> tuple[str, int, Manifest] | None:
    """A signature or attestation manifest by tag or digest; None when there is none (an index is not one)."""
    try:
        fetched = client.get_manifest(repo, reference, accept=_MANIFEST_ACCEPT)
    except ManifestNotFoundError:
        return None
    document = parse_manifest_document(fetched.data, fetched.media_type or None)
    return (fetched.digest, len(fetched.data), document) if isinstance(document, Manifest) else None


def _signatures_in(client: RegistryClient, repo: str, digest: str, manifest: Manifest) -> list[SignatureArtifact]:
    kind = _signature_kind(manifest)
    if kind is None:
        return []
    layers = manifest.layers if kind == COSIGN else manifest.layers[:1]
    return [
        SignatureArtifact(
            kind, digest, layer.media_type, client.get_blob(repo, layer, MAX_SIGNATURE_BYTES), dict(layer.annotations)
        )
        for layer in layers
        if kind != COSIGN or layer.media_type == cosign.SIMPLESIGNING_MEDIA_TYPE
    ]


def _signature_kind(manifest: Manifest) -> str | None:
    """Notation by artifactType or (before OCI 1.1) config media type; Sigstore bundles; cosign simple signing."""
    artifact_type = manifest.artifact_type or manifest.config.media_type
    if artifact_type == env.SIGNATURE_ARTIFACT_TYPE:
        return NOTATION
    if artifact_type.startswith("application/vnd.dev.sigstore.bundle"):
        return SIGSTORE_BUNDLE
    if any(layer.media_type == cosign.SIMPLESIGNING_MEDIA_TYPE for layer in manifest.layers):
        return COSIGN
    return None


def _cosign_entry(digest: str, size: int, manifest: Manifest, tag: str) -> AttachedArtifact:
    layer_types = sorted({layer.media_type for layer in manifest.layers})
    return AttachedArtifact(
        digest=digest,
        media_type=manifest.media_type,
        artifact_type=manifest.artifact_type or (layer_types[0] if len(layer_types) == 1 else None),
        size=size,
        annotations=dict(manifest.annotations),
        created=manifest.annotations.get(CREATED_ANNOTATION),
        source="cosign-tag",
        tag=tag,
    )


def connect_for(spec: str, options: ImageOptions) -> tuple[Reference, RegistryClient]:
    """The registry reference and a client for it; signatures live in registries, not in local archives."""
    from regwarden.model.errors import BadInputError
    from regwarden.oci.open import is_local_spec
    from regwarden.oci.registry_source import connect

    if is_local_spec(spec):
        raise BadInputError(f"{spec}: signatures are read from a registry; give registry/repository:tag or @digest")
    reference = parse_reference(spec)
    client = connect(
        reference.registry,
        username=options.username,
        password=options.password,
        insecure=options.insecure,
        timeout=options.timeout,
    )
    return reference, client
