"""SBOM benchmark: `regwarden sbom` against Syft and Trivy, same inputs, same run, same machine.

For each input (the docker-archive of pyapp-1.1, the same image in a local registry, and the large image from
build-large-image.sh when it exists) every tool runs N times, in rotating order, under `/usr/bin/time -v`:
wall time is measured around the process, peak RSS is GNU time's "Maximum resident set size". Every tool
writes CycloneDX JSON, and the package sets (type, name, version from the purls) are compared. Page caches
cannot be dropped here, so the first run of each tool warms them for all; the median is what to quote.

    .venv/bin/python benchmarks/bench_sbom.py                   # N=5, writes the tables into BENCHMARKS.md
    .venv/bin/python benchmarks/bench_sbom.py --runs 3 --no-write
    .venv/bin/python benchmarks/bench_sbom.py --profile [SPEC]  # cProfile of regwarden on the large image

Peers come from benchmarks/peers.sh (a separate venv, .cache/bench-venv). Trivy runs offline with its layer
cache in memory, so no run is served from an earlier one; Syft keeps no cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from packageurl import PackageURL

REPO = Path(__file__).resolve().parents[1]
TEST_IMAGES = REPO / ".cache" / "test-images"
BENCH_IMAGES = Path(os.environ.get("REGWARDEN_BENCH_IMAGES", REPO / ".cache" / "bench-images"))
GNU_TIME = Path("/usr/bin/time")
REGWARDEN = Path(sys.executable).parent / "regwarden"
TOOLS = ("regwarden", "syft", "trivy")
SECTION_START, SECTION_END = "<!-- bench_sbom.py: start -->", "<!-- bench_sbom.py: end -->"
SHOW_DIFFERENCES = 12
JAVA_ARCHIVES = ("**/*.jar", "**/*.war", "**/*.ear", "**/*.par")

Identity = tuple[str, str, str]


@dataclass(frozen=True)
class Target:
    """One input, as each tool spells it."""

    label: str
    archive: Path | None = None
    reference: str | None = None
    """`localhost:PORT/repo:tag` for the registry form."""


@dataclass(frozen=True)
class Run:
    tool: str
    wall_s: float
    peak_rss_kib: int


@dataclass
class Outcome:
    target: Target
    runs: list[Run] = field(default_factory=list)
    packages: dict[str, frozenset[Identity]] = field(default_factory=dict)


def ensure_gnu_time() -> None:
    """`/usr/bin/time -v` is the RSS probe; Debian's `time` package provides it."""
    if not GNU_TIME.exists():
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "time"], check=True)


def ensure_bytecode() -> None:
    """Compile regwarden's modules as `pip install` does. An editable install has no bytecode until a run writes
    it, and with PYTHONDONTWRITEBYTECODE set no run does: every run would then compile the whole package
    (about 60 ms on pyapp-1.1) that an installed regwarden never compiles."""
    import compileall

    import regwarden

    compileall.compile_dir(Path(regwarden.__file__).parent, quiet=1)


def ensure_peers() -> Path:
    completed = subprocess.run(
        ["bash", str(REPO / "benchmarks" / "peers.sh")], check=True, capture_output=True, text=True
    )
    return Path(completed.stdout.strip().splitlines()[-1])


