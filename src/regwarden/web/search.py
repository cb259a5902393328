"""Search by CVE (or any vulnerability id), package name or image name/digest: a handful of links, best first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from regwarden.model.dashboard import RiskSnapshot

if TYPE_CHECKING:
    from regwarden.store import Store

LIMIT = 20
_VULN_ID = re.compile(r"^[A-Z][A-Z0-9]*-[0-9A-Za-z][0-9A-Za-z:._-]*$")


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    url: str


def search(store: Store, snapshot: RiskSnapshot, text: str) -> list[Hit]:
    query = text.strip()
    if not query:
        return []
    hits = _vulnerabilities(store, snapshot, query) + _packages(store, query) + _images(snapshot, query)
    return hits[:LIMIT]


def _vulnerabilities(store: Store, snapshot: RiskSnapshot, query: str) -> list[Hit]:
    upper = query.upper()
    found: list[str] = []
    if _VULN_ID.match(upper):
        found += sorted(store.findings.vulnerability_ids(upper) | store.findings.vulnerability_ids(query))
    found += [v.id for v in snapshot.vulnerabilities if upper in v.id.upper() and v.id not in found][:LIMIT]
    return [Hit("vulnerability", vuln_id, f"/vulnerabilities/{quote(vuln_id, safe='')}") for vuln_id in found]


def _packages(store: Store, query: str) -> list[Hit]:
    versions = sorted({version for _, _, _, version, _ in store.impact.packages_named(query.lower())})
    if not versions:
        return []
    label = f"{query.lower()} ({len(versions)} version{'s' if len(versions) != 1 else ''})"
    return [Hit("package", label, f"/vulnerabilities?package={quote(query.lower(), safe='')}")]


def _images(snapshot: RiskSnapshot, query: str) -> list[Hit]:
    lowered = query.lower()
    matches = [i for i in snapshot.images if lowered in i.name.lower() or i.digest.startswith(lowered)]
    return [Hit("image", image.name, f"/images/{image.digest}") for image in matches[:LIMIT]]
