"""Pull benchmark: `skopeo copy docker://… oci:…` against regwarden's registry pull, same image and registry.

Starts its own `docker-registry` on 127.0.0.1, pushes the image with skopeo, then pulls it N times with each
tool, alternating the order so neither always runs on a warmer cache. Each pull runs in its own child process;
wall time is measured around it and peak RSS comes from `wait4()` (that child and its waited-for descendants).
Prints a Markdown table.

    .venv/bin/python benchmarks/bench_pull.py                       # pyapp-1.1 from the test images
    .venv/bin/python benchmarks/bench_pull.py --large --runs 5      # the ~1 GB image (build-large-image.sh)
    .venv/bin/python benchmarks/bench_pull.py --image oci:DIR:REF

The regwarden pull is `RegistrySource.resolve()` + `prefetch()`: manifest, config and every layer downloaded
concurrently and digest-verified, the same work `skopeo copy` does before it writes its layout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_IMAGE = f"oci:{REPO / '.cache' / 'test-images' / 'oci'}:pyapp-1.1"
LARGE_IMAGE = f"oci:{REPO / '.cache' / 'bench-images' / 'oci'}:large"
PUSHED_NAME = "bench/image:latest"
STARTUP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Run:
    tool: str
    wall_s: float
    peak_rss_kib: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def local_registry(root: Path) -> Iterator[str]:
    """A throw-away distribution registry; yields its host:port."""
    port = free_port()
    config = {  # JSON is valid YAML, which is what the registry reads
        "version": 0.1,
        "log": {"level": "error", "accesslog": {"disabled": True}},
        "storage": {"filesystem": {"rootdirectory": str(root / "data")}},
        "http": {"addr": f"127.0.0.1:{port}"},
    }
    config_path = root / "config.yml"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    with (root / "registry.log").open("wb") as log:
        process = subprocess.Popen(["docker-registry", "serve", str(config_path)], stdout=log, stderr=log)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/v2/", process)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"docker-registry exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise SystemExit(f"docker-registry did not answer on {url} within {STARTUP_TIMEOUT_S}s")


def measured(tool: str, command: Sequence[str]) -> Run:
    """Run COMMAND to completion; wall time and the child's own peak RSS (ru_maxrss, KiB on Linux)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen so it does not wait
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{tool} failed ({process.returncode}): {' '.join(command)}\n{stderr}")
    return Run(tool, wall, usage.ru_maxrss)


def skopeo_pull(reference: str, scratch: Path) -> Run:
    target = scratch / "skopeo-layout"
    shutil.rmtree(target, ignore_errors=True)
    command = [
        "skopeo",
        "copy",
        "--quiet",
        "--src-tls-verify=false",
        f"docker://{reference}",
        f"oci:{target}:bench",
    ]
    return measured("skopeo copy", command)


def regwarden_pull(reference: str, scratch: Path) -> Run:
    command = [sys.executable, __file__, "--child-regwarden-pull", reference, str(scratch)]
    return measured("regwarden RegistrySource", command)


def child_regwarden_pull(reference: str, scratch: Path) -> None:
    """Runs in the measured child: import cost is part of the pull, as it is for a CLI user."""
    from regwarden.model.image import Platform
    from regwarden.oci.reference import parse_reference
    from regwarden.oci.registry_source import RegistrySource, connect

    parsed = parse_reference(reference)
    with (
        connect(parsed.registry, insecure=True) as client,
        RegistrySource(client, parsed, Platform("linux", "amd64"), temp_root=scratch) as source,
    ):
        metadata = source.resolve()
        source.prefetch()
        print(f"{metadata.digest} {len(metadata.layers)} layers")


def push(image: str, host: str) -> str:
    reference = f"{host}/{PUSHED_NAME}"
    command = ["skopeo", "copy", "--quiet", "--dest-tls-verify=false", image, f"docker://{reference}"]
    subprocess.run(command, check=True)
    return reference


def image_size(image: str) -> tuple[int, int]:
    """(number of layers, compressed bytes) from the source manifest."""
    raw = subprocess.run(["skopeo", "inspect", "--raw", image], check=True, capture_output=True).stdout
    layers = json.loads(raw)["layers"]
    return len(layers), sum(int(layer["size"]) for layer in layers)


def table(runs: list[Run], image: str, layers: int, size: int) -> str:
    lines = [
        f"Pull of `{image}` ({layers} layers, {size / 2**20:.1f} MiB compressed) from a local registry, "
        f"{len(runs) // 2} runs each.",
        "",
        "| tool | wall median (s) | wall min (s) | wall max (s) | RSS median (MiB) | RSS max (MiB) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for tool in dict.fromkeys(run.tool for run in runs):
        walls = [run.wall_s for run in runs if run.tool == tool]
        rss = [run.peak_rss_kib / 1024 for run in runs if run.tool == tool]
        lines.append(
            f"| {tool} | {statistics.median(walls):.2f} | {min(walls):.2f} | {max(walls):.2f} "
            f"| {statistics.median(rss):.0f} | {max(rss):.0f} |"
        )
    return "\n".join(lines)


def benchmark(image: str, runs: int) -> str:
    for tool in ("docker-registry", "skopeo"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: run `make system-deps`")
    layers, size = image_size(image)
    with tempfile.TemporaryDirectory(prefix="regwarden-bench-") as temp:
        root = Path(temp)
        with local_registry(root) as host:
            reference = push(image, host)
            results: list[Run] = []
            for attempt in range(runs):
                pulls = (skopeo_pull, regwarden_pull) if attempt % 2 == 0 else (regwarden_pull, skopeo_pull)
                for pull in pulls:
                    scratch = Path(tempfile.mkdtemp(dir=root))
                    results.append(pull(reference, scratch))
                    shutil.rmtree(scratch)
    return table(results, image, layers, size)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", help="skopeo source of the image to push (default: test image pyapp-1.1)")
    parser.add_argument("--large", action="store_true", help="use the image from build-large-image.sh")
    parser.add_argument("--runs", type=int, default=3, help="pulls per tool (default 3)")
    parser.add_argument("--child-regwarden-pull", nargs=2, metavar=("REF", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_regwarden_pull:
        child_regwarden_pull(args.child_regwarden_pull[0], Path(args.child_regwarden_pull[1]))
        return
    image = args.image or (LARGE_IMAGE if args.large else TEST_IMAGE)
    if image.startswith("oci:") and not Path(image[4:].rsplit(":", 1)[0]).is_dir():
        hint = "bash benchmarks/build-large-image.sh" if args.large else "make test-images"
        raise SystemExit(f"{image} does not exist; build it first: {hint}")
    if args.runs < 1:
        raise SystemExit("--runs must be at least 1")
    print(benchmark(image, args.runs))


if __name__ == "__main__":
    main(sys.argv[1:])