def tool_command(tool: str, target: Target, peers: Path, out: Path) -> tuple[list[str], dict[str, str]]:
    """The documented CLI of each tool for `target`, writing CycloneDX JSON to `out`."""
    env: dict[str, str] = {}
    if tool == "regwarden":
        spec = f"docker-archive:{target.archive}" if target.archive else str(target.reference)
        insecure = [] if target.archive else ["--insecure"]
        return [
            str(REGWARDEN),
            "sbom",
            spec,
            *insecure,
            "-o",
            "cyclonedx-json",
            "--output-file",
            str(out),
        ], env
    if tool == "syft":
        env["SYFT_CHECK_FOR_APP_UPDATE"] = "false"
        if target.archive:
            source = f"docker-archive:{target.archive}"
        else:
            source, env["SYFT_REGISTRY_INSECURE_USE_HTTP"] = f"registry:{target.reference}", "true"
        return [str(peers / "syft"), source, "-o", f"cyclonedx-json={out}", "-q"], env
    common = ["--format", "cyclonedx", "--skip-db-update", "--skip-java-db-update", "--offline-scan"]
    common += ["--cache-backend", "memory", "--quiet", "--output", str(out)]
    # Trivy's jar analyzer needs its Java DB from ghcr.io, which is unreachable here, and it stops the scan
    # with "--skip-java-db-update cannot be specified on the first run": Trivy is given no Java archives.
    common += [arg for pattern in JAVA_ARCHIVES for arg in ("--skip-files", pattern)]
    if target.archive:
        return [str(peers / "trivy"), "image", "--input", str(target.archive), *common], env
    env["TRIVY_INSECURE"] = "true"
    return [str(peers / "trivy"), "image", "--image-src", "remote", *common, str(target.reference)], env


def measure(tool: str, command: Sequence[str], env: Mapping[str, str], scratch: Path) -> Run:
    report = scratch / f"{tool}.time"
    full_env = {**os.environ, "TRIVY_CACHE_DIR": str(scratch / "trivy-cache"), **env}
    started = time.perf_counter()
    completed = subprocess.run(
        [str(GNU_TIME), "-v", "-o", str(report), *command],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"{tool} failed ({completed.returncode}): {' '.join(command)}\n{completed.stderr}")
    return Run(tool, wall, peak_rss_kib(report.read_text()))


def peak_rss_kib(time_report: str) -> int:
    for line in time_report.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rpartition(":")[2])
    raise SystemExit(f"no peak RSS in /usr/bin/time output:\n{time_report}")


def benchmark(target: Target, peers: Path, runs: int, workdir: Path) -> Outcome:
    outcome = Outcome(target)
    for attempt in range(runs):
        order = TOOLS[attempt % 3 :] + TOOLS[: attempt % 3]  # rotate so no tool always runs first
        for tool in order:
            scratch = Path(tempfile.mkdtemp(dir=workdir))
            out = scratch / f"{tool}.cdx.json"
            command, env = tool_command(tool, target, peers, out)
            outcome.runs.append(measure(tool, command, env, scratch))
            outcome.packages.setdefault(tool, package_set(out))
            shutil.rmtree(scratch)
    return outcome


def tool_versions(peers: Path) -> dict[str, str]:
    def first_line(command: Sequence[str], prefix: str) -> str:
        text = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith(prefix)), "?")

    return {
        "regwarden": subprocess.run(
            [str(REGWARDEN), "--version"], capture_output=True, text=True, check=False
        ).stdout.split()[-1],
        "syft": first_line([str(peers / "syft"), "version"], "Version"),
        "trivy": first_line([str(peers / "trivy"), "--version"], "Version"),
    }


def render(outcomes: Sequence[Outcome], versions: Mapping[str, str], runs: int, command: str) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in _cpuinfo() if ln.startswith("model name")), "?")
    lines = [
        f"Command: `{command}` ({runs} runs per tool and input; {os.cpu_count()} CPUs, {cpu}; "
        f"Python {platform.python_version()}; {time.strftime('%Y-%m-%d', time.gmtime())}; "
        f"load average at the end {os.getloadavg()[0]:.1f}).",
        f"Versions: regwarden {versions['regwarden']}, Syft {versions['syft']}, Trivy {versions['trivy']}.",
        "",
    ]
    for outcome in outcomes:
        lines += render_outcome(outcome)
    return "\n".join(lines)


