"""Read-only inventory queries: where an image lives, who runs it, which images hold a package or a finding.

Every query is an index walk from a small set of keys (vulnerability ids, package ids, digests) outwards, never a
pass over every stored SBOM: finding → package → components → images → workloads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from regwarden.model.inventory import ComponentHit, ImageName, InventoryImage, RunningWorkload
from regwarden.store.chunks import among, chunks
from regwarden.store.inventory_schema import (
    components,
    image_children,
    image_locations,
    images,
    package_findings,
    packages,
    registries,
    repositories,
    tag_history,
    workloads,
)
from regwarden.store.moments import aware


@dataclass(frozen=True)
class FindingHit:
    """An open finding of a package held by an image."""

    vuln_id: str
    package_id: int
    component: ComponentHit


class ImpactQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def finding_hits(self, vuln_ids: Iterable[str]) -> list[FindingHit]:
        """Every (image, package) with an open finding among `vuln_ids`; one hit per image and package."""
        with self._engine.connect() as conn:
            return _finding_hits(conn, sorted(set(vuln_ids)))

    def package_hits(self, package_ids: Iterable[int]) -> list[ComponentHit]:
        """Every image holding one of these packages, one hit per image and package."""
        hits: dict[tuple[str, int], ComponentHit] = {}
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(package_ids))):
                query = _component_query().where(components.c.package_id.in_(chunk))
                for row in conn.execute(query):
                    hits.setdefault((row.image_digest, row.package_id), _hit(row._mapping))
            names = _image_names(conn, {digest for digest, _ in hits})
        return [_named(hit, names) for _, hit in sorted(hits.items())]

    def digests_holding(self, package_ids: Iterable[int]) -> set[str]:
        """The digests of the images holding any of these packages (nothing named, nothing else loaded)."""
        found: set[str] = set()
        with self._engine.connect() as conn:
            for chunk in chunks(sorted(set(package_ids))):
                query = sa.select(components.c.image_digest).where(components.c.package_id.in_(chunk)).distinct()
                found.update(str(digest) for digest in conn.execute(query).scalars())
        return found

    def packages_named(self, search_name: str) -> list[tuple[int, str, str, str, str]]:
        """(id, type, name, version, purl) of every stored package whose lower-case name is `search_name`."""
        query = sa.select(packages.c.id, packages.c.type, packages.c.name, packages.c.version, packages.c.purl).where(
            packages.c.search_name == search_name
        )
        with self._engine.connect() as conn:
            return [(int(r.id), r.type, r.name, r.version, r.purl) for r in conn.execute(query)]

    def running(self, digests: Iterable[str]) -> dict[str, list[RunningWorkload]]:
        """image digest → workloads running it now (directly, or through the index it was selected from)."""
        with self._engine.connect() as conn:
            return _running(conn, set(digests))

    def image_names(self, digests: Iterable[str]) -> dict[str, ImageName]:
        """digest → how to name it: its first place (by registry and repository) with its current tags."""
        with self._engine.connect() as conn:
            return _image_names(conn, set(digests))

    def catalogued_images(self, repository_pattern: re.Pattern[str] | None = None) -> list[InventoryImage]:
        """Every image row (catalogued and failed), newest catalogue first; only those with a place whose
        `registry/repository` or repository matches `repository_pattern` when given."""
        with self._engine.connect() as conn:
            query = sa.select(images.c.digest).order_by(images.c.catalogued_at.desc(), images.c.digest)
            digests = [str(digest) for digest in conn.execute(query).scalars()]
            places = _places(conn, set(digests))
            if repository_pattern is not None:
                digests = [d for d in digests if any(_place_matches(p, repository_pattern) for p in places.get(d, []))]
            rows = {str(row["digest"]): row for row in inventory_images(conn, digests)}
            running = _running(conn, set(digests))
        return [_inventory_image(rows[d], places.get(d, []), running.get(d, [])) for d in digests if d in rows]

    def open_finding_count(self, digest: str) -> int:
        """Open findings (package × vulnerability) of one image."""
        query = (
            sa.select(sa.func.count())
            .select_from(components)
            .join(package_findings, package_findings.c.package_id == components.c.package_id)
            .where(components.c.image_digest == digest, package_findings.c.resolved_at.is_(None))
        )
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def places(self, digests: Iterable[str]) -> dict[str, list[ImageName]]:
        """digest → every repository that holds it now, with its current tags there."""
        with self._engine.connect() as conn:
            return _places(conn, set(digests))


def _component_query() -> sa.Select[tuple[object, ...]]:
    return sa.select(
        components.c.image_digest,
        components.c.package_id,
        components.c.layer_index,
        packages.c.name,
        packages.c.version,
        packages.c.type,
        packages.c.purl,
    ).join(packages, packages.c.id == components.c.package_id)


def _finding_hits(conn: Connection, vuln_ids: list[str]) -> list[FindingHit]:
    found: dict[tuple[str, str, int], FindingHit] = {}
    for chunk in chunks(vuln_ids):
        query = (
            _component_query()
            .add_columns(package_findings.c.vuln_id, package_findings.c.fixed, package_findings.c.severity)
            .join(package_findings, package_findings.c.package_id == components.c.package_id)
            .where(package_findings.c.vuln_id.in_(chunk), package_findings.c.resolved_at.is_(None))
        )
        for row in conn.execute(query):
            hit = _hit(row._mapping, tuple(json.loads(row.fixed)), row.severity)
            found.setdefault(
                (row.vuln_id, row.image_digest, row.package_id), FindingHit(row.vuln_id, row.package_id, hit)
            )
    names = _image_names(conn, {digest for _, digest, _ in found})
    return [FindingHit(hit.vuln_id, hit.package_id, _named(hit.component, names)) for _, hit in sorted(found.items())]


def _hit(mapping: sa.RowMapping, fixed: tuple[str, ...] = (), severity: str | None = None) -> ComponentHit:
    layer = mapping["layer_index"]
    return ComponentHit(
        digest=str(mapping["image_digest"]),
        image=str(mapping["image_digest"]),
        package=str(mapping["name"]),
        version=str(mapping["version"]),
        type=str(mapping["type"]),
        purl=str(mapping["purl"]),
        layer_index=int(str(layer)) if layer is not None else None,
        fixed=fixed,
        severity=severity,
    )


def _named(hit: ComponentHit, names: dict[str, ImageName]) -> ComponentHit:
    name = names.get(hit.digest)
    if name is None:
        return hit
    return ComponentHit(
        hit.digest,
        name.reference(hit.digest),
        hit.package,
        hit.version,
        hit.type,
        hit.purl,
        hit.layer_index,
        hit.fixed,
        hit.severity,
    )


def _image_names(conn: Connection, digests: set[str]) -> dict[str, ImageName]:
    """digest → the first place it lives (by registry and repository name) with its current tags."""
    return {digest: found[0] for digest, found in _places(conn, digests).items()}


def _places(conn: Connection, digests: set[str]) -> dict[str, list[ImageName]]:
    """digest → every place it lives now, sorted, each with its current tags. A platform manifest selected from
    an index lives where its index lives, under the index's tags."""
    found = _direct_places(conn, digests)
    missing = digests - found.keys()
    indexes: dict[str, str] = {}
    for chunk in chunks(sorted(missing)):
        query = sa.select(image_children.c.index_digest, image_children.c.child_digest).where(
            among(conn, image_children.c.child_digest, chunk)
        )
        indexes.update({row.child_digest: row.index_digest for row in conn.execute(query)})
    of_indexes = _direct_places(conn, set(indexes.values()))
    found.update({child: of_indexes[index] for child, index in indexes.items() if index in of_indexes})
    return found


