"""Admission webhook latency at a steady request rate, warm cache: target p99 < 20 ms at 200 requests/s.

Set-up, all on 127.0.0.1: the CNCF registry (docker-registry) holding samples/demo-1.1.oci.tar with a Notation
signature made here, the bundled advisory snapshot in SQLite, and `regwarden serve admission` as its own process
over TLS (self-signed certificate, verified by the clients) with a policy that checks the registry, the signature
and the findings (scan on a miss). The request is the Pod of a ReplicaSet in the shape the Kubernetes
documentation gives, with an init container and two containers naming the image by tag (resolved through the
registry) and by digest. One warm-up review verifies, scans and caches; every review after it is answered from the
cache, and every one must come back allowed.

Two load generators, each for --duration seconds at --rate requests/s over HTTP/1.1 keep-alive connections:
- wrk (Debian's package), paced with a Lua `delay()` per connection (the rate it reached is reported);
- an open-loop generator in Python (httpx, one process and connection per worker, TCP_NODELAY): requests start
  on a fixed schedule whatever the answers do, and each latency is counted from its scheduled start, so a stall
  is never hidden (no coordinated omission).

    .venv/bin/python benchmarks/bench_admission.py                     # 200 req/s for 30 s, both generators
    .venv/bin/python benchmarks/bench_admission.py --rate 400 --duration 20 --tool python
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.support: the registry helpers and the small PKI the tests use

import httpx  # noqa: E402
import yaml  # noqa: E402
from tests.signing import pki  # noqa: E402
from tests.support.registry import free_port, make_self_signed, push, start_registry, stop_registry  # noqa: E402

from regwarden.oci.registry_source import connect  # noqa: E402
from regwarden.service.sign import load_signing_key, sign_image  # noqa: E402

SAMPLES = REPO / "samples"
REVIEW = REPO / "tests" / "admission" / "reviews" / "pod-create.json"
PATH = "/admission/validate"


@dataclass
class Result:
    tool: str
    requests: int
    seconds: float
    errors: int
    p50: float
    p90: float
    p99: float
    maximum: float | None
    server_cpu_ms: float = 0.0
    """The server process's CPU time per answered request during the run (user + system)."""
    decision_p99: float = 0.0
    """The decision's own time (parse to answer, without HTTP and TLS), p99, from the server's log."""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _trust(directory: Path) -> Path:
    root = pki.root("Bench Root")
    signer = pki.leaf(root, "release-pipeline")
    (directory / "signer.key").write_bytes(signer.key_pem)
    (directory / "chain.pem").write_bytes(signer.pem + root.pem)
    store = directory / "truststore" / "x509" / "ca" / "release"
    store.mkdir(parents=True)
    (store / "root.pem").write_bytes(root.pem)
    statement = {"name": "release", "registryScopes": ["*"], "signatureVerification": {"level": "strict"},
                 "trustStores": ["ca:release"], "trustedIdentities": ["*"]}  # fmt: skip
    (directory / "trustpolicy.json").write_text(json.dumps({"version": "1.0", "trustPolicies": [statement]}))
    return directory


def _review(image_by_tag: str, image_by_digest: str) -> bytes:
    body = json.loads(REVIEW.read_text())
    spec = body["request"]["object"]["spec"]
    spec["containers"][0]["image"] = image_by_tag
    spec["containers"][1]["image"] = image_by_digest
    spec["initContainers"][0]["image"] = image_by_digest
    return json.dumps(body).encode()


@contextmanager
def webhook_server(work: Path) -> Iterator[tuple[str, bytes, Path, Path, int]]:
    """The registry, the signed image, the database and `serve admission`: (url, review body, CA file, log, pid)."""
    registry = start_registry(work / "registry")
    try:
        image = f"{registry.host}/bench/web:1.1"
        push(f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", image, "oci")
        trust = _trust(work)
        with connect(registry.host, insecure=True) as client:
            digest = sign_image(
                image, load_signing_key(trust / "signer.key"), trust / "chain.pem", client
            ).subject_digest
        database = work / "regwarden.db"
        run = [sys.executable, "-m", "regwarden"]
        subprocess.run([*run, "db", "import", str(SAMPLES / "advisories"), "--db", str(database)], check=True,
                       capture_output=True)  # fmt: skip
        policy = work / "admission.yaml"
        policy.write_text(yaml.safe_dump({
            "registries": [registry.host],
            "signatures": {"policy": str(trust / "trustpolicy.json")},
            "findings": {"failOn": "high", "onMiss": "scan", "scanTimeout": "30s"},
        }))  # fmt: skip
        tls = make_self_signed(work / "tls")
        port = free_port()
        log = work / "admission.log"
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [*run, "serve", "admission", "--listen", f"127.0.0.1:{port}", "--tls-cert", str(tls.cert_path),
                 "--tls-key", str(tls.key_path), "--policy", str(policy), "--db", str(database), "--insecure"],
                stdout=sink, stderr=sink, env={**os.environ, "HOME": str(work)}, preexec_fn=_raise_priority,
            )  # fmt: skip
        try:
            context = ssl.create_default_context(cafile=tls.cert_path)
            url = f"https://127.0.0.1:{port}"
            _wait(url, context, server)
            yield url, _review(image, f"{registry.host}/bench/web@{digest}"), tls.cert_path, log, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
    finally:
        stop_registry(registry)


