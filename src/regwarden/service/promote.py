"""`promote SRC DST`: move an image from a quarantine repository to a release repository, digest preserved, once
the gate passes.

Order: read SRC (tag or digest) with every manifest under it (an index and all its platform manifests); with
`require_pass`, run the gate (service/quarantine_gate.py) and stop when it fails, having written nothing to DST;
then copy bottom-up (oci/copy.py: blobs skipped when present, mounted within one registry, else streamed and
verified; child manifests by digest; the top manifest under DST's tag) and read DST back: the digest it serves
must be SRC's, or the promotion is an IntegrityError. DST's tag defaults to SRC's; SRC named by digest alone is
promoted by digest. Then, unless `referrers` is off, SRC's referrers (signatures, SBOMs, attestations) follow with
their digests (service/promote_referrers.py), so `verify` passes at DST as it did at SRC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regwarden.model.errors import BadInputError, IntegrityError
from regwarden.model.quarantine import CopiedReferrer, CopyCounts, PromoteReport
from regwarden.oci.client import RegistryClient
from regwarden.oci.copy import ImageTree, Repository, copy_tree, read_tree
from regwarden.oci.reference import Reference, parse_reference
from regwarden.oci.upload import DEFAULT_CHUNK_SIZE
from regwarden.service.images import ImageOptions
from regwarden.service.quarantine_gate import ClientFactory, GateOptions, registry_clients, run_gate


@dataclass(frozen=True)
class PromoteOptions:
    require_pass: bool = False
    gate: GateOptions = field(default_factory=GateOptions)
    image: ImageOptions = field(default_factory=ImageOptions)
    """Registry access: --insecure, credentials, timeout (for both registries)."""
    chunk_size: int = DEFAULT_CHUNK_SIZE
    referrers: bool = True
    """Copy the referrers of every promoted manifest too (`--no-referrers`: the image alone)."""


def promote(
    source_text: str, destination_text: str, options: PromoteOptions, *, clients: ClientFactory | None = None
) -> PromoteReport:
    source, destination = _references(source_text, destination_text)
    connect = clients or registry_clients(options.image)
    source_client = connect(source.registry)
    try:
        target_client = source_client if destination.registry == source.registry else connect(destination.registry)
        try:
            return _promote(source, destination, Repository(source_client, source.repository), target_client, options)
        finally:
            if target_client is not source_client:
                target_client.close()
    finally:
        source_client.close()


def _promote(
    source: Reference,
    destination: Reference,
    origin: Repository,
    target_client: RegistryClient,
    options: PromoteOptions,
) -> PromoteReport:
    tree = read_tree(origin, source.identifier)
    reference = _destination_identifier(source, destination, tree)
    report = PromoteReport(str(source), _name(destination, reference), tree.digest, tree.media_type, None, False)
    if options.require_pass:
        outcome = run_gate(origin.client, origin.name, tree, options.gate)
        report = PromoteReport(report.source, report.destination, tree.digest, tree.media_type, outcome.result, False)
        if not outcome.result.passed:
            return report
    target = Repository(target_client, destination.repository)
    stats = copy_tree(tree, origin, target, reference, chunk_size=options.chunk_size)
    served = target_client.head_manifest(destination.repository, reference).digest
    if served != tree.digest:
        raise IntegrityError(f"{report.destination} serves {served} after the copy, not {tree.digest}")
    referrers = _copy_referrers(tree, origin, target, options) if options.referrers else None
    counts = CopyCounts(
        stats.manifests,
        stats.blobs_present,
        stats.blobs_mounted,
        stats.blobs_uploaded,
        stats.bytes_uploaded,
        stats.blobs_foreign,
    )
    return PromoteReport(
        report.source, report.destination, tree.digest, tree.media_type, report.gate, True, counts, served, referrers
    )


def _copy_referrers(
    tree: ImageTree, origin: Repository, target: Repository, options: PromoteOptions
) -> tuple[CopiedReferrer, ...]:
    from regwarden.service.promote_referrers import copy_referrers

    # The top manifest first: its signatures are the ones `verify` reads for the promoted reference.
    subjects = [manifest.digest for manifest in reversed(tree.manifests())]
    return copy_referrers(origin, target, subjects, chunk_size=options.chunk_size)


def _references(source_text: str, destination_text: str) -> tuple[Reference, Reference]:
    from regwarden.oci.open import is_local_spec

    for text, role in ((source_text, "SRC"), (destination_text, "DST")):
        if is_local_spec(text) or text.startswith("dir:"):
            raise BadInputError(
                f"{role} {text!r} must be a registry image (registry/repository[:tag]); promote copies "
                "between registries"
            )
    source, destination = parse_reference(source_text), parse_reference(destination_text)
    if (source.registry, source.repository) == (destination.registry, destination.repository):
        raise BadInputError(f"SRC and DST are the same repository ({source.registry}/{source.repository})")
    if not _names_tag_or_digest(destination_text):
        # `registry/repo` alone means "the same tag" here, not `latest`.
        destination = Reference(destination.registry, destination.repository, source.tag, None)
    return source, destination


def _names_tag_or_digest(text: str) -> bool:
    last = text.rsplit("/", 1)[-1]
    return ":" in last or "@" in last


def _destination_identifier(source: Reference, destination: Reference, tree: ImageTree) -> str:
    """DST's tag (SRC's when DST names none), else the digest; a DST digest must be the one being promoted."""
    if destination.digest is not None and destination.digest != tree.digest:
        raise BadInputError(f"DST names {destination.digest}, but SRC is {tree.digest}: promotion keeps the digest")
    return destination.tag or tree.digest


def _name(destination: Reference, identifier: str) -> str:
    separator = "@" if ":" in identifier else ":"
    return f"{destination.registry}/{destination.repository}{separator}{identifier}"