def _direct_places(conn: Connection, digests: set[str]) -> dict[str, list[ImageName]]:
    places: dict[str, list[tuple[str, str, int]]] = {}
    for chunk in chunks(sorted(digests)):
        query = (
            sa.select(image_locations.c.digest, registries.c.host, repositories.c.name, repositories.c.id)
            .join(repositories, repositories.c.id == image_locations.c.repository_id)
            .join(registries, registries.c.id == repositories.c.registry_id)
            .where(among(conn, image_locations.c.digest, chunk), image_locations.c.gone_at.is_(None))
        )
        for row in conn.execute(query):
            places.setdefault(row.digest, []).append((row.host, row.name, int(row.id)))
    tags: dict[tuple[int, str], list[str]] = {}
    for chunk in chunks(sorted(places)):
        query = sa.select(tag_history.c.repository_id, tag_history.c.digest, tag_history.c.tag).where(
            among(conn, tag_history.c.digest, chunk), tag_history.c.moved_at.is_(None)
        )
        for tag_row in conn.execute(query):
            tags.setdefault((int(tag_row.repository_id), tag_row.digest), []).append(tag_row.tag)
    return {
        digest: [
            ImageName(host, name, tuple(sorted(tags.get((repo, digest), [])))) for host, name, repo in sorted(found)
        ]
        for digest, found in places.items()
    }


