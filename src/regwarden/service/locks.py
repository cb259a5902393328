"""`lock` / `unlock IMAGE` and the config's lock policy, through ACR's changeable attributes.

`lock REGISTRY/REPO:TAG` sets the tag's attributes and those of the manifest it points at (ACR checks the manifest's
own on a delete by digest, so a locked tag alone would not keep the image); `lock REGISTRY/REPO@DIGEST` sets the
manifest's. `--write` sets writeEnabled, `--delete` deleteEnabled; neither means both. During `sync registry`, the
config's `locks:` rules lock every matching tag not locked yet (`enforce_lock_rules`), and the sync report says what.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from regwarden.lifecycle.graph import parse_time
from regwarden.lifecycle.locks import LockRule, lock_changes
from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import BadInputError
from regwarden.model.locks import LockedTarget, LockReport
from regwarden.model.purge import TagListing
from regwarden.oci.acr_attributes import Attributes, set_manifest_attributes, set_tag_attributes
from regwarden.service.images import ImageOptions

if TYPE_CHECKING:
    from regwarden.oci.client import RegistryClient
    from regwarden.oci.listing import RegistryListing


def change_locks(
    image: str,
    *,
    lock: bool,
    write: bool,
    delete: bool,
    options: ImageOptions,
    acr: bool | None = None,
    client: RegistryClient | None = None,
) -> LockReport:
    """Lock (or unlock) one image by tag or digest; returns what ACR reported for each target."""
    from regwarden.oci.acr import acr_suffix
    from regwarden.oci.reference import parse_reference

    reference = parse_reference(image)
    is_acr = acr_suffix(reference.registry) is not None if acr is None else acr
    if not is_acr:
        raise BadInputError(
            f"{reference.registry} is not an ACR: locks are ACR's changeable attributes (--acr for an ACR "
            "reached under another name)"
        )
    names = [name for name, on in (("writeEnabled", write), ("deleteEnabled", delete)) if on] or [
        "writeEnabled",
        "deleteEnabled",
    ]
    changes = dict.fromkeys(names, not lock)
    with _client(reference.registry, options, client) as connected:
        targets = []
        digest, tag = reference.digest, reference.tag or (None if reference.digest else reference.identifier)
        if tag is not None:
            reported = set_tag_attributes(connected, reference.repository, tag, changes)
            targets.append(_target("tag", reference.repository, tag, reported))
            digest = digest or connected.head_manifest(reference.repository, tag).digest
        assert digest is not None
        reported = set_manifest_attributes(connected, reference.repository, digest, changes)
        targets.append(_target("manifest", reference.repository, digest, reported))
    return LockReport(reference.registry, "lock" if lock else "unlock", tuple(names), tuple(targets))


def enforce_lock_rules(
    listing: RegistryListing,
    registry: str,
    repository: str,
    manifests: Sequence[ManifestListing],
    rules: Sequence[LockRule],
) -> list[str]:
    """Lock what the rules name in one repository of a sync; notes saying what was locked (or why not)."""
    from regwarden.oci.acr_listing import acr_tags
    from regwarden.oci.listing import AcrListing

    if not any(rule.applies_to(registry, repository) for rule in rules):
        return []
    if not isinstance(listing, AcrListing):
        return [f"locks: {registry} is not read through ACR's API, so the lock rules were not applied"]
    client = listing.client
    tags = [
        TagListing(t.name, t.digest, parse_time(t.last_updated), t.delete_enabled, t.write_enabled)
        for t in acr_tags(client, repository)
    ]
    changes = lock_changes(rules, registry, repository, manifests, tags)
    for change in changes:
        setter = set_tag_attributes if change.kind == "tag" else set_manifest_attributes
        setter(client, repository, change.name, change.attributes)
    locked = [c for c in changes if c.kind == "tag"]
    if not changes:
        return []
    rules_used = sorted({number for change in changes for number in change.rules})
    return [
        f"locks: {repository}: {len(locked)} tag(s) ({', '.join(c.name for c in locked)}) and "
        f"{len(changes) - len(locked)} manifest(s) locked by rule(s) {', '.join(map(str, rules_used))}"
    ]


def _target(kind: str, repository: str, name: str, reported: Attributes) -> LockedTarget:
    return LockedTarget(kind, repository, name, reported.delete_enabled, reported.write_enabled)


@contextmanager
def _client(registry: str, options: ImageOptions, client: RegistryClient | None) -> Iterator[RegistryClient]:
    if client is not None:
        yield client
        return
    from regwarden.oci.registry_source import connect

    opened = connect(
        registry,
        username=options.username,
        password=options.password,
        insecure=options.insecure,
        timeout=options.timeout,
    )
    try:
        yield opened
    finally:
        opened.close()
