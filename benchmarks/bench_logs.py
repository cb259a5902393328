"""Audit-log benchmark: `regwarden logs analyze` over generated ACR logs (benchmarks/logs_data.py), as a user runs
it (a whole process: start-up, reading, every detection, the report), with its peak memory.

Target: 1,000,000 records in under 10 s, with memory that does not grow with the input: the same run over
100,000 records must peak at about the same RSS. Each size runs --runs times; the median, min and max are
kept, with the machine's load average before and after (2 shared cores: a busy machine is said so).

    .venv/bin/python benchmarks/bench_logs.py --runs 3                 # 1M and 100k, JSON lines and CSV
    .venv/bin/python benchmarks/bench_logs.py --sizes 100000 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import logs_data

REPO = Path(__file__).resolve().parents[1]
REGWARDEN = REPO / ".venv" / "bin" / "regwarden"
SECTION_START, SECTION_END = "<!-- bench_logs.py: start -->", "<!-- bench_logs.py: end -->"
HEADING = "## Audit logs"
WRITERS = {
    "JSON lines (storage archive)": ("jsonl", logs_data.write_json_lines),
    "CSV (Log Analytics)": ("csv", logs_data.write_csv),
}


@dataclass
class Run:
    layout: str
    records: int
    size_mb: float
    seconds: list[float]
    cpu: list[float]
    """User + system CPU seconds of the process: what the run cost, whatever else the machine was doing."""
    peak_mb: list[float]
    load_before: float
    load_after: float


def run_size(folder: Path, layout: str, records: int, runs: int) -> Run:
    suffix, write = WRITERS[layout]
    path = write(folder / f"logs-{records}.{suffix}", records)
    load_before = os.getloadavg()[0]
    seconds, cpu, peaks = [], [], []
    for _ in range(runs):
        elapsed, used, peak = measure_isolated(path)
        seconds.append(elapsed)
        cpu.append(used)
        peaks.append(peak)
    run = Run(layout, records, path.stat().st_size / 1e6, seconds, cpu, peaks, load_before, os.getloadavg()[0])
    path.unlink()
    return run


def measure_isolated(path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one `logs analyze` process, run from a fresh child so that
    ru_maxrss is this run's own peak (RUSAGE_CHILDREN keeps the largest ever)."""
    probe = (
        "import resource, subprocess, sys, time;"
        f"c=[{str(REGWARDEN)!r}, 'logs', 'analyze', sys.argv[1], '--no-record', '-o', 'json', '--fail-on', 'none'];"
        "t=time.perf_counter(); subprocess.run(c, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(time.perf_counter()-t, u.ru_utime+u.ru_stime, u.ru_maxrss/1024)"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], check=True, capture_output=True, text=True).stdout
    elapsed, used, peak = out.split()
    return float(elapsed), float(used), float(peak)


def table(runs: list[Run]) -> str:
    lines = [
        "| input | records | file | wall, median | wall min–max | CPU, median | peak RSS | load before → after |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.layout} | {run.records:,} | {run.size_mb:.0f} MB | {statistics.median(run.seconds):.2f} s | "
            f"{min(run.seconds):.2f}–{max(run.seconds):.2f} s | {statistics.median(run.cpu):.2f} s | "
            f"{statistics.median(run.peak_mb):.0f} MB | "
            f"{run.load_before:.1f} → {run.load_after:.1f} |"
        )
    return "\n".join(lines)


def section(runs: list[Run], runs_per_size: int) -> str:
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    return "\n".join(
        (
            HEADING,
            "",
            SECTION_START,
            f"`benchmarks/bench_logs.py --runs {runs_per_size}` ({machine}, {time.strftime('%Y-%m-%d')}): a whole "
            "`regwarden logs analyze FILE --no-record -o json` process per run (start-up, streaming read, the twelve "
            "detections, the report), over generated ACR logs (benchmarks/logs_data.py: ~70 % pulls, 15 % logins, "
            "6 % pushes, 4 % untags and deletes, 5 % Activity Log records; 2,000 addresses over 20 days). Target: "
            "1,000,000 records under 10 s, memory flat between 100,000 and 1,000,000 records.",
            "",
            table(runs),
            SECTION_END,
        )
    )


def write_section(text: str) -> None:
    target = REPO / "BENCHMARKS.md"
    current = target.read_text()
    if SECTION_START in current:
        head = current[: current.index(HEADING)] if HEADING in current else current[: current.index(SECTION_START)]
        tail = current[current.index(SECTION_END) + len(SECTION_END) :]
        target.write_text(head + text + tail)
    else:
        target.write_text(current.rstrip("\n") + "\n\n" + text + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--layouts", nargs="+", default=list(WRITERS), choices=list(WRITERS))
    parser.add_argument("--no-write", action="store_true", help="Print only; leave BENCHMARKS.md alone.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-logs-") as folder:
        runs = [run_size(Path(folder), layout, size, args.runs) for layout in args.layouts for size in args.sizes]
    text = section(runs, args.runs)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
