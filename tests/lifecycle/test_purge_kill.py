"""A `purge --apply` killed with SIGKILL half-way, then run again: every digest the plan selected is deleted exactly
once (the registry answers 202 once per digest), nothing else is, and the archive holds every deleted manifest.

The registry sits behind a counting front (LocalServer) that slows deletes down so the kill lands mid-run. The kill
comes after an index is gone, while the deletes of its two (untagged, so no longer listed) manifests are in flight:
the front forwards one of them after the process died (the registry deletes it; the second run finds it gone) and
drops the other (the second run takes it up from the journal and deletes it).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regwarden.lifecycle.archive import verify_archive
from regwarden.lifecycle.journal import read_runs
from regwarden.oci.client import RegistryClient
from tests.lifecycle.purge_support import present, store_running
from tests.lifecycle.registry_images import push_image, push_index, push_signature
from tests.support.registry import LocalServer, Reply, Request, RunningRegistry, proxy_to

pytestmark = pytest.mark.registry
REPO = "killed/app"
KILL_TIMEOUT_S = 60


class CountingFront:
    """Forwards to the registry; counts each 202 DELETE by digest; slows deletes; holds `slow` digests longer."""

    def __init__(self, registry: RunningRegistry) -> None:
        self.registry = registry
        self.deleted: Counter[str] = Counter()
        self.delay = 0.03
        self.slow: set[str] = set()
        self.dropped: set[str] = set()
        self.arrived: set[str] = set()
        """Digests whose DELETE reached the front."""
        self._lock = threading.Lock()
        self.server = LocalServer(self.answer)

    def answer(self, request: Request) -> Reply:
        digest = request.path.rsplit("/", 1)[-1]
        if request.method == "DELETE":
            with self._lock:
                self.arrived.add(digest)
            time.sleep(3.0 if digest in self.slow | self.dropped else self.delay)
            if digest in self.dropped:
                return Reply(503)  # as if the request had never reached the registry
        reply = proxy_to(self.registry, request)
        if request.method == "DELETE" and reply.status == 202:
            with self._lock:
                self.deleted[digest] += 1
        return reply


@pytest.fixture
def front(registry: RunningRegistry) -> Iterator[CountingFront]:
    counting = CountingFront(registry)
    with counting.server:
        yield counting


def test_a_killed_apply_resumes_and_deletes_each_digest_once(
    front: CountingFront, registry: RunningRegistry, tmp_path: Path
) -> None:
    with RegistryClient(registry.host, insecure=True) as client:
        doomed = [push_image(client, REPO, (f"v{n}",), age=40) for n in range(24)]
        signature = push_signature(client, REPO, doomed[0])
        children = [push_image(client, REPO, age=40), push_image(client, REPO, age=40, architecture="arm64")]
        index = push_index(client, REPO, ("multi",), children, age=40)
        live, fresh = push_image(client, REPO, ("live",), age=40), push_image(client, REPO, ("new",), age=1)
        tag_index = client.head_manifest(REPO, doomed[0].digest.replace(":", "-")).digest
    front.slow, front.dropped = {children[0].digest}, {children[1].digest}
    selected = {d.digest for d in (*doomed, signature, *children, index)} | {tag_index}
    store_running(tmp_path / "db.sqlite", {live.digest: "app"}).close()
    journal, archive = tmp_path / "journal.jsonl", tmp_path / "archive"
    args = [sys.executable, "-m", "regwarden", "purge", front.server.host, "-f", f"{REPO}:.*", "--ago", "7d"]
    args += ["--untagged", "--apply", "--insecure", "--concurrency", "4", "--journal", str(journal)]
    args += ["--archive", str(archive), "--db", str(tmp_path / "db.sqlite"), "-o", "json"]

    first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(tmp_path))
    _wait_until(lambda: {child.digest for child in children} <= front.arrived)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=KILL_TIMEOUT_S) == -signal.SIGKILL
    killed_run = next(iter(read_runs(journal).values()))
    assert not killed_run.finished and killed_run.pending()
    time.sleep(3.5)  # the held-back delete reaches the registry after its client died: it still happens once

    front.delay, front.slow, front.dropped = 0.0, set(), set()
    second = subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), timeout=KILL_TIMEOUT_S)
    assert second.returncode == 0, second.stderr
    report = json.loads(second.stdout)
    assert report["resumed"] == killed_run.run_id

    assert set(front.deleted) == selected
    assert all(count == 1 for count in front.deleted.values()), front.deleted
    with RegistryClient(registry.host, insecure=True) as client:
        assert not any(present(client, REPO, digest) for digest in selected)
        assert present(client, REPO, live.digest) and present(client, REPO, fresh.digest)
    verified, problems = verify_archive(archive)
    assert problems == [] and verified > len(selected)
    for digest in selected:
        assert (archive / REPO / "blobs" / "sha256" / digest.split(":")[1]).is_file(), digest
    outcomes = Counter(
        (entry["digest"], entry["event"])
        for entry in map(json.loads, journal.read_text().splitlines())
        if entry["event"] in ("deleted", "already-gone")
    )
    assert {digest for digest, _ in outcomes} == selected
    assert all(outcomes[(digest, "deleted")] <= 1 for digest in selected)
    resumed = read_runs(journal)[report["run"]]
    assert resumed.finished and resumed.resumes == killed_run.run_id
    assert resumed.outcomes[("delete", REPO, children[0].digest)] == "already-gone"
    assert resumed.outcomes[("delete", REPO, children[1].digest)] == "deleted"


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + KILL_TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.01)
    pytest.fail("the first run never sent the deletes of the index's manifests")


def _env(home: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REGWARDEN_", "DOCKER_"))}
    return {**clean, "HOME": str(home), "DOCKER_CONFIG": str(home / ".docker")}
