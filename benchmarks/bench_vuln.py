"""Vulnerability benchmark: import a realistic 300,000-advisory OSV database, match a 1,000-package SBOM warm,
and scan the real test images end to end.

The generated database follows the shape of the real OSV exports: ecosystems in roughly their real proportions
(Debian and Ubuntu CVE records per release, npm with its many malware reports, PyPI records as GHSA + PYSEC pairs
aliasing the same CVE), a long tail of packages with a few very busy ones (hundreds of advisories on one source
package), `ECOSYSTEM`/`SEMVER` ranges with several introduced/fixed pairs, `last_affected`, explicit version lists,
and CVSS vectors. Everything is written into one zip, as `db import` reads it (an export's all.zip).

Measured, in-process with the real service functions (what `regwarden db import` and `regwarden scan` call),
as wall and CPU time (the machine may be shared; CPU time moves less with other load): import, database file
size, the match of a 1,000-package SBOM through `service.scan.match_with_store` (first run: nothing decoded yet,
as in a fresh `regwarden scan` process; warm median: the same open store again, as in a long-lived process; the
target is under 1 s warm), the same match through the per-key `lookup` of whole records (its findings must be
identical), and `service.scan` of the test images (SBOM build + match) against that database.

    .venv/bin/python benchmarks/bench_vuln.py                      # 300,000 advisories, writes BENCHMARKS.md
    .venv/bin/python benchmarks/bench_vuln.py --keep /tmp/vuln-bench --reuse-zip   # re-import an earlier zip
    .venv/bin/python benchmarks/bench_vuln.py --advisories 20000 --no-write --keep /tmp/vuln-bench
    .venv/bin/python benchmarks/bench_vuln.py --profile --keep /tmp/vuln-bench   # where the match time goes
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packageurl import PackageURL

from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.service.database import import_advisories
from regwarden.service.scan import ScanOptions, match_with_store, scan
from regwarden.store import open_store
from regwarden.vuln.match import lookup_plan, match_sbom_report

REPO = Path(__file__).resolve().parents[1]
TEST_IMAGES = REPO / ".cache" / "test-images" / "archives"
SECTION_START, SECTION_END = "<!-- bench_vuln.py: start -->", "<!-- bench_vuln.py: end -->"
HEADING = "## Vulnerabilities"
MODIFIED = "2026-01-15T00:00:00Z"
VECTORS = (
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L",
)
# Share of the advisories per ecosystem, close to the OSV exports (npm includes the MAL-* malware reports).
SHARES = {
    "Debian": 0.30,
    "Ubuntu": 0.14,
    "npm": 0.22,
    "PyPI": 0.09,
    "Alpine": 0.07,
    "Go": 0.05,
    "Maven": 0.05,
    "RubyGems": 0.02,
    "crates.io": 0.02,
    "Packagist": 0.02,
    "NuGet": 0.02,
}
NAMES_PER_ECOSYSTEM = 6000


@dataclass(frozen=True)
class Generated:
    path: Path
    advisories: int


# -- generating the database ----------------------------------------------------------------------------------


def _name(ecosystem: str, i: int) -> str:
    if ecosystem == "Maven":
        return f"org.bench{i % 97}:artifact-{i}"
    if ecosystem == "Go":
        return f"github.com/bench{i % 211}/module-{i}"
    if ecosystem == "Packagist":
        return f"vendor{i % 89}/package-{i}"
    return f"{ecosystem.lower().replace('.', '-')}-pkg-{i}"


# Zipf-like popularity: the busiest package of an ecosystem gets about 3% of its advisories (thousands for
# Debian at full size, like the kernel or ImageMagick in the real data), most packages get a handful or none.
_CUMULATIVE = list(itertools.accumulate(1.0 / (i + 5) for i in range(NAMES_PER_ECOSYSTEM)))


def _popular_index(rng: random.Random) -> int:
    return rng.choices(range(NAMES_PER_ECOSYSTEM), cum_weights=_CUMULATIVE, k=1)[0]


def _version(ecosystem: str, major: int, minor: int, patch: int) -> str:
    if ecosystem in ("Debian", "Ubuntu"):
        return f"{major}.{minor}.{patch}-1"
    if ecosystem == "Alpine":
        return f"{major}.{minor}.{patch}-r0"
    if ecosystem == "Go":
        return f"{major}.{minor}.{patch}"
    return f"{major}.{minor}.{patch}"


def _ranges(ecosystem: str, rng: random.Random) -> list[dict[str, Any]]:
    kind = "SEMVER" if ecosystem in ("npm", "Go", "crates.io") else "ECOSYSTEM"
    major = rng.randint(0, 4)
    pairs = []
    for branch in range(rng.choice((1, 1, 1, 2, 3))):
        start = _version(ecosystem, major + branch, 0, 0) if rng.random() < 0.6 else "0"
        end = _version(ecosystem, major + branch, rng.randint(1, 9), rng.randint(0, 9))
        closing = "last_affected" if rng.random() < 0.05 else "fixed"
        if rng.random() < 0.08:
            pairs.append({"introduced": start})  # no fix yet
        else:
            pairs += [{"introduced": start}, {closing: end}]
        if start == "0":
            break
    return [{"type": kind, "events": pairs}]


def _affected(ecosystem: str, name: str, rng: random.Random) -> list[dict[str, Any]]:
    if ecosystem == "Debian":
        releases = rng.sample(["Debian:10", "Debian:11", "Debian:12", "Debian:13"], k=rng.randint(1, 3))
    elif ecosystem == "Ubuntu":
        releases = rng.sample(["Ubuntu:20.04:LTS", "Ubuntu:22.04:LTS", "Ubuntu:24.04:LTS"], k=rng.randint(1, 2))
    elif ecosystem == "Alpine":
        releases = [rng.choice(["Alpine:v3.18", "Alpine:v3.19", "Alpine:v3.20"])]
    else:
        releases = [ecosystem]
    entries = []
    for release in releases:
        entry: dict[str, Any] = {"package": {"ecosystem": release, "name": name}, "ranges": _ranges(ecosystem, rng)}
        if ecosystem == "PyPI":
            entry["versions"] = [f"{rng.randint(0, 4)}.{m}.0" for m in range(rng.randint(1, 12))]
        entries.append(entry)
    return entries


def _records(ecosystem: str, count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(count):
        name = _name(ecosystem, _popular_index(rng))
        cve = f"CVE-{2015 + n % 11}-{100000 + n}"
        if ecosystem in ("Debian", "Ubuntu", "Alpine"):
            prefix = {"Debian": "DEBIAN", "Ubuntu": "UBUNTU", "Alpine": "ALPINE"}[ecosystem]
            vuln_id, aliases = f"{prefix}-{cve}", [cve]
        elif ecosystem == "npm" and n % 3 == 0:
            vuln_id, aliases = f"MAL-2025-{n}", []  # malware reports: every version affected
        elif ecosystem == "PyPI" and n % 2 == 1:
            vuln_id, aliases = f"PYSEC-{2015 + n % 11}-{n}", [cve, f"GHSA-py{n:05d}-bnch-wxyz"]
        else:
            vuln_id, aliases = f"GHSA-{n:05d}-{ecosystem[:2].lower()}bc-wxyz", [cve]
        record: dict[str, Any] = {
            "schema_version": "1.6.0",
            "id": vuln_id,
            "modified": MODIFIED,
            "published": "2025-01-01T00:00:00Z",
            "aliases": aliases,
            "summary": f"benchmark advisory {n} for {name}",
            "details": "Generated for the regwarden benchmark. " * 4,
            "affected": _affected(ecosystem, name, rng),
            "severity": [{"type": "CVSS_V3", "score": rng.choice(VECTORS)}],
            "references": [{"type": "ADVISORY", "url": f"https://example.invalid/{vuln_id}"}],
        }
        if vuln_id.startswith("MAL-"):
            record["affected"][0]["ranges"] = [{"type": "SEMVER", "events": [{"introduced": "0"}]}]
        yield record


def generate(directory: Path, total: int, seed: int = 7) -> Generated:
    rng = random.Random(seed)
    path = directory / "osv-all.zip"
    written = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for ecosystem, share in SHARES.items():
            count = int(total * share) + 1
            for record in _records(ecosystem, count, rng):
                archive.writestr(f"{record['id']}.json", json.dumps(record))
                written += 1
    return Generated(path, written)


# -- the 1,000-package SBOM ------------------------------------------------------------------------------------

_SBOM_MIX = (("Debian", PackageType.DEB, 400), ("npm", PackageType.NPM, 300), ("PyPI", PackageType.PYPI, 200))
_SBOM_MIX_TAIL = (("Go", PackageType.GOLANG, 50), ("Maven", PackageType.MAVEN, 50))


def sbom_of_names(seed: int = 11) -> Sbom:
    """1,000 packages from the database's name space: a tenth are popular (many advisories), the rest any name,
    with or without advisories, as in a real image."""
    rng = random.Random(seed)
    packages = []
    for ecosystem, package_type, count in (*_SBOM_MIX, *_SBOM_MIX_TAIL):
        popular = rng.sample(range(50), k=count // 10)
        others = rng.sample(range(50, NAMES_PER_ECOSYSTEM), k=count - len(popular))
        for name in (_name(ecosystem, i) for i in (*popular, *others)):
            version = _version(ecosystem, rng.randint(0, 4), rng.randint(0, 9), rng.randint(0, 9))
            packages.append(_package(name, version, package_type))
    return Sbom(
        source="bench:1000-packages",
        packages=tuple(packages),
        operating_system=OperatingSystem("debian", "12", "Debian GNU/Linux 12 (bookworm)", "bookworm"),
    )


def _package(name: str, version: str, package_type: PackageType) -> Package:
    namespace = None
    if package_type is PackageType.MAVEN:
        namespace, name = name.split(":", 1)
    elif package_type is PackageType.GOLANG:
        namespace, _, name = name.rpartition("/")
    elif package_type is PackageType.DEB:
        namespace = "debian"
    purl = PackageURL(package_type.value, namespace, name, version).to_string()
    full = f"{namespace}:{name}" if package_type is PackageType.MAVEN else name
    if package_type is PackageType.GOLANG:
        full = f"{namespace}/{name}"
    source = name if package_type is PackageType.DEB else None
    return Package(full, version, package_type, purl, "bench", source_name=source, source_version=source and version)


# -- measuring -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    """This process's CPU time: unlike wall time, barely moved by other work on a shared machine."""


