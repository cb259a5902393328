"""Filtering, sorting and paging the risk snapshot's images and vulnerabilities (pure; used by API and pages).

Sorting is by one key, then by name for a stable order; an unknown sort key is a 422 at the route (the routes
declare the allowed values), never silently another order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from regwarden.model.dashboard import ImageRisk, VulnerabilityRisk
from regwarden.model.finding import Severity

T = TypeVar("T")
ImageSort = Literal["risk", "name", "catalogued", "created", "findings", "running"]
VulnSort = Literal["severity", "id", "images", "running", "production", "first_seen"]


@dataclass(frozen=True)
class ImageQuery:
    text: str = ""
    registry: str | None = None
    repository: str | None = None
    severity: str | None = None
    """Only images with at least one open finding of this severity or worse."""
    running: bool | None = None
    sort: ImageSort = "risk"
    descending: bool = True


@dataclass(frozen=True)
class VulnQuery:
    text: str = ""
    severity: str | None = None
    """This severity or worse."""
    fixable: bool | None = None
    running: bool | None = None
    package: str | None = None
    sort: VulnSort = "severity"
    descending: bool = True


def filter_images(images: Sequence[ImageRisk], query: ImageQuery) -> list[ImageRisk]:
    """The snapshot is already in the default order (risk, then name): an unfiltered default list is a slice."""
    text = query.text.strip().lower()
    floor = Severity.parse(query.severity).rank if query.severity else None
    if not text and all(value is None for value in (query.registry, query.repository, floor, query.running)):
        found = list(images)
    else:
        found = [
            image
            for image in images
            if (not text or text in image.name.lower() or image.digest.startswith(text))
            and (query.registry is None or image.registry == query.registry)
            and (query.repository is None or image.repository == query.repository)
            and (floor is None or image.worst >= floor)
            and (query.running is None or (image.running > 0) == query.running)
        ]
    if query.sort == "risk" and query.descending:
        return found
    keys: dict[str, Callable[[ImageRisk], Any]] = {
        "risk": lambda i: (i.risk, i.production),
        "name": lambda i: i.name,
        "catalogued": lambda i: i.catalogued_at,
        "created": lambda i: i.created or "",
        "findings": lambda i: i.total,
        "running": lambda i: i.running,
    }
    if query.sort != "name":
        found.sort(key=lambda i: i.name)
    found.sort(key=keys[query.sort], reverse=query.descending)
    return found


def filter_vulnerabilities(items: Sequence[VulnerabilityRisk], query: VulnQuery) -> list[VulnerabilityRisk]:
    """The snapshot is already in the default order (severity, CVSS, production, running; then id)."""
    text = query.text.strip().lower()
    floor = Severity.parse(query.severity).rank if query.severity else None
    package = query.package.lower() if query.package else None
    if not text and all(value is None for value in (floor, query.fixable, query.running, package)):
        found = list(items)
    else:
        found = [
            item
            for item in items
            if (not text or text in item.id.lower() or text in (item.summary or "").lower())
            and (floor is None or item.rank >= floor)
            and (query.fixable is None or item.fixable == query.fixable)
            and (query.running is None or (item.running > 0) == query.running)
            and (package is None or package in {name.lower() for name in item.packages})
        ]
    if query.sort == "severity" and query.descending:
        return found
    keys: dict[str, Callable[[VulnerabilityRisk], Any]] = {
        "severity": lambda v: (v.rank, v.cvss_score or 0.0, v.production, v.running),
        "id": lambda v: v.id,
        "images": lambda v: v.images,
        "running": lambda v: v.running,
        "production": lambda v: v.production,
        "first_seen": lambda v: v.first_seen.isoformat() if v.first_seen else "",
    }
    if query.sort != "id":
        found.sort(key=lambda v: v.id)
    found.sort(key=keys[query.sort], reverse=query.descending)
    return found


def page(items: Sequence[T], limit: int, offset: int) -> list[T]:
    return list(items[offset : offset + limit])