def _running(conn: Connection, digests: set[str]) -> dict[str, list[RunningWorkload]]:
    # A kubelet reports the digest it pulled: the index's for a multi-arch tag. Map indexes to their children.
    via_index: dict[str, set[str]] = {}
    for chunk in chunks(sorted(digests)):
        query = sa.select(image_children.c.index_digest, image_children.c.child_digest).where(
            among(conn, image_children.c.child_digest, chunk)
        )
        for child in conn.execute(query):
            via_index.setdefault(child.index_digest, set()).add(child.child_digest)
    running: dict[str, list[RunningWorkload]] = {}
    for chunk in chunks(sorted(digests | via_index.keys())):
        query = sa.select(workloads).where(among(conn, workloads.c.digest, chunk), workloads.c.gone_at.is_(None))
        for row in conn.execute(query):
            workload = running_workload(row._mapping)
            for image_digest in ({row.digest} & digests) | via_index.get(row.digest, set()):
                running.setdefault(image_digest, []).append(workload)
    return running


def running_workload(mapping: sa.RowMapping) -> RunningWorkload:
    return RunningWorkload(
        cluster=str(mapping["cluster"]),
        namespace=str(mapping["namespace"]),
        kind=str(mapping["kind"]),
        name=str(mapping["name"]),
        container=str(mapping["container"]),
        image=str(mapping["image"]),
        digest=str(mapping["digest"]),
        environment=str(mapping["environment"]),
        environment_rule=str(mapping["environment_rule"]),
        pods=int(str(mapping["pods"])),
    )


def inventory_images(conn: Connection, digests: list[str]) -> list[dict[str, object]]:
    """The image rows of `digests` with open findings counted by severity (a column per row: `findings`)."""
    rows: list[dict[str, object]] = []
    for chunk in chunks(digests):
        counts: dict[str, dict[str, int]] = {}
        query = (
            sa.select(components.c.image_digest, package_findings.c.severity, sa.func.count())
            .join(package_findings, package_findings.c.package_id == components.c.package_id)
            .where(among(conn, components.c.image_digest, chunk), package_findings.c.resolved_at.is_(None))
            .group_by(components.c.image_digest, package_findings.c.severity)
        )
        for digest, severity, count in conn.execute(query):
            counts.setdefault(digest, {})[severity] = int(count)
        for row in conn.execute(sa.select(images).where(among(conn, images.c.digest, chunk)).order_by(images.c.digest)):
            rows.append({**row._mapping, "findings": counts.get(row.digest, {})})
    return rows


def _place_matches(place: ImageName, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(f"{place.registry}/{place.repository}") or pattern.search(place.repository))


def _inventory_image(row: dict[str, object], places: list[ImageName], running: list[RunningWorkload]) -> InventoryImage:
    catalogued_at = row["catalogued_at"]
    assert isinstance(catalogued_at, datetime)
    findings = row["findings"]
    assert isinstance(findings, dict)
    return InventoryImage(
        digest=str(row["digest"]),
        status=str(row["status"]),
        places=tuple(places),
        created=_text(row["created"]),
        platform=_text(row["platform"]),
        packages=int(str(row["package_count"])),
        findings=findings,
        running=tuple(running),
        catalogued_at=aware(catalogued_at) or catalogued_at,
        error=_text(row["error"]),
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)
