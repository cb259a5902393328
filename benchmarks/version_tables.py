"""How often regwarden orders two versions the way each ecosystem's own tool does, read from published tables.

    .venv/bin/python benchmarks/version_tables.py DIR                 # per-ecosystem agreement
    .venv/bin/python benchmarks/version_tables.py DIR --failures 20   # and the first 20 disagreements of each

DIR (searched recursively) holds the tables; they belong to other projects and are not part of this repository,
so fetch them yourself. Recognised by file name:
- `ECOSYSTEM-versions*.txt`: osv-scanner's and osv-scalibr's semantic fixtures (`internal/semantic/fixtures/`,
  `semantic/testdata/`), one `a OP b` per line with OP one of `<`, `=`, `>`, and `# ` or `// ` comment lines.
  The semver table is checked as npm, Go and crates.io (one scheme).
- `rpmvercmp.at`: rpm's own test suite, `RPMVERCMP(a, b, result)` (Red Hat).
- `version.data`: apk-tools' unit test data, `a OP b` lines with OP one of `<`, `=`, `>` (Alpine); its fuzzy,
  negated and validity lines are not orderings and are left out.
- `test_version.py`: packaging's tests, whose `VERSIONS` list is in strictly increasing order (PyPI; every pair).

Each pair is compared both ways. A pair agrees when `compare` gives the table's answer both ways, disagrees when
it gives another answer, and is refused when `compare` raises VersionError. Ecosystems with no ordering in
regwarden are counted as refused, never left out.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from regwarden.vuln.versions import VersionError, compare, scheme_for

EXPECTED = {"<": -1, "=": 0, ">": 1}
# Table name prefix -> the OSV ecosystems whose ordering it checks.
TABLE_ECOSYSTEMS = {
    "alpine": ("Alpine",),
    "debian": ("Debian",),
    "redhat": ("Red Hat",),
    "pypi": ("PyPI",),
    "semver": ("npm", "Go", "crates.io"),
    "nuget": ("NuGet",),
    "maven": ("Maven",),
    "rubygems": ("RubyGems",),
    "packagist": ("Packagist",),
    "cran": ("CRAN",),
    "pub": ("Pub",),
    "hackage": ("Hackage",),
}
_RPMVERCMP = re.compile(r"^RPMVERCMP\(([^,]*), ([^,]*), (-?\d)\)$")

Pair = tuple[str, str, int]
"""Left version, right version, and the ecosystem's answer (-1, 0, 1)."""


@dataclass
class Tally:
    """Outcome counts for one ecosystem and table."""

    agree: int = 0
    disagree: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.agree + len(self.disagree) + len(self.refused)


def osv_fixture_pairs(path: Path) -> Iterator[Pair]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("# ", "// ")):
            continue
        left, operator, right = line.split(" ")
        yield left, right, EXPECTED[operator]


def rpmvercmp_pairs(path: Path) -> Iterator[Pair]:
    for line in path.read_text(encoding="utf-8").splitlines():
        found = _RPMVERCMP.match(line.strip())
        if found:
            yield found[1], found[2], int(found[3])


def apk_data_pairs(path: Path) -> Iterator[Pair]:
    for line in path.read_text(encoding="utf-8").splitlines():
        pieces = line.split("#", 1)[0].split()
        if len(pieces) == 3 and pieces[1] in EXPECTED:
            yield pieces[0], pieces[2], EXPECTED[pieces[1]]


def packaging_pairs(path: Path) -> Iterator[Pair]:
    """Every pair of packaging's `VERSIONS`, which its tests keep in strictly increasing order."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "VERSIONS" for t in node.targets):
            versions: list[str] = ast.literal_eval(node.value)
            yield from ((low, high, -1) for low, high in combinations(versions, 2))


def tables(directory: Path) -> Iterator[tuple[str, str, Iterator[Pair]]]:
    """(ecosystem, table name, pairs) for every recognised table under `directory`."""
    for path in sorted(directory.rglob("*")):
        if path.name.endswith(".txt") and "-versions" in path.name:
            for ecosystem in TABLE_ECOSYSTEMS.get(path.name.split("-versions")[0], ()):
                yield ecosystem, path.name, osv_fixture_pairs(path)
        elif path.name == "rpmvercmp.at":
            yield "Red Hat", path.name, rpmvercmp_pairs(path)
        elif path.name == "version.data":
            yield "Alpine", path.name, apk_data_pairs(path)
        elif path.name == "test_version.py":
            yield "PyPI", path.name, packaging_pairs(path)


def check(ecosystem: str, pairs: Iterator[Pair]) -> Tally:
    tally = Tally()
    scheme = scheme_for(ecosystem)
    for left, right, expected in pairs:
        shown = f"{left} {'<=>'[expected + 1]} {right}"
        if scheme is None:
            tally.refused.append(f"{shown}: no ordering for {ecosystem}")
            continue
        try:
            answers = (compare(scheme, left, right), -compare(scheme, right, left))
        except VersionError as error:
            tally.refused.append(f"{shown}: {error}")
            continue
        if answers == (expected, expected):
            tally.agree += 1
        else:
            tally.disagree.append(f"{shown}: got {answers[0]} / {-answers[1]} reversed")
    return tally


def report(results: dict[str, dict[str, Tally]], failures: int) -> None:
    print("| ecosystem | table | pairs | agree | disagree | refused | agreement |\n|---|---|---:|---:|---:|---:|---:|")
    for ecosystem, by_table in results.items():
        for table, tally in by_table.items():
            print(_row(ecosystem, table, tally.total, tally.agree, len(tally.disagree), len(tally.refused)))
        if len(by_table) > 1:
            totals = [sum(getattr(t, name) for t in by_table.values()) for name in ("total", "agree")]
            wrong = sum(len(t.disagree) for t in by_table.values())
            print(_row(ecosystem, "**all**", totals[0], totals[1], wrong, totals[0] - totals[1] - wrong))
    for ecosystem, by_table in results.items():
        for table, tally in by_table.items():
            for line in (tally.disagree + tally.refused)[:failures]:
                print(f"{ecosystem} {table}: {line}")


def _row(ecosystem: str, table: str, total: int, agree: int, disagree: int, refused: int) -> str:
    share = f"{100 * agree / total:.2f} %" if total else "-"
    return f"| {ecosystem} | {table} | {total} | {agree} | {disagree} | {refused} | {share} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--failures", type=int, default=0, help="print this many disagreements per table")
    arguments = parser.parse_args()
    results: dict[str, dict[str, Tally]] = defaultdict(dict)
    for ecosystem, table, pairs in tables(arguments.directory):
        results[ecosystem][table] = check(ecosystem, pairs)
    if not results:
        print(f"no version tables under {arguments.directory}", file=sys.stderr)
        return 1
    report(dict(sorted(results.items())), arguments.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
