"""Packages stored once for every image that holds them: insert the unknown ones, rebuild the model objects.

Identity (store/package_identity.py) is what matching reads, so two images holding the same identity share one
row, one set of lookup keys (`package_keys`, the advisory index's spelling) and one set of findings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.store.chunks import chunks
from regwarden.store.inventory_schema import package_keys, packages
from regwarden.store.package_identity import matching_metadata, package_identity, search_name, stored_os
from regwarden.store.upsert import dialect_insert
from regwarden.vuln.ecosystems import queries


@dataclass(frozen=True)
class StoredPackage:
    id: int
    package: Package
    operating_system: OperatingSystem | None


def store_packages(conn: Connection, sbom: Sbom) -> tuple[dict[str, int], set[int]]:
    """identity → package id for every package of `sbom`, inserting the unknown ones; and the inserted ids."""
    system = sbom.operating_system
    by_identity = {package_identity(p, system): p for p in sbom.packages}
    existing = ids_of(conn, list(by_identity))
    missing = [identity for identity in by_identity if identity not in existing]
    if missing:
        rows = [_package_row(identity, by_identity[identity], system) for identity in missing]
        conn.execute(dialect_insert(conn, packages).on_conflict_do_nothing(index_elements=["identity"]), rows)
    inserted = ids_of(conn, missing)
    key_rows = [
        {"ecosystem": query.ecosystem, "name": query.name, "package_id": inserted[identity]}
        for identity in missing
        for query in queries(by_identity[identity], system)
    ]
    if key_rows:
        conn.execute(dialect_insert(conn, package_keys).on_conflict_do_nothing(), key_rows)
    return existing | inserted, set(inserted.values())


def ids_of(conn: Connection, identities: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(identities):
        query = sa.select(packages.c.identity, packages.c.id).where(packages.c.identity.in_(chunk))
        found.update({row.identity: int(row.id) for row in conn.execute(query)})
    return found


def _package_row(identity: str, package: Package, system: OperatingSystem | None) -> dict[str, object]:
    kept = stored_os(package, system)
    return {
        "identity": identity,
        "type": package.type.value,
        "name": package.name,
        "search_name": search_name(package.name),
        "version": package.version,
        "purl": package.purl,
        "cataloger": package.cataloger,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "arch": package.arch,
        "epoch": package.epoch,
        "owned_by": package.owned_by,
        "metadata": json.dumps(matching_metadata(package), sort_keys=True),
        "os_id": kept.id if kept else None,
        "os_version_id": kept.version_id if kept else None,
        "os_codename": kept.version_codename if kept else None,
    }


def stored_package(mapping: sa.RowMapping) -> StoredPackage:
    package = Package(
        name=str(mapping["name"]),
        version=str(mapping["version"]),
        type=PackageType(mapping["type"]),
        purl=str(mapping["purl"]),
        cataloger=str(mapping["cataloger"]),
        source_name=_text(mapping["source_name"]),
        source_version=_text(mapping["source_version"]),
        arch=_text(mapping["arch"]),
        epoch=int(str(mapping["epoch"])) if mapping["epoch"] is not None else None,
        owned_by=_text(mapping["owned_by"]),
        metadata=json.loads(str(mapping["metadata"])),
    )
    system = None
    if mapping["os_id"] is not None:
        system = OperatingSystem(
            id=str(mapping["os_id"]),
            version_id=_text(mapping["os_version_id"]),
            version_codename=_text(mapping["os_codename"]),
        )
    return StoredPackage(int(str(mapping["id"])), package, system)


def _text(value: object) -> str | None:
    return None if value is None else str(value)
