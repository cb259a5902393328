"""`regwarden sync registry | k8s`: bring a registry's images and a cluster's workloads into the inventory."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.sync import CatalogOutcome
    from regwarden.model.workload import ClusterSnapshot

app = typer.Typer(help="Sync registries and clusters into the inventory.", no_args_is_help=True)


class SyncFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command("registry")
def registry(
    registry: str = typer.Argument(..., help="Registry host, e.g. myreg.azurecr.io or localhost:5000."),
    repo: str | None = typer.Option(
        None, "--repo", help="Only repositories whose whole name matches this regular expression (e.g. 'shop/.*')."
    ),
    since: str | None = typer.Option(
        None, "--since", help="Only catalog manifests pushed or updated within this duration (ACR): 30m, 12h, 7d."
    ),
    workers: int = typer.Option(4, "--workers", min=1, max=32, help="Images catalogued at once."),
    acr: bool | None = typer.Option(
        None, "--acr/--no-acr", help="Use ACR's /acr/v1 listings (default: for *.azurecr.io hosts)."
    ),
    output: SyncFormat = typer.Option(SyncFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    platform: str = options.PLATFORM,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Crawl a registry's repositories and tags; catalog every digest not seen before, record tag moves.

    Incremental (a re-sync with nothing new reads listings only) and resumable (each image is committed when
    catalogued). An image that cannot be read is recorded with its error and the sync goes on; the exit code is
    then 4 so a scheduled job notices.
    """
    from regwarden.durations import parse_duration
    from regwarden.report.sync_report import render_registry_sync_json, render_registry_sync_table
    from regwarden.service.images import ImageOptions
    from regwarden.service.settings import load_settings
    from regwarden.service.sync_registry import SyncOptions, sync_registry
    from regwarden.store import open_store

    settings = load_settings(config)
    sync_options = SyncOptions(
        image=ImageOptions.from_cli(platform, insecure, username, password, timeout),
        repository_pattern=repo,
        since=parse_duration(since) if since else None,
        workers=workers,
        acr=acr,
        locks=settings.locks,
    )
    with open_store(db) as store, _Progress() as progress:
        report = sync_registry(store, registry, sync_options, progress=progress, endpoints=settings.endpoints)
    render = render_registry_sync_json if output is SyncFormat.JSON else render_registry_sync_table
    options.write_output(render(report), output_file)
    if report.failed:
        typer.echo(f"regwarden: warning: {len(report.failed)} image(s) could not be catalogued", err=True)
        raise typer.Exit(4)


@app.command("k8s")
def k8s(
    context: str | None = typer.Option(None, "--context", help="kubeconfig context (default: the current one)."),
    all_contexts: bool = typer.Option(False, "--all-contexts", help="Every context of the kubeconfig."),
    from_file: list[Path] = typer.Option(
        [], "--from", help="A `kubectl get pods -A -o json` file instead of a live cluster (repeatable)."
    ),
    cluster: str | None = typer.Option(
        None, "--cluster", help="Cluster name to record (default: the context's cluster, or the file's name)."
    ),
    kubeconfig: Path | None = typer.Option(None, "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG)."),
    catalog: bool = typer.Option(
        True, "--catalog/--no-catalog", help="Fetch and catalog running digests the inventory lacks."
    ),
    output: SyncFormat = typer.Option(SyncFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    insecure: bool = options.INSECURE,
    timeout: float = options.TIMEOUT,
) -> None:
    """Record which digests run in which clusters (pods → Deployments, StatefulSets, DaemonSets, CronJobs, Jobs)."""
    from regwarden.model.errors import BadInputError
    from regwarden.report.sync_report import render_cluster_sync_json, render_cluster_sync_table
    from regwarden.service.images import ImageOptions
    from regwarden.service.settings import load_settings
    from regwarden.service.sync_k8s import sync_cluster
    from regwarden.store import open_store

    chosen = sum((bool(context), all_contexts, bool(from_file)))
    if chosen > 1:
        raise BadInputError("use one of --context, --all-contexts and --from")
    if cluster and (all_contexts or len(from_file) > 1):
        raise BadInputError("--cluster names one cluster: use it with one --context or one --from file")
    settings = load_settings(config)
    image_options = ImageOptions.from_cli(None, insecure, None, None, timeout)
    reports = []
    with open_store(db) as store:
        for snapshot, source in _snapshots(context, all_contexts, from_file, cluster, kubeconfig, timeout):
            reports.append(
                sync_cluster(
                    store,
                    snapshot,
                    source,
                    settings.environments,
                    image_options=image_options,
                    catalog_missing=catalog,
                    endpoints=settings.endpoints,
                )
            )
    render = render_cluster_sync_json if output is SyncFormat.JSON else render_cluster_sync_table
    options.write_output(render(reports), output_file)


def _snapshots(
    context: str | None,
    all_contexts: bool,
    from_file: list[Path],
    cluster: str | None,
    kubeconfig: Path | None,
    timeout: float,
) -> list[tuple[ClusterSnapshot, str]]:
    from regwarden.collect.kubernetes import collect_cluster, list_contexts, read_pods_file

    if from_file:
        return [(read_pods_file(path, cluster or path.stem), str(path)) for path in from_file]
    contexts = list_contexts(kubeconfig) if all_contexts else [context]
    return [
        (collect_cluster(name, cluster, kubeconfig=kubeconfig, timeout=timeout), f"context {name or '(current)'}")
        for name in contexts
    ]


class _Progress:
    """A progress bar on stderr while images are catalogued; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self._task = self._bar.add_task("cataloguing", total=0)

    def repositories(self, names: Sequence[str]) -> None:
        self._bar.update(self._task, description=f"{len(names)} repositories listed")

    def pending(self, count: int) -> None:
        self._bar.update(self._task, description="cataloguing", total=count)

    def done(self, outcome: CatalogOutcome) -> None:
        self._bar.advance(self._task)

    def __enter__(self) -> _Progress:
        self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()
