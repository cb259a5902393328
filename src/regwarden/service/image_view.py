"""One image's page: what the catalog holds of it, its packages and open findings (with the triage that covers
each), where it lives and who runs it, what changed since the previous build of its tag, and its recorded
signatures.

Reads only: the stored SBOM, the findings, the places and workloads, the recorded verifications. An index digest
shows the platform image catalogued from it; a digest the inventory does not know is a NotFoundError.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.triage import applicable_triage
from regwarden.model.dashboard import ImageDetail
from regwarden.model.errors import NotFoundError
from regwarden.model.history import BuildStep, FindingDelta
from regwarden.model.inventory import ImageName

if TYPE_CHECKING:
    from regwarden.store import Store


def image_detail(store: Store, digest: str, now: datetime | None = None) -> ImageDetail:
    moment = now or datetime.now(UTC)
    row = store.dashboard.image(digest)
    if row is None:
        children = store.history.children([digest]).get(digest, [])
        row = next((found for child in children if (found := store.dashboard.image(child))), None)
        if row is None:
            raise NotFoundError(f"image {digest} is not in the inventory")
        digest = str(row["digest"])
    places = tuple(store.impact.places([digest]).get(digest, []))
    sbom = store.sboms.sbom(digest)
    previous, tag = _previous(store, places, digest, moment)
    return ImageDetail(
        digest=digest,
        status=str(row["status"]),
        source=str(row["source"]),
        catalogued_at=_moment(row["catalogued_at"]),
        error=_text(row["error"]),
        media_type=_text(row["media_type"]),
        platform=_text(row["platform"]),
        created=_text(row["created"]),
        os=_text(row["os_pretty_name"]) or _text(row["os_id"]),
        config=json.loads(str(row["config"])) if row["config"] else {},
        layers=tuple(json.loads(str(row["layers"]))) if row["layers"] else (),
        unknowns=int(str(row["unknown_count"])),
        places=places,
        running=tuple(store.impact.running([digest]).get(digest, [])),
        packages=sbom.packages if sbom else (),
        findings=_findings(store, digest, places, moment),
        previous=previous,
        previous_tag=tag,
        signatures=store.signatures.for_image(digest),
    )


def image_findings(store: Store, digest: str, now: datetime | None = None) -> tuple[FindingDelta, ...]:
    """The open findings of one image, most severe first, each with the triage decision covering it."""
    places = tuple(store.impact.places([digest]).get(digest, []))
    return _findings(store, digest, places, now or datetime.now(UTC))


def _findings(store: Store, digest: str, places: tuple[ImageName, ...], moment: datetime) -> tuple[FindingDelta, ...]:
    found = store.history.open_findings(digest)
    ids = {identifier for finding in found for identifier in finding.ids}
    decisions = store.triage.decisions(ids) if ids else []
    deltas = []
    for finding in found:
        decision = applicable_triage(decisions, finding.ids, digest, places, finding.package, moment.date())
        aliases = tuple(i for i in finding.ids if i != finding.vuln_id)
        deltas.append(
            FindingDelta(finding.vuln_id, aliases, finding.package_type, finding.package, finding.version,
                         finding.severity, finding.fixed, decision)
        )  # fmt: skip
    return tuple(sorted(deltas, key=_finding_order))


def _finding_order(delta: FindingDelta) -> tuple[int, str, str]:
    from regwarden.model.finding import Severity

    return (-Severity(delta.severity).rank, delta.vuln_id, delta.package)


def _previous(
    store: Store, places: tuple[ImageName, ...], digest: str, moment: datetime
) -> tuple[BuildStep | None, str | None]:
    """The step from the previous build under one of the image's current tags: `latest` first, then the others;
    the first tag under which an earlier build was catalogued wins."""
    from regwarden.service.history import build_step, find_repository

    first: tuple[BuildStep | None, str | None] = (None, None)
    for place in places:
        repository = find_repository(store, place.repository, place.registry)
        for tag in sorted(place.tags, key=lambda name: (name != "latest", name)):
            try:
                step = build_step(store, repository, tag, digest, moment)
            except NotFoundError:
                continue
            if step.compared_with is not None:
                return step, tag
            first = first if first[1] else (step, tag)
    return first


def _moment(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value


def _text(value: object) -> str | None:
    return None if value is None else str(value)