def render_outcome(outcome: Outcome) -> list[str]:
    lines = [
        f"#### {outcome.target.label}",
        "",
        "| tool | wall median (s) | wall min (s) | peak RSS median (MiB) | peak RSS max (MiB) | packages |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tool in TOOLS:
        walls = [r.wall_s for r in outcome.runs if r.tool == tool]
        rss = [r.peak_rss_kib / 1024 for r in outcome.runs if r.tool == tool]
        lines.append(
            f"| {tool} | {statistics.median(walls):.2f} | {min(walls):.2f} | {statistics.median(rss):.0f} "
            f"| {max(rss):.0f} | {len(outcome.packages[tool])} |"
        )
    lines.append("")
    for peer in ("syft", "trivy"):
        lines += compare_sets("regwarden", outcome.packages["regwarden"], peer, outcome.packages[peer])
    lines.append("")
    return lines


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


@contextmanager
def registry_target(label: str, layout_ref: str, workdir: Path) -> Iterator[Target]:
    """Push `layout_ref` (skopeo `oci:DIR:REF`) to a registry of our own; the target names it by localhost."""
    with local_registry(workdir / f"registry-{label.split()[0]}") as host:
        reference = f"localhost:{host.rpartition(':')[2]}/bench/{label.split()[0]}:latest"
        subprocess.run(
            ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", layout_ref, f"docker://{reference}"],
            check=True,
        )
        yield Target(f"{label}, local registry (`{reference.split('/', 1)[1]}`)", reference=reference)


def inputs_available() -> tuple[bool, str]:
    """Whether the large image exists; builds it when only the script is there (it takes minutes)."""
    archive = BENCH_IMAGES / "large.docker.tar"
    if archive.exists():
        return True, ""
    script = REPO / "benchmarks" / "build-large-image.sh"
    if not script.exists():
        return False, "large image not benchmarked: benchmarks/build-large-image.sh does not exist"
    completed = subprocess.run(["bash", str(script)], check=False)
    if completed.returncode != 0 or not archive.exists():
        return False, f"large image not benchmarked: build-large-image.sh failed ({completed.returncode})"
    return True, ""


def run_all(runs: int, skip_large: bool) -> tuple[list[Outcome], list[str]]:
    ensure_gnu_time()
    ensure_bytecode()
    peers = ensure_peers()
    notes: list[str] = []
    outcomes: list[Outcome] = []
    pyapp = TEST_IMAGES / "archives" / "pyapp-1.1.docker.tar"
    if not pyapp.exists():
        subprocess.run(["bash", str(REPO / "tests" / "images" / "build.sh")], check=True)
    with tempfile.TemporaryDirectory(prefix="regwarden-bench-sbom-") as temp:
        workdir = Path(temp)
        outcomes.append(benchmark(Target("pyapp-1.1, docker-archive", archive=pyapp), peers, runs, workdir))
        with registry_target("pyapp-1.1", f"oci:{TEST_IMAGES / 'oci'}:pyapp-1.1", workdir) as target:
            outcomes.append(benchmark(target, peers, runs, workdir))
        large, note = (False, "large image skipped (--skip-large)") if skip_large else inputs_available()
        if large:
            archive = BENCH_IMAGES / "large.docker.tar"
            outcomes.append(benchmark(Target("large, docker-archive", archive=archive), peers, runs, workdir))
            with registry_target("large", f"oci:{BENCH_IMAGES / 'oci'}:large", workdir) as target:
                outcomes.append(benchmark(target, peers, runs, workdir))
        elif note:
            notes.append(note)
    return outcomes, notes


# -- package sets --------------------------------------------------------------------------------------------


def package_set(cyclonedx_json: Path) -> frozenset[Identity]:
    """(type, name, version) of every component with a purl, normalised so the tools' spellings compare."""
    document = json.loads(cyclonedx_json.read_text(encoding="utf-8"))
    found: set[Identity] = set()
    pending = list(document.get("components", []))
    while pending:
        component = pending.pop()
        pending += component.get("components", [])
        if component.get("purl"):
            found.add(identity(PackageURL.from_string(component["purl"])))
    return frozenset(found)


def identity(purl: PackageURL) -> Identity:
    name = f"{purl.namespace}/{purl.name}" if purl.type == "npm" and purl.namespace else purl.name
    if purl.type == "pypi":  # PEP 503: `Jinja2` and `jinja2`, `typing_extensions` and `typing-extensions`
        name = name.lower().replace("_", "-").replace(".", "-")
    version = purl.version or ""
    qualifiers = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
    if "epoch" in qualifiers and ":" not in version:  # Trivy puts a Debian epoch in a qualifier
        version = f"{qualifiers['epoch']}:{version}"
    return purl.type, name, version


def compare_sets(ours: str, mine: frozenset[Identity], peer: str, theirs: frozenset[Identity]) -> list[str]:
    if mine == theirs:
        return [f"- {ours} and {peer}: identical package sets ({len(mine)})."]
    lines = [
        f"- {ours} vs {peer}: {len(mine & theirs)} common, {len(mine - theirs)} only in {ours}, "
        f"{len(theirs - mine)} only in {peer}."
    ]
    for label, only in ((ours, mine - theirs), (peer, theirs - mine)):
        if only:
            shown = ", ".join(f"{t}:{n}@{v}" for t, n, v in sorted(only)[:SHOW_DIFFERENCES])
            more = f" (+{len(only) - SHOW_DIFFERENCES} more)" if len(only) > SHOW_DIFFERENCES else ""
            lines.append(f"  - only in {label}: {shown}{more}")
    return lines


# -- registry and report file --------------------------------------------------------------------------------


@contextmanager
def local_registry(root: Path) -> Iterator[str]:
    """A throw-away CNCF distribution registry on 127.0.0.1; yields host:port."""
    root.mkdir(parents=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = {  # JSON is YAML, which is what the registry reads
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "data")}},
        "http": {"addr": f"127.0.0.1:{port}"},
    }
    (root / "config.yml").write_text(json.dumps(config), encoding="utf-8")
    with (root / "registry.log").open("wb") as log:
        process = subprocess.Popen(["docker-registry", "serve", str(root / "config.yml")], stdout=log, stderr=log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/v2/", process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"docker-registry exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise SystemExit(f"docker-registry did not answer on {url}")


def replace_section(path: Path, markdown: str) -> None:
    """Put `markdown` between this script's markers under `## SBOM`, keeping everything else in the file."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n## SBOM\n\n"
    block = f"{SECTION_START}\n{markdown.strip()}\n{SECTION_END}"
    if SECTION_START in text and SECTION_END in text:
        head, _, rest = text.partition(SECTION_START)
        text = head + block + rest.partition(SECTION_END)[2]
    elif "## SBOM" in text:
        head, _, rest = text.partition("## SBOM\n")
        text = f"{head}## SBOM\n\n{block}\n{rest}"
    else:
        text = f"{text.rstrip()}\n\n## SBOM\n\n{block}\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}", file=sys.stderr)


# -- profile and entry point ---------------------------------------------------------------------------------


def profile(spec: str) -> None:
    """cProfile of one in-process SBOM build; prints the top functions by own time and by cumulative time."""
    import cProfile
    import pstats

    from regwarden.service import images as service

    profiler = cProfile.Profile()
    started = time.perf_counter()
    sbom = profiler.runcall(service.build_sbom, spec, service.ImageOptions(insecure=True))
    print(f"{spec}: {len(sbom.packages)} packages in {time.perf_counter() - started:.2f} s (under cProfile)")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(25)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per tool and input (default 5)")
    parser.add_argument("--skip-large", action="store_true", help="do not benchmark (or build) the large image")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--profile", nargs="?", const=f"docker-archive:{BENCH_IMAGES / 'large.docker.tar'}")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return
    outcomes, notes = run_all(args.runs, args.skip_large)
    command = "python benchmarks/bench_sbom.py " + " ".join(argv) if argv else "python benchmarks/bench_sbom.py"
    markdown = render(outcomes, tool_versions(ensure_peers()), args.runs, command.strip())
    markdown += "".join(f"\n{note}\n" for note in notes)
    print(markdown)
    if not args.no_write:
        replace_section(REPO / "BENCHMARKS.md", markdown)


if __name__ == "__main__":
    main(sys.argv[1:])
