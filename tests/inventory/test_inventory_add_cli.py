"""`inventory add` of registry references: a digest already catalogued is recognised from its manifest alone (no
layer is read again), and a registry that cannot be reached keeps its own exit code (4), not "bad input"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.cli_support import invoke
from tests.support.registry import RunningRegistry, push, start_registry, stop_registry

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "samples" / "demo.oci.tar"
DEMO_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"


def test_a_catalogued_digest_is_not_read_again(tmp_path: Path) -> None:
    running: RunningRegistry = start_registry(tmp_path / "registry")
    try:
        push(f"oci-archive:{DEMO}", f"{running.host}/ci/web:1.0", "oci")
        db = str(tmp_path / "inventory.db")
        first = invoke(["inventory", "add", f"{running.host}/ci/web:1.0", "--insecure", "--db", db, "-o", "json"])
        assert (first.code, json.loads(first.stdout)["new"]) == (0, True), first.stderr
        # Every layer blob goes away: a second add that read a layer would fail.
        blobs = running.root / "data" / "docker" / "registry" / "v2" / "blobs" / "sha256"
        layers = json.loads(invoke(["inspect", f"{running.host}/ci/web:1.0", "--insecure", "-o", "json"]).stdout)
        for layer in layers["layers"]:
            hex_digest = layer["digest"].removeprefix("sha256:")
            shutil.rmtree(blobs / hex_digest[:2] / hex_digest)
        push(f"oci-archive:{DEMO}", f"{running.host}/ci/web:latest", "oci")
        again = invoke(["inventory", "add", f"{running.host}/ci/web:latest", "--insecure", "--db", db, "-o", "json"])
        assert again.code == 0, again.stderr
        document = json.loads(again.stdout)
        assert (document["digest"], document["new"], document["error"]) == (DEMO_DIGEST, False, None)
        listing = json.loads(invoke(["inventory", "list", "--db", db, "-o", "json"]).stdout)
        [image] = listing["images"]
        assert image["places"] == [{"registry": running.host, "repository": "ci/web", "tags": ["1.0", "latest"]}]
    finally:
        stop_registry(running)


def test_an_unreachable_registry_is_exit_4(tmp_path: Path) -> None:
    outcome = invoke(
        ["inventory", "add", "127.0.0.1:9/ci/web:1.0", "--insecure", "--timeout", "2", "--db", str(tmp_path / "i.db")]
    )
    assert outcome.code == 4, outcome.stderr
