"""Where one `regwarden sbom` run spends its time: imports, layer scan, cataloging, rendering (wall and CPU).

Each phase is timed in-process with `time.perf_counter` (wall) and `time.process_time` (CPU of all threads);
each run is a fresh interpreter, so import costs are cold-process costs (the page cache stays warm). The
machine is shared, so the minimum over the runs is reported next to the median, and CPU is the steadier one.

    .venv/bin/python benchmarks/bench_startup.py                       # pyapp-1.1, 5 runs, cyclonedx-json
    .venv/bin/python benchmarks/bench_startup.py --image .cache/bench-images/large.docker.tar --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_IMAGE = REPO / ".cache" / "test-images" / "archives" / "pyapp-1.1.docker.tar"

# Runs in the child interpreter: prints one JSON object {phase: [wall, cpu], ...} plus the peak RSS.
_CHILD = """
import json, resource, sys, time
marks, last = {}, (time.perf_counter(), time.process_time())
def mark(phase):
    global last
    now = (time.perf_counter(), time.process_time())
    marks[phase] = [now[0] - last[0], now[1] - last[1]]
    last = now
import regwarden.cli.app
mark("import cli")
from regwarden.service import images as service
from regwarden.sbom.build import catalog_filesystem, file_requests
from regwarden.sbom.filesystem import build_filesystem
from regwarden.oci.open import open_image
mark("import sbom")
source = open_image("docker-archive:" + sys.argv[1], service.DEFAULT_PLATFORM,
                    service._registry_options(service.ImageOptions()))
metadata = source.resolve()
filesystem = build_filesystem(source, file_requests())
source.close()
mark("scan layers")
sbom = catalog_filesystem(filesystem, source=sys.argv[1], metadata=metadata)
mark("catalog")
service.render_sbom(sbom, sys.argv[2])
mark("render " + sys.argv[2])
marks["peak RSS MiB"] = [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0]
print(json.dumps(marks))
"""


def run_once(image: Path, output_format: str) -> dict[str, list[float]]:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(image), output_format], check=True, capture_output=True, text=True
    )
    result: dict[str, list[float]] = json.loads(completed.stdout)
    return result


def whole_processes(image: Path, output_format: str, runs: int) -> str:
    """Wall time of whole processes, to set the phases against: the interpreter alone, the CLI up to parsing its
    arguments (`regwarden sbom` with none stops with a usage error), and the whole command."""
    regwarden = str(Path(sys.executable).parent / "regwarden")
    with tempfile.TemporaryDirectory() as scratch:
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "regwarden sbom (no arguments: start-up and argument parsing)": [regwarden, "sbom"],
            f"regwarden sbom docker-archive:{image.name} -o {output_format}": [
                *(regwarden, "sbom", f"docker-archive:{image}", "-o", output_format),
                *("--output-file", str(Path(scratch) / "out")),
            ],
        }
        lines = ["| process | wall min (s) | wall median (s) |", "|---|---|---|"]
        for label, command in commands.items():
            walls = []
            for _ in range(runs):
                started = time.perf_counter()
                subprocess.run(command, check=False, capture_output=True)
                walls.append(time.perf_counter() - started)
            lines.append(f"| {label} | {min(walls):.3f} | {statistics.median(walls):.3f} |")
    return "\n".join(lines)


def report(runs: Sequence[dict[str, list[float]]]) -> str:
    lines = ["| phase | wall min (s) | wall median (s) | CPU min (s) | CPU median (s) |", "|---|---|---|---|---|"]
    for phase in runs[0]:
        walls = [run[phase][0] for run in runs]
        cpus = [run[phase][1] for run in runs]
        if phase.startswith("peak"):
            lines.append(f"| {phase} | {min(walls):.0f} | {statistics.median(walls):.0f} | | |")
            continue
        lines.append(
            f"| {phase} | {min(walls):.3f} | {statistics.median(walls):.3f} "
            f"| {min(cpus):.3f} | {statistics.median(cpus):.3f} |"
        )
    return "\n".join(lines)


def ensure_bytecode() -> None:
    """Import costs as an installed regwarden pays them: compiled once (see bench_sbom.ensure_bytecode)."""
    import compileall

    import regwarden

    compileall.compile_dir(Path(regwarden.__file__).parent, quiet=1)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", type=Path, default=DEFAULT_IMAGE, help="a docker-archive tar")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", default="cyclonedx-json", help="SBOM output format to render")
    args = parser.parse_args(argv)
    if not args.image.is_file():
        raise SystemExit(f"{args.image} does not exist (make test-images / benchmarks/build-large-image.sh)")
    ensure_bytecode()
    runs = [run_once(args.image, args.format) for _ in range(args.runs)]
    print(f"{args.image.name}, {args.runs} runs, format {args.format}\n")
    print(report(runs))
    print()
    print(whole_processes(args.image, args.format, args.runs))


if __name__ == "__main__":
    main(sys.argv[1:])
