"""The background jobs in the server's process: a watch round from the config file, under the watch lease."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from regwarden.store import Store
from tests.web.conftest import SAMPLES, serve


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.yaml"
    prod = SAMPLES / "cluster" / "aks-prod.json"
    config.write_text(
        f"watch:\n  interval: 1h\n  clusters:\n    - {{from: {prod}, cluster: aks-edge, catalog: false}}\n"
    )
    return config


def _wait(condition: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _clusters(store: Store) -> set[str]:
    return {sync.cluster for sync in store.workloads.clusters()}


def test_a_watch_round_runs_in_the_server_and_releases_the_lease(demo_db: str, tmp_path: Path) -> None:
    for server in serve(demo_db, jobs=True, config_file=_config(tmp_path), update_advisories=False):
        store = server.store
        assert _wait(lambda: "aks-edge" in _clusters(store))  # noqa: B023 (the loop runs once)
        edge = next(c for c in store.workloads.clusters() if c.cluster == "aks-edge")
        assert edge.workloads == 11
        assert _wait(lambda: store.leases.holder("watch") is None)  # noqa: B023 (released once the round is done)


def test_a_round_waits_while_another_watcher_holds_the_lease(demo_db: str, tmp_path: Path) -> None:
    from regwarden.store import open_store

    with open_store(demo_db) as store:
        assert store.leases.acquire("watch", "another-host:1", ttl=timedelta(hours=1))
    for server in serve(demo_db, jobs=True, config_file=_config(tmp_path), update_advisories=False):
        time.sleep(3)
        assert "aks-edge" not in _clusters(server.store)
        holder = server.store.leases.holder("watch")
        assert holder is not None and holder[0] == "another-host:1"
