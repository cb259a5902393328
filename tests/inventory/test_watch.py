"""`watch`: one round does every step and goes on past a failing one; a second watcher waits for the lease; SIGTERM
stops the loop cleanly and releases the lease. And the config file it reads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from regwarden.model.errors import BadInputError
from regwarden.service.settings import Settings, WatchedCluster, WatchedRegistry, load_settings
from regwarden.service.watch import LEASE, WatchOptions, watch
from regwarden.store import open_store
from tests.cli.cli_support import invoke

REPO = Path(__file__).resolve().parents[2]
PROD = REPO / "samples" / "cluster" / "aks-prod.json"


def write_config(path: Path, watch_section: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump({"watch": watch_section}), encoding="utf-8")
    return path


def test_a_round_syncs_each_cluster_and_goes_on_past_a_failing_registry(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml",
        {
            "interval": "1h",
            "registries": [{"registry": "127.0.0.1:9", "insecure": True}],  # nothing listens on port 9
            "clusters": [{"from": str(PROD), "cluster": "aks-prod-weu", "catalog": False}],
        },
    )
    db = str(tmp_path / "inventory.db")
    outcome = invoke(["watch", "--once", "--no-update", "--config", str(config), "--db", db])
    assert outcome.code == 4  # a step failed
    lines = [line.split(" ", 1)[1] for line in outcome.stderr.splitlines()]
    assert [line.split(":", 1)[0] for line in lines] == [
        "registry 127.0.0.1",
        f"cluster {PROD}",
        "notifications",
    ]
    assert lines[0].startswith("registry 127.0.0.1:9: failed:")
    assert lines[1].startswith(f"cluster {PROD}: 11 workloads")
    with open_store(db) as store:
        assert [sync.cluster for sync in store.workloads.clusters()] == ["aks-prod-weu"]
        assert store.leases.holder(LEASE) is None  # released on the way out


def test_a_second_watcher_waits_for_the_lease(tmp_path: Path) -> None:
    db = str(tmp_path / "inventory.db")
    with open_store(db) as store:
        assert store.leases.acquire(LEASE, "other-host:1", ttl=timedelta(minutes=10))
    settings = Settings(clusters=(WatchedCluster(from_file=PROD, cluster="aks-prod-weu", catalog=False),))
    logged: list[str] = []
    rounds = watch(
        settings, WatchOptions(db_url=db, once=True, update_advisories=False), threading.Event(), logged.append
    )
    assert rounds == []
    assert logged == ["another watcher (other-host:1) holds the lease; waiting"]
    with open_store(db) as store:
        assert store.workloads.clusters() == []  # no work was done twice
        holder = store.leases.holder(LEASE)
        assert holder is not None and holder[0] == "other-host:1"


def test_sigterm_stops_the_loop_and_releases_the_lease(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "config.yaml", {"interval": "1h", "clusters": [{"from": str(PROD), "catalog": False}]}
    )
    db = str(tmp_path / "inventory.db")
    env = {**os.environ, "REGWARDEN_DB": db, "HOME": str(tmp_path)}
    command = [sys.executable, "-m", "regwarden", "watch", "--no-update", "--config", str(config)]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("notifications:" in line for line in seen):
            seen.append(process.stderr.readline())
        assert any("notifications: no webhooks configured" in line for line in seen), seen
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert "received SIGTERM: stopping after the current step" in process.stderr.read()
    with open_store(db) as store:
        assert store.leases.holder(LEASE) is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("nonsense: 1\n", "unknown section(s) nonsense"),
        ("watch: [1]\n", "watch: expected a mapping"),
        ("watch: {clusters: [{context: a, from: b}]}\n", "watch.clusters[0]: expected a mapping with either"),
        ("watch: {registries: [{repo: x}]}\n", "watch.registries[0]: expected a mapping with a `registry` host"),
        ("watch: {interval: soon}\n", "'soon' is not a duration"),
        ("environments: {rules: [{match: {}}]}\n", "environments"),
        ("a: [\n", "is not valid YAML"),
    ],
)
def test_config_mistakes_are_named(tmp_path: Path, document: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(BadInputError, match=str(path)) as raised:
        load_settings(path, {})
    assert message in str(raised.value)


def test_the_default_config_is_found_in_the_xdg_config_home(tmp_path: Path) -> None:
    assert load_settings(None, {"XDG_CONFIG_HOME": str(tmp_path)}) == Settings()
    default = tmp_path / "regwarden" / "config.yaml"
    default.parent.mkdir()
    write_config(default, {"interval": "90s", "registries": [{"registry": "myreg.azurecr.io", "repo": "shop/.*"}]})
    settings = load_settings(None, {"XDG_CONFIG_HOME": str(tmp_path)})
    assert (settings.interval, settings.registries, settings.source) == (
        timedelta(seconds=90),
        (WatchedRegistry("myreg.azurecr.io", "shop/.*"),),
        default,
    )
    with pytest.raises(BadInputError, match="cannot read config file"):  # named explicitly, so it must exist
        load_settings(None, {"XDG_CONFIG_HOME": str(tmp_path), "REGWARDEN_CONFIG": str(tmp_path / "none.yaml")})
