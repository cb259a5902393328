"""The inventory a store holds, as comparable values: every row of every inventory table, with surrogate ids
replaced by the natural keys they stand for and times replaced by whether they are set (a moved tag, a resolved
finding, a closed exposure). Rows are kept as sorted lists, not sets, so a row written twice shows."""

from __future__ import annotations

import json

import sqlalchemy as sa

from regwarden.store import Store
from regwarden.store.inventory_schema import (
    components,
    events,
    exposures,
    finding_ids,
    image_children,
    image_locations,
    images,
    package_findings,
    package_keys,
    packages,
    registries,
    repositories,
    scan_records,
    tag_history,
    workloads,
)

_DROPPED = {
    "id",
    "dedupe_key",  # embeds workload and package ids
    # A scan record's count of open findings is taken at the moment of the catalog: when images sharing a package
    # are catalogued at once, the one that stored the package second may count before the first has matched it.
    # The findings themselves (package_findings) and the exposures are compared in full.
    "findings",
}


def inventory_snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        names = _natural_keys(conn)
        return {
            table.name: sorted((_row(table, row, names) for row in conn.execute(sa.select(table))), key=repr)
            for table in (
                registries,
                repositories,
                images,
                image_children,
                image_locations,
                tag_history,
                packages,
                package_keys,
                components,
                scan_records,
                package_findings,
                finding_ids,
                workloads,
                exposures,
                events,
            )
        }


def _natural_keys(conn: sa.Connection) -> dict[str, dict[int, object]]:
    hosts = {row.id: row.host for row in conn.execute(sa.select(registries.c.id, registries.c.host))}
    return {
        "registry_id": dict(hosts),
        "repository_id": {
            row.id: (hosts[row.registry_id], row.name)
            for row in conn.execute(sa.select(repositories.c.id, repositories.c.registry_id, repositories.c.name))
        },
        "package_id": {row.id: row.identity for row in conn.execute(sa.select(packages.c.id, packages.c.identity))},
        "workload_id": {row.id: row.identity for row in conn.execute(sa.select(workloads.c.id, workloads.c.identity))},
    }


def _row(table: sa.Table, row: sa.Row[tuple[object, ...]], names: dict[str, dict[int, object]]) -> tuple[object, ...]:
    values: list[object] = []
    for column in table.columns:
        value = row._mapping[column.name]
        if column.name in _DROPPED:
            continue
        if column.name in names:
            values.append((column.name, names[column.name][int(value)]))
        elif isinstance(column.type, sa.DateTime):
            values.append((column.name, "set" if value is not None else None))
        elif column.name == "payload":
            values.append((column.name, json.loads(str(value))))
        else:
            values.append((column.name, value))
    return tuple(values)
