"""Helpers for purge tests against real registries: a store with workloads running given digests, and checks of
what a registry still holds."""

from __future__ import annotations

from pathlib import Path

from regwarden.model.workload import ClusterSnapshot, Environment, EnvironmentDecision, Workload
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.store import Store, open_store


def store_running(path: Path, running: dict[str, str]) -> Store:
    """A SQLite store where cluster `aks-prod` runs each digest of `running` (digest → workload name)."""
    store = open_store(f"sqlite:///{path}")
    workloads = tuple(
        Workload("aks-prod", "shop", "Deployment", name, "app", f"registry/{name}", digest)
        for digest, name in running.items()
    )
    decision = EnvironmentDecision(Environment.PRODUCTION, "test")
    store.workloads.replace_cluster(ClusterSnapshot("aks-prod", workloads), [decision] * len(workloads), "test")
    return store


def present(client: RegistryClient, repo: str, digest: str) -> bool:
    try:
        client.head_manifest(repo, digest)
    except ManifestNotFoundError:
        return False
    return True