def _wait(url: str, context: ssl.SSLContext, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("serve admission exited during start-up")
        try:
            if httpx.get(f"{url}/healthz", verify=context, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit("serve admission did not answer within 60 s")


def warm_up(url: str, body: bytes, cafile: Path, log: Path) -> tuple[float, float]:
    """The cold review (tag resolved, signature verified, image scanned and catalogued) and a warm one, in ms."""
    timings = []
    with httpx.Client(verify=ssl.create_default_context(cafile=cafile), timeout=60) as client:
        for _ in range(2):
            started = time.perf_counter()
            answer = client.post(url + PATH, content=body).json()
            timings.append((time.perf_counter() - started) * 1000)
            if answer["response"]["allowed"] is not True:
                raise SystemExit(f"the benchmark image was not admitted: {answer}")
    decisions = [json.loads(line) for line in log.read_text().splitlines() if '"event":"admission"' in line]
    cached = [[image["cached"] for image in decision["images"]] for decision in decisions]
    # The cold review looks once (the second container names the same digest and finds it cached).
    if cached != [[False, True], [True, True]]:
        raise SystemExit(f"expected a cold then a cached decision, got {cached}")
    return timings[0], timings[1]


def run_wrk(url: str, body: bytes, rate: float, duration: int, connections: int, work: Path) -> Result:
    """wrk with a pause per connection that makes `connections` connections send `rate` requests a second: a
    3-second run measures the answer time, which the pause then leaves room for."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run `make system-deps`")
    (work / "body.json").write_bytes(body)
    period = connections * 1000 / rate
    trial = _wrk(url, work, connections, 3, period)
    answer_ms = max(0.0, connections * 1000 / trial.rate - period) if trial.rate else 0.0
    return _wrk(url, work, connections, duration, max(0.0, period - answer_ms))


def _wrk(url: str, work: Path, connections: int, duration: int, pause_ms: float) -> Result:
    script = work / "review.lua"
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'local f = io.open("{work / "body.json"}", "rb")\nwrk.body = f:read("*a")\nf:close()\n'
        f"function delay() return {pause_ms:.2f} end\n"
    )
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url + PATH]
    output = subprocess.run(command, capture_output=True, text=True, check=True, preexec_fn=_raise_priority).stdout
    return _parse_wrk(output, duration)


def _parse_wrk(output: str, duration: int) -> Result:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)$", output, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(errors.group(1)) if errors else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    maximum = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    return Result("wrk", requests, float(duration), failed, ms(percentiles["50"]), ms(percentiles["90"]),
                  ms(percentiles["99"]), ms(maximum.group(1)) if maximum else None)  # fmt: skip


def run_open_loop(url: str, body: bytes, rate: float, duration: int, connections: int, cafile: Path) -> Result:
    """One process and one keep-alive connection (TCP_NODELAY, as Go's HTTP client sets it) per worker: threads
    sharing one interpreter lock measured the client, not the server. Worker k sends requests k, k + n, k + 2n, …
    each at its scheduled time (at once when late), and counts its latency from that scheduled time."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[tuple[list[float], int]] = context.Queue()
    connected: multiprocessing.Queue[int] = context.Queue()
    start = context.Value("d", 0.0)
    go = context.Event()
    total = int(rate * duration)
    schedule = (rate, total, connections, start, go, connected, results)
    workers = [context.Process(target=_worker, args=(url, body, cafile, k, schedule)) for k in range(connections)]
    for process in workers:
        process.start()
    for _ in workers:  # the clock starts once every worker is connected: start-up is not counted against anyone
        connected.get(timeout=120)
    start.value = time.time() + 0.1
    go.set()
    gathered = [results.get(timeout=duration + 60) for _ in workers]
    for process in workers:
        process.join()
    ordered = sorted(latency for latencies, _ in gathered for latency in latencies)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    errors = sum(count for _, count in gathered)
    return Result("python open loop (httpx, a process per connection)", total, float(duration), errors,
                  pick(0.50), pick(0.90), pick(0.99), ordered[-1])  # fmt: skip


def _worker(url: str, body: bytes, cafile: Path, first: int, schedule: tuple[Any, ...]) -> None:
    rate, total, step, start, go, connected, results = schedule
    _raise_priority()
    transport = httpx.HTTPTransport(
        verify=ssl.create_default_context(cafile=cafile), socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    latencies: list[float] = []
    errors = 0
    with httpx.Client(transport=transport, timeout=10) as client:
        client.get(url + "/healthz")
        connected.put(first)
        go.wait()
        for index in range(first, total, step):
            scheduled = start.value + index / rate
            time.sleep(max(0.0, scheduled - time.time()))
            try:
                answer = client.post(url + PATH, content=body, headers={"Content-Type": "application/json"})
                ok = answer.status_code == 200 and b'"allowed":true' in answer.content
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies.append((time.time() - scheduled) * 1000)  # from the scheduled start: stalls count
            else:
                errors += 1
    results.put((latencies, errors))


def _raise_priority() -> None:
    """On a shared machine, the server and the load tools run at raised priority when allowed (root), as a pod's CPU
    request would reserve them a share in a cluster; recorded with the results. Linux schedules sessions as groups
    (autogroup), so the session's group is raised too: a nice value alone only orders this session's processes."""
    if os.environ.get("BENCH_ADMISSION_NO_RAISE"):
        return
    with suppress(PermissionError):
        os.nice(-10 - os.nice(0))
    with suppress(OSError):
        Path("/proc/self/autogroup").write_text("-10")


def _measured(pid: int, log: Path, run: Callable[[], Result]) -> Result:
    """`run`, with the server's CPU time and its own decision times over the same run."""
    cpu_before, lines_before = _cpu_seconds(pid), len(log.read_text().splitlines())
    result = run()
    cpu = _cpu_seconds(pid) - cpu_before
    records = [
        json.loads(line) for line in log.read_text().splitlines()[lines_before:] if '"event":"admission"' in line
    ]
    times = sorted(record["elapsed_ms"] for record in records)
    result.errors += sum(1 for record in records if record["allowed"] is not True)
    result.server_cpu_ms = cpu * 1000 / max(1, len(records))
    result.decision_p99 = times[min(len(times) - 1, int(0.99 * len(times)))] if times else 0.0
    return result


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tool", choices=("wrk", "python", "both"), default="both")
    parser.add_argument("--no-raise", action="store_true", help="Leave priorities as they are (shared machine).")
    args = parser.parse_args()
    if args.no_raise:
        os.environ["BENCH_ADMISSION_NO_RAISE"] = "1"  # read by the processes it starts too
    group = Path("/proc/self/autogroup")
    before = group.read_text().split()[-1] if group.exists() else None
    _raise_priority()
    try:
        _run(args)
    finally:
        if before is not None:  # the session's group outlives this process: give its share back
            with suppress(OSError):
                group.write_text(before)


def _run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-admission-") as tmp, webhook_server(Path(tmp)) as served:
        url, body, cafile, log, pid = served
        cold, warm = warm_up(url, body, cafile, log)
        print(f"cold review (resolve, verify, scan and catalogue): {cold:.0f} ms; first warm review: {warm:.1f} ms")
        results = []
        if args.tool in ("wrk", "both"):
            results.append(_measured(pid, log, lambda: run_wrk(url, body, args.rate, args.duration, args.connections,
                                                                Path(tmp))))  # fmt: skip
        if args.tool in ("python", "both"):
            results.append(_measured(pid, log, lambda: run_open_loop(url, body, args.rate, args.duration,
                                                                     args.connections, cafile)))  # fmt: skip
        load = os.getloadavg()[0]
    group = Path("/proc/self/autogroup").read_text().split()[-1] if Path("/proc/self/autogroup").exists() else "-"
    print(f"\ntarget: p99 < 20 ms at {args.rate:g} requests/s, warm cache; load average {load:.1f}; "
          f"nice {os.nice(0)}, session group nice {group}\n")  # fmt: skip
    print("| generator | requests | achieved req/s | errors | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) "
          "| server CPU per request (ms) | decision p99 (ms) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        maximum = f"{r.maximum:.1f}" if r.maximum is not None else "-"
        print(f"| {r.tool} | {r.requests} | {r.rate:.0f} | {r.errors} | {r.p50:.2f} | {r.p90:.2f} | {r.p99:.2f} | "
              f"{maximum} | {r.server_cpu_ms:.2f} | {r.decision_p99:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
