"""The small judgements `drift` makes (pure): which digests are one image, whether two hosts are one registry,
and which advisory data an image's findings rest on."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


class DigestLinks:
    """Index digests and the platform manifests catalogued from them: a kubelet reports the index's digest for a
    multi-arch tag, a registry lists either, and the catalog holds the platform manifest."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.children: dict[str, set[str]] = {}
        self.parents: dict[str, set[str]] = {}
        for index, child in pairs:
            self.children.setdefault(index, set()).add(child)
            self.parents.setdefault(child, set()).add(index)

    def related(self, digest: str) -> set[str]:
        """`digest`, its platform manifests and the indexes it belongs to: any of them names the same image."""
        return {digest} | self.children.get(digest, set()) | self.parents.get(digest, set())


def same_host(first: str, second: str) -> bool:
    """Registry hosts compared as docker compares them: Docker Hub answers to several names."""
    if first == second:
        return True
    return first in DOCKER_HUB_HOSTS and second in DOCKER_HUB_HOSTS


def effective_db_date(
    scanned_against: datetime | None, catalogued_at: datetime, matched_through: datetime | None
) -> datetime | None:
    """The advisory data an image's findings rest on: the database as of its last scan, or the inventory-wide
    re-match (`matched_through`) when the image was already catalogued then; the newer of the two. None when
    neither exists (the image was catalogued while the database was empty)."""
    candidates = [moment for moment in (scanned_against,) if moment is not None]
    if matched_through is not None and catalogued_at <= matched_through:
        candidates.append(matched_through)
    return max(candidates, default=None)
