"""The OSV records under testdata/osv/, parsed, and an in-memory index keyed exactly as the store keys them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from regwarden.model.advisory import Advisory
from regwarden.vuln.ecosystems import index_key
from regwarden.vuln.osv import parse_osv

OSV_DIR = Path(__file__).parent / "testdata" / "osv"


def load_advisories() -> list[Advisory]:
    return [
        parse_osv(json.loads(path.read_text(encoding="utf-8")), source=path.name)
        for path in sorted(OSV_DIR.glob("*.json"))
    ]


class AdvisoryIndex:
    """A dict from `index_key` to advisories: the store's lookup contract without a database."""

    def __init__(self, advisories: Sequence[Advisory]) -> None:
        self._by_key: dict[tuple[str, str], list[Advisory]] = {}
        for advisory in advisories:
            for key in dict.fromkeys(index_key(entry.ecosystem, entry.name) for entry in advisory.affected):
                self._by_key.setdefault(key, []).append(advisory)
        self.queried: list[tuple[str, str]] = []

    def lookup(self, ecosystem: str, name: str) -> list[Advisory]:
        self.queried.append((ecosystem, name))
        return self._by_key.get((ecosystem, name), [])
