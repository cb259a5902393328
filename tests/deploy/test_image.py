"""regwarden's own container image: built without a daemon (scripts/build-image.sh), run as uid 65532 on a read-only
root filesystem, and scanned by regwarden itself: its SBOM holds exactly what dpkg and pip installed, and a scan of
it runs against the advisory snapshot. The worker and the server run from the image as the Kubernetes manifests run
them (only /tmp and /home/regwarden writable)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from regwarden.model.job import JobState
from regwarden.store import open_store
from tests.deploy.image import UID, BuiltImage, read_only_command, regwarden_image, run_regwarden_on_host
from tests.jobs.workers import job_env, wait_for_jobs, write_config
from tests.support.registry import free_port

__all__ = ["regwarden_image"]
pytestmark = pytest.mark.xdist_group("regwarden-image")
ADVISORIES = Path(__file__).resolve().parents[2] / "samples" / "advisories"


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_the_image_runs_as_a_user_with_regwarden_as_its_entrypoint(regwarden_image: BuiltImage) -> None:
    inspected = run_regwarden_on_host(["inspect", regwarden_image.reference, "-o", "json"], {})
    assert inspected.returncode == 0, inspected.stderr
    config = json.loads(inspected.stdout)["config"]
    assert config["user"] == f"{UID}:{UID}"
    assert config["entrypoint"] == ["/opt/regwarden/bin/regwarden"]
    assert "HOME=/home/regwarden" in config["env"] and "PYTHONDONTWRITEBYTECODE=1" in config["env"]
    assert config["labels"]["org.opencontainers.image.version"] == regwarden_image.expected["version"]
    passwd = (regwarden_image.rootfs / "etc" / "passwd").read_text()
    assert f"regwarden:x:{UID}:{UID}::/home/regwarden:/usr/sbin/nologin" in passwd.splitlines()
    assert not (regwarden_image.rootfs / "opt" / "regwarden" / "bin" / "pip").exists()  # no installer left behind


def test_its_sbom_holds_exactly_what_dpkg_and_pip_installed(regwarden_image: BuiltImage, tmp_path: Path) -> None:
    made = run_regwarden_on_host(["sbom", regwarden_image.reference, "-o", "json"], {"HOME": str(tmp_path)})
    assert made.returncode == 0, made.stderr
    sbom = json.loads(made.stdout)
    found = {(p["type"], _normal(p["name"]), p["version"]) for p in sbom["packages"]}
    expected = regwarden_image.expected
    dpkg = {("deb", _normal(name), version) for name, version in expected["dpkg"]}
    python = {("pypi", _normal(name), version) for name, version in expected["python"]}
    wheel_files = {("pypi", _normal(name), version) for name, version in expected["wheel_files"]}
    assert found == dpkg | python | wheel_files
    assert ("pypi", "regwarden", expected["version"]) in found and sbom["unknowns"] == []


def test_regwarden_scans_itself(regwarden_image: BuiltImage, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "REGWARDEN_DB": str(tmp_path / "advisories.db")}
    assert run_regwarden_on_host(["db", "import", str(ADVISORIES)], env).returncode == 0
    scanned = run_regwarden_on_host(["scan", regwarden_image.reference, "--fail-on", "high", "-o", "json"], env)
    assert scanned.returncode == 0, scanned.stdout[-2000:] + scanned.stderr
    report = json.loads(scanned.stdout)
    # The advisory snapshot knows PyPI and npm, not Debian: every Debian package is said to be unchecked.
    assert report["findings"] == [] and report["gate"] == {"fail_on": "high", "failed": False}
    expected = regwarden_image.expected
    scanned_count = len(expected["dpkg"]) + len(expected["python"]) + len(expected["wheel_files"])
    assert report["summary"]["packages_scanned"] == scanned_count
    assert any("Debian package name(s) were not checked" in warning for warning in report["warnings"])


def test_the_cli_works_on_a_read_only_root_filesystem(regwarden_image: BuiltImage) -> None:
    script = (
        "regwarden db import /mnt/advisories -o json >/dev/null"
        " && regwarden scan oci-archive:/mnt/demo.oci.tar --fail-on critical -o json >/tmp/scan.json"
        ' && touch /opt/regwarden/written 2>/dev/null; echo "write to /opt: $?"'
        " && ls -A /home/regwarden/.local/share/regwarden && id -u && python3 -c "
        '\'import json; print(len(json.load(open("/tmp/scan.json"))["findings"]))\''
    )
    command = read_only_command(regwarden_image, ["sh", "-c", script], {})
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["write", "to", "/opt:", "1", "regwarden.db", str(UID), "13"]


def _start_in_image(image: BuiltImage, args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        return subprocess.Popen(
            read_only_command(image, ["regwarden", *args], env), stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_worker_and_the_server_run_from_the_read_only_image(
    regwarden_image: BuiltImage, tmp_path: Path, redis_url: str, new_postgres_database: Callable[[str], str]
) -> None:
    db = new_postgres_database("image")
    config = write_config(tmp_path / "config.yaml")
    env = job_env(tmp_path, db, redis_url, config)
    with open_store(db):
        pass  # migrated, as the migration Job does before workers start
    inside = {"REGWARDEN_DB": db, "REGWARDEN_BROKER": redis_url}
    worker = _start_in_image(regwarden_image, ["worker", "--concurrency", "1"], inside, tmp_path / "worker.log")
    port = free_port()
    server = _start_in_image(
        regwarden_image, ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-jobs"], inside, tmp_path / "s.log"
    )
    try:
        submitted = run_regwarden_on_host(
            ["jobs", "submit", "sync-cluster", "--from", "/mnt/cluster/aks-prod.json", "--cluster", "aks-prod-weu",
             "--no-catalog"], env,
        )  # fmt: skip
        assert submitted.returncode == 0, submitted.stderr
        with open_store(db) as store:
            [job] = wait_for_jobs(store, expected=1, timeout=120)
        assert job.state is JobState.SUCCEEDED, ((tmp_path / "worker.log").read_text(), job)
        assert job.result is not None and job.result.startswith("11 workloads")
        assert (job.worker or "").startswith("regwarden-")
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail((tmp_path / "s.log").read_text())
                time.sleep(0.5)
        assert health.status_code == 200
    finally:
        _stop(worker)
        _stop(server)
    assert "Read-only file system" not in (tmp_path / "worker.log").read_text()
    assert "Read-only file system" not in (tmp_path / "s.log").read_text()
