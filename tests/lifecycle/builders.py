"""Readable repository fixtures for the planner tests: manifests named by a short label, ages in days before NOW.

    web = repo("shop/web", image("a", tags={"1.0": 30}, age=30), image("b", age=40))

builds the `RepositoryContents` an ACR listing would give: manifest `a` pushed 30 days ago with tag `1.0` last
updated 30 days ago, untagged `b` 40 days old. `digest("a")` names a manifest in assertions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from regwarden.model.catalog import ManifestListing
from regwarden.model.purge import ActionKind, PurgePlan, RepositoryContents, TagListing

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def digest(label: str) -> str:
    return "sha256:" + hashlib.sha256(label.encode()).hexdigest()


def label_of(found: str) -> str:
    """The label a digest was made from, when it is one of the common short labels (for readable failures)."""
    return _LABELS.get(found, found)


_LABELS: dict[str, str] = {}


def at(days: float | None) -> datetime | None:
    return None if days is None else NOW - timedelta(days=days)


def stamp(days: float | None) -> str | None:
    moment = at(days)
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Image:
    label: str
    tags: Mapping[str, float | None]
    """tag → days since the tag was last updated (None: unknown)."""
    age: float | None
    media_type: str = OCI_MANIFEST
    children: tuple[str, ...] = ()
    locked: bool = False
    locked_tags: frozenset[str] = frozenset()
    subject: str | None = None
    created: float | None = None
    """Days since the push, when it differs from the last update."""


def image(
    label: str,
    *,
    tags: Mapping[str, float | None] | None = None,
    age: float | None = 30,
    media_type: str = OCI_MANIFEST,
    children: Iterable[str] = (),
    locked: bool = False,
    locked_tags: Iterable[str] = (),
    subject: str | None = None,
    created: float | None = None,
) -> Image:
    _LABELS[digest(label)] = label
    kind = OCI_INDEX if children and media_type == OCI_MANIFEST else media_type
    return Image(label, dict(tags or {}), age, kind, tuple(children), locked, frozenset(locked_tags), subject, created)


def repo(name: str, *images: Image, complete: bool = True) -> RepositoryContents:
    manifests = tuple(_listing(name, item) for item in images)
    tags = tuple(
        TagListing(tag, digest(item.label), at(days), tag not in item.locked_tags, True)
        for item in images
        for tag, days in item.tags.items()
    )
    subjects = {digest(item.label): digest(item.subject) for item in images if item.subject}
    return RepositoryContents(name, manifests, tags, complete, subjects)


def _listing(repository: str, item: Image) -> ManifestListing:
    return ManifestListing(
        repository=repository,
        digest=digest(item.label),
        tags=tuple(sorted(item.tags)),
        media_type=item.media_type,
        created=stamp(item.created if item.created is not None else item.age),
        last_updated=stamp(item.age),
        references=tuple(digest(child) for child in item.children),
        delete_enabled=not item.locked,
        write_enabled=True,
    )


def deleted(plan: PurgePlan) -> set[str]:
    """Labels of the manifests the plan deletes."""
    return {label_of(action.digest) for action in plan.actions if action.kind is ActionKind.DELETE}


def untagged(plan: PurgePlan) -> set[str]:
    """`label:tag` of every tag the plan removes while keeping its manifest."""
    return {
        f"{label_of(action.digest)}:{tag}"
        for action in plan.actions
        if action.kind is ActionKind.UNTAG
        for tag in action.tags
    }


def kept_reasons(plan: PurgePlan, label: str) -> set[str]:
    """The kinds of reason the plan gives for keeping one manifest."""
    found = [kept for kept in plan.kept if kept.digest == digest(label)]
    assert len(found) == 1, f"{label} is not kept: {deleted(plan)}"
    return {reason.kind.value for reason in found[0].reasons}