def _timed(action: Any) -> tuple[Timing, Any]:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = action()
    return Timing(time.perf_counter() - started, time.process_time() - cpu_started), result


def _median(timings: Sequence[Timing]) -> str:
    walls = ", ".join(f"{t.wall:.2f}" for t in timings)
    wall, cpu = statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings)
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU (runs: {walls} s)"


def measure(total: int, runs: int, workdir: Path, *, reuse_zip: bool = False) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    existing = workdir / "osv-all.zip"
    if reuse_zip and existing.exists():
        with zipfile.ZipFile(existing) as archive:
            generated = Generated(existing, len(archive.namelist()))
        rows.append(("generated advisories", f"{generated.advisories:,} (zip reused from an earlier run)"))
    else:
        generate_t, generated = _timed(lambda: generate(workdir, total))
        rows.append(("generated advisories", f"{generated.advisories:,} ({generate_t.wall:.0f} s to write the zip)"))
    rows.append(("export zip size", f"{generated.path.stat().st_size / 2**20:.0f} MiB"))
    db_file = workdir / "advisories.db"
    for stale in (db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    import_t, report = _timed(lambda: import_advisories(generated.path, db_url=url))
    rows.append(
        (
            "`db import` of the zip",
            f"{import_t.wall:.1f} s wall, {import_t.cpu:.1f} s CPU "
            f"({report.written:,} written, {len(report.rejected)} rejected)",
        )
    )
    rows.append(("SQLite database size", f"{db_file.stat().st_size / 2**20:.0f} MiB"))
    rows += _match_rows(url, runs)
    rows += _image_rows(url, runs, workdir)
    return rows


def _match_rows(url: str, runs: int) -> list[tuple[str, str]]:
    sbom = sbom_of_names()
    with open_store(url) as store:
        first_t, first = _timed(lambda: match_with_store(sbom, store, None))
        warm = [_timed(lambda: match_with_store(sbom, store, None))[0] for _ in range(runs)]
        lookup = store.advisories.lookup
        # The same SBOM through the one-key-at-a-time `lookup` (whole records): the findings must be identical.
        whole_t, whole = _timed(lambda: match_sbom_report(sbom, lookup, database=store.url))
    if whole != first:
        raise SystemExit("matching through match views and through lookup disagree")
    affected = len({f.package for f in first.findings})
    return [
        (
            "1,000-package SBOM: findings",
            f"{len(first.findings):,} on {affected} packages, {len(first.unknowns)} not evaluated",
        ),
        ("1,000-package SBOM: keys looked up / candidate advisories", _candidates(sbom, url)),
        ("1,000-package SBOM: match, first run", f"{first_t.wall:.2f} s wall, {first_t.cpu:.2f} s CPU"),
        (f"1,000-package SBOM: match, warm (median of {runs})", _median(warm)),
        (
            "same match through per-key `lookup` of whole records (identical findings)",
            f"{whole_t.wall:.2f} s wall, {whole_t.cpu:.2f} s CPU",
        ),
    ]


def _candidates(sbom: Sbom, url: str) -> str:
    plan = lookup_plan(sbom)
    with open_store(url) as store:
        every = store.advisories.lookup_many(plan.keys)
        applying = store.advisories.lookup_many(plan.keys, plan.wanted)
    counted = [sum(len(advisories) for advisories in found.values()) for found in (every, applying)]
    return f"{len(plan.keys):,} / {counted[0]:,} ({counted[1]:,} with an entry for the image's release)"


def _image_rows(url: str, runs: int, workdir: Path) -> list[tuple[str, str]]:
    rows = []
    for ref in ("base", "pyapp-1.0", "pyapp-1.1"):
        archive = TEST_IMAGES / f"{ref}.docker.tar"
        if not archive.exists():
            rows.append((f"`scan` {ref}", "skipped: run `make test-images` first"))
            continue
        spec = f"docker-archive:{archive}"
        times = [_timed(lambda s=spec: scan(s, ScanOptions(db_url=url), cwd=workdir))[0] for _ in range(runs)]
        rows.append((f"`scan docker-archive:{ref}.docker.tar` (SBOM + match, median of {runs})", _median(times)))
    return rows


def render(rows: Sequence[tuple[str, str]], command: str) -> str:
    lines = [
        "How to reproduce (the image rows need the test images from `make test-images`):",
        "",
        "```",
        command,
        "```",
        "",
        "Measured in-process with the functions `regwarden db import` and `regwarden scan` call, against a SQLite",
        "database in a temporary directory (or `--keep DIR`); one machine, one run of this script. Wall and CPU",
        "time of this process are both given: the machine is shared, and CPU time moves less with other load.",
        "",
        "| measurement | result |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in rows],
    ]
    return "\n".join(lines)


def replace_section(path: Path, markdown: str) -> None:
    """Put `markdown` between this script's markers under `## Vulnerabilities`, leaving other sections alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    block = f"{SECTION_START}\n{markdown.strip()}\n{SECTION_END}"
    if SECTION_START in text and SECTION_END in text:
        head, _, rest = text.partition(SECTION_START)
        text = head + block + rest.partition(SECTION_END)[2]
    else:
        text = f"{text.rstrip()}\n\n{HEADING}\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


def profile(workdir: Path) -> None:
    """cProfile of one warm match of the 1,000-package SBOM against the database a `--keep DIR` run left."""
    import cProfile
    import pstats

    database = workdir / "advisories.db"
    if not database.exists():
        raise SystemExit(f"no {database}: run with --keep {workdir} first")
    sbom = sbom_of_names()
    with open_store(f"sqlite:///{database}") as store:
        match_with_store(sbom, store, None)  # warm the page cache
        profiler = cProfile.Profile()
        profiler.runcall(match_with_store, sbom, store, None)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(25)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--advisories", type=int, default=300_000, help="how many advisories (default 300,000)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs to take the median of (default 5)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep the zip and database")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--reuse-zip", action="store_true", help="with --keep: import the zip an earlier run left")
    parser.add_argument("--profile", action="store_true", help="cProfile the warm match on the --keep database")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.keep or Path())
        return
    command = " ".join([".venv/bin/python benchmarks/bench_vuln.py", *argv])
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        rows = measure(args.advisories, args.runs, args.keep, reuse_zip=args.reuse_zip)
    else:
        with tempfile.TemporaryDirectory(prefix="regwarden-bench-vuln-") as tmp:
            rows = measure(args.advisories, args.runs, Path(tmp))
    markdown = render(rows, command)
    print(markdown)
    if not args.no_write:
        replace_section(REPO / "BENCHMARKS.md", markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
