"""The quarantine gate: the scan gate of `scan --fail-on` over every image of a pushed manifest, plus optional
signature (service/gate_signature.py) and posture conditions (an audit of exports, or the recorded audit:
service/gate_posture.py). `promote --require-pass` and the ACR quarantine worker both decide with it.

Order: every image manifest of the tree is read once (an index: each platform's manifest; attestation and
artifact manifests are listed as skipped, since nothing runs them), its SBOM is matched against the advisory
store with the user's ignore file and VEX, and the findings at or above `--fail-on` are counted. An image that
cannot be read fails the gate with its reason, because an image nobody could look at must never pass. A registry
that cannot be reached, or an empty advisory database, raise (exit 4 / 8): those say nothing about the image and
are the caller's to retry or report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from regwarden.model.errors import NoDataError, RegwardenError, UnreachableError
from regwarden.model.finding import Severity
from regwarden.model.image import ImageMetadata
from regwarden.model.quarantine import Condition, GateResult, ImageGate
from regwarden.model.sbom import Sbom
from regwarden.oci.client import RegistryClient
from regwarden.oci.copy import ImageTree
from regwarden.oci.mediatypes import CONFIG_MEDIA_TYPES
from regwarden.service.gate_signature import SignatureRequirement, signature_condition
from regwarden.service.images import DEFAULT_PLATFORM, ImageOptions
from regwarden.service.scan import ScanOptions, scan_sbom

ClientFactory = Callable[[str], RegistryClient]
"""Registry host → a client for it (tests pass their own TLS settings or credentials)."""


@dataclass(frozen=True)
class GateOptions:
    scan: ScanOptions = field(default_factory=ScanOptions)
    """`fail_on`, the advisory database, ignore file and VEX documents: as `scan` takes them."""
    posture_files: tuple[Path, ...] = ()
    """Registry exports (`az acr show`, ARM): the registry must pass its audit too. Empty: no posture condition."""
    posture_fail_on: Severity = Severity.HIGH
    posture_config: Path | None = None
    """The audit's config file (profile, CI identities, suppressions), as `audit acr --config`."""
    posture_recorded: str | None = None
    """A registry name: its newest recorded audit (`audit acr --record`) must pass at `posture_fail_on` too."""
    signature: SignatureRequirement | None = None
    """The pushed digest must verify under this policy, as `verify --policy`. None: no signature condition."""


@dataclass(frozen=True)
class ScannedImage:
    gate: ImageGate
    metadata: ImageMetadata | None = None
    sbom: Sbom | None = None


@dataclass(frozen=True)
class GateOutcome:
    result: GateResult
    scanned: tuple[ScannedImage, ...]


def run_gate(client: RegistryClient, repository: str, tree: ImageTree, options: GateOptions) -> GateOutcome:
    """Scan each image of `tree` (read from `repository` through `client`) and evaluate the conditions."""
    fail_on = options.scan.fail_on
    scanned: list[ScannedImage] = []
    skipped: list[tuple[str, str]] = []
    for image in tree.images():
        why_not = _not_an_image(image)
        if why_not is not None:
            skipped.append((image.digest, why_not))
            continue
        scanned.append(_scan_image(client, repository, image, options.scan))
    conditions = _conditions(client, repository, tree.digest, options)
    result = GateResult(
        fail_on=fail_on.value if fail_on else None,
        images=tuple(item.gate for item in scanned),
        conditions=conditions,
        skipped=tuple(skipped),
    )
    return GateOutcome(result, tuple(scanned))


def _conditions(client: RegistryClient, repository: str, digest: str, options: GateOptions) -> tuple[Condition, ...]:
    """The further conditions the options ask for, in a fixed order: signatures, then the registry's posture."""
    conditions: tuple[Condition, ...] = ()
    if options.signature is not None:
        conditions += (signature_condition(client, repository, digest, options.signature),)
    if options.posture_files:
        conditions += (_posture_condition(options),)
    if options.posture_recorded:
        from regwarden.service.gate_posture import recorded_posture_condition

        db_url, name = options.scan.db_url, options.posture_recorded
        conditions += (recorded_posture_condition(db_url, name, options.posture_fail_on),)
    return conditions


def _not_an_image(image: ImageTree) -> str | None:
    if image.attestation:
        return "an attestation manifest (unknown/unknown): nothing runs it"
    if image.config_media_type not in CONFIG_MEDIA_TYPES:
        return f"an artifact ({image.config_media_type}), not a runnable image"
    return None


def _scan_image(client: RegistryClient, repository: str, image: ImageTree, options: ScanOptions) -> ScannedImage:
    platform = str(image.platform) if image.platform else None
    try:
        metadata, sbom = read_registry_image(client, repository, image.digest)
    except (UnreachableError, NoDataError):
        raise
    except RegwardenError as error:
        return ScannedImage(ImageGate(image.digest, platform, error=str(error)))
    report = scan_sbom(sbom, options)
    counts: dict[str, int] = {}
    for finding in report.counted:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    threshold = options.fail_on
    failing = 0 if threshold is None else sum(1 for f in report.counted if f.severity.rank >= threshold.rank)
    platform = platform or (str(metadata.platform) if metadata.platform else None)
    gate = ImageGate(image.digest, platform, counts, failing, report.warnings)
    return ScannedImage(gate, metadata, sbom)


def read_registry_image(client: RegistryClient, repository: str, digest: str) -> tuple[ImageMetadata, Sbom]:
    """An image manifest's metadata and SBOM, read through `client` (one resolve, one layer walk)."""
    from regwarden.oci.registry_source import RegistrySource
    from regwarden.sbom.build import catalog_filesystem, file_requests
    from regwarden.sbom.filesystem import build_filesystem

    reference = f"{client.registry}/{repository}@{digest}"
    source = RegistrySource(client, reference, DEFAULT_PLATFORM)
    try:
        metadata = source.resolve()
        filesystem = build_filesystem(source, file_requests())
    finally:
        source.close()
    return metadata, catalog_filesystem(filesystem, source=reference, metadata=metadata)


def _posture_condition(options: GateOptions) -> Condition:
    from regwarden.model.finding import Status
    from regwarden.service.posture import AuditRequest, audit_acr

    results = audit_acr(AuditRequest(paths=options.posture_files, config_file=options.posture_config))
    threshold = options.posture_fail_on
    failing = sorted(
        {
            r.rule.id
            for r in results
            if r.status is Status.FAIL and not r.suppressed and r.rule.severity.rank >= threshold.rank
        }
    )
    name = f"registry posture (--fail-on {threshold.value})"
    if failing:
        return Condition(name, False, f"{len(failing)} rule(s) fail: {', '.join(failing)}")
    return Condition(name, True, f"{len(results)} rule result(s), none failing at or above {threshold.value}")


def check_gate_options(options: GateOptions) -> None:
    """Fail before serving when the posture condition cannot be evaluated (a missing or unreadable export)."""
    if options.posture_files:
        _posture_condition(options)


def registry_clients(image: ImageOptions) -> ClientFactory:
    """Clients as every registry command makes them: flags, environment, docker config, or Azure AD for an ACR."""
    from regwarden.oci.registry_source import connect

    def client_for(registry: str) -> RegistryClient:
        return connect(
            registry,
            username=image.username,
            password=image.password,
            insecure=image.insecure,
            timeout=image.timeout,
        )

    return client_for
