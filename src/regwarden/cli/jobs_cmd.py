"""`regwarden jobs [list] | submit | prune`: the inventory's jobs (queued, running, retrying, failed), submitting
one, and forgetting old finished ones.

Jobs run in-process by default (`submit` runs the job at once and prints how it ended) and on workers when
`REGWARDEN_BROKER` is set (`submit` queues it and prints its id; `jobs` shows it move through the states).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options
from regwarden.model.errors import BadInputError

if TYPE_CHECKING:
    from regwarden.model.job import Job, JobRequest, JobState
    from regwarden.service.settings import Settings
    from regwarden.store import Store

app = typer.Typer(
    help="Inventory jobs (syncs, catalogs, advisory updates, deliveries): list them, or submit one. Without a "
    "command, lists the jobs that are queued, running, retrying or failed (as `jobs list`).",
    invoke_without_command=True,
)


class JobsFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class Kind(StrEnum):
    CATALOG = "catalog"
    SYNC_REGISTRY = "sync-registry"
    SYNC_CLUSTER = "sync-cluster"
    UPDATE_ADVISORIES = "update-advisories"
    REMATCH = "rematch"
    DELIVER_EVENTS = "deliver-events"
    WATCH_ROUND = "watch-round"
    PURGE_PLAN = "purge-plan"


class StateName(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


OUTPUT = typer.Option(JobsFormat.TABLE, "--output", "-o", help="Output format.")
STATE = typer.Option([], "--state", help="Only jobs in this state (repeatable). Default: all but succeeded.")
ALL = typer.Option(False, "--all", help="Every state, succeeded jobs too.")
LIMIT = typer.Option(100, "--limit", min=1, help="At most this many jobs, newest first.")


@app.callback()
def jobs(
    ctx: typer.Context,
    state: list[StateName] = STATE,
    show_all: bool = ALL,
    limit: int = LIMIT,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    output: JobsFormat = OUTPUT,
) -> None:
    """List jobs, newest first (`jobs` alone is `jobs list`)."""
    if ctx.invoked_subcommand is None:
        _list(state, show_all, limit, db, config, output)


@app.command("list")
def list_(
    state: list[StateName] = STATE,
    show_all: bool = ALL,
    limit: int = LIMIT,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
    output: JobsFormat = OUTPUT,
) -> None:
    """List jobs, newest first: queued, running (a worker holds it), retrying (when), failed (why)."""
    _list(state, show_all, limit, db, config, output)


@app.command("prune")
def prune(
    older_than: str = typer.Option("7d", "--older-than", help="Forget finished jobs older than this: 12h, 7d, 30d."),
    db: str | None = options.DB,
    output: JobsFormat = OUTPUT,
) -> None:
    """Forget jobs that succeeded or failed longer ago than --older-than (queued and running ones stay)."""
    import json
    from datetime import UTC, datetime

    from regwarden.durations import parse_duration
    from regwarden.store import open_store

    cutoff = datetime.now(UTC) - parse_duration(older_than)
    with open_store(db) as store:
        pruned = store.jobs.prune(cutoff)
    if output is JobsFormat.JSON:
        typer.echo(json.dumps({"pruned": pruned, "finished_before": cutoff.isoformat()}, indent=2))
    else:
        typer.echo(f"{pruned} finished job(s) older than {older_than} forgotten")


@app.command("submit")
def submit(
    kind: Kind = typer.Argument(..., help="What to do."),
    targets: list[str] = typer.Argument(
        None,
        help="catalog: REGISTRY/REPO@DIGEST; sync-registry and purge-plan: the registry host; rematch: advisory ids.",
    ),
    repo: str | None = typer.Option(None, "--repo", help="sync-registry: only repositories matching this regex."),
    insecure: bool = options.INSECURE,
    context: str | None = typer.Option(None, "--context", help="sync-cluster: the kubeconfig context."),
    from_file: str | None = typer.Option(None, "--from", help="sync-cluster: a `kubectl get pods -A -o json` file."),
    cluster: str | None = typer.Option(None, "--cluster", help="sync-cluster: the cluster name to record."),
    catalog: bool = typer.Option(True, "--catalog/--no-catalog", help="sync-cluster: catalog unknown digests."),
    update: bool = typer.Option(True, "--update/--no-update", help="watch-round: update advisories first."),
    policy: Path | None = typer.Option(None, "--policy", help="purge-plan: the retention policy file."),
    plan_file: Path | None = typer.Option(None, "--plan-file", help="purge-plan: write the whole plan here (JSON)."),
    output: JobsFormat = OUTPUT,
    db: str | None = options.DB,
    config: Path | None = options.CONFIG,
) -> None:
    """Submit one job: run at once here, or queued for the workers when REGWARDEN_BROKER is set.

    Here, the exit code is the job's (4 when it failed in part, e.g. images that could not be read); queued, it
    is 0 once the broker took the job (4 when it did not).
    """
    from regwarden.jobs.runtime import open_dispatcher
    from regwarden.service.settings import load_settings
    from regwarden.store import open_store

    settings = load_settings(config)
    targets = targets or []
    with open_store(db) as store, open_dispatcher(store, settings, db_url=db) as dispatcher:
        cluster_args = (context, from_file, cluster, catalog)
        request = _request(kind, targets, repo, insecure, cluster_args, update, (policy, plan_file), store)
        submission = dispatcher.submit(request)
        errors = list(getattr(dispatcher, "errors", []))
        where = _where(dispatcher.distributed, settings)
    _write([submission.job], None, where, output)
    if errors:
        raise errors[0]
    if submission.job.result is not None and submission.job.result.startswith("failed:"):
        raise typer.Exit(4)


def _request(
    kind: Kind,
    targets: list[str],
    repo: str | None,
    insecure: bool,
    cluster_args: tuple[str | None, str | None, str | None, bool],
    update: bool,
    purge_args: tuple[Path | None, Path | None],
    store: Store,
) -> JobRequest:
    from regwarden.jobs import requests

    _check_targets(kind, targets)
    if kind is Kind.CATALOG:
        return _catalog_request(targets[0], insecure, store)
    if kind is Kind.SYNC_REGISTRY:
        return requests.sync_registry_request(targets[0], repo, insecure)
    if kind is Kind.PURGE_PLAN:
        return _purge_plan_request(targets[0], insecure, *purge_args)
    if kind is Kind.SYNC_CLUSTER:
        context, from_file, cluster, catalog = cluster_args
        if bool(context) == bool(from_file):
            raise BadInputError("sync-cluster: give one of --context and --from")
        pods_file = str(Path(from_file).resolve()) if from_file else None  # workers may run elsewhere: absolute
        return requests.sync_cluster_request(context, pods_file, cluster, catalog, insecure=insecure)
    if kind is Kind.REMATCH:
        return requests.rematch_request(targets)
    if kind is Kind.WATCH_ROUND:
        return requests.watch_round_request(update)
    if kind is Kind.UPDATE_ADVISORIES:
        return requests.update_advisories_request()
    return requests.deliver_events_request()


def _purge_plan_request(registry: str, insecure: bool, policy: Path | None, plan_file: Path | None) -> JobRequest:
    from regwarden.jobs.requests import purge_plan_request
    from regwarden.lifecycle.policy import load_policy

    if policy is None:
        raise BadInputError("purge-plan takes --policy FILE (a retention policy; the plan is never applied)")
    load_policy(policy)  # a mistake in the file is named here, not later on a worker
    target = str(plan_file.resolve()) if plan_file else None
    return purge_plan_request(registry, str(policy.resolve()), target, insecure)


def _check_targets(kind: Kind, targets: list[str]) -> None:
    wanted = {
        Kind.CATALOG: "one image by digest",
        Kind.SYNC_REGISTRY: "one registry host",
        Kind.PURGE_PLAN: "one registry host",
    }
    if kind in wanted and len(targets) != 1:
        raise BadInputError(f"{kind.value} takes {wanted[kind]}, got {len(targets)} argument(s)")
    if kind is Kind.REMATCH and not targets:
        raise BadInputError("rematch takes the ids of the advisories to re-match")
    if kind not in wanted and kind is not Kind.REMATCH and targets:
        raise BadInputError(f"{kind.value} takes no arguments, got {' '.join(targets)}")


def _catalog_request(target: str, insecure: bool, store: Store) -> JobRequest:
    from regwarden.jobs.requests import catalog_request
    from regwarden.oci.reference import parse_reference

    try:
        reference = parse_reference(target)
    except ValueError as error:
        raise BadInputError(str(error)) from None
    if reference.digest is None:
        raise BadInputError(f"catalog takes an image by digest (REGISTRY/REPO@sha256:…), got {target}")
    return catalog_request(
        f"{reference.name}@{reference.digest}",
        reference.digest,
        store.advisories.newest_update(),
        insecure=insecure,
        place=(reference.registry, reference.repository),
        origin="job",
    )


def _list(
    states: list[StateName], show_all: bool, limit: int, db: str | None, config: Path | None, output: JobsFormat
) -> None:
    from regwarden.model.job import JobState
    from regwarden.service.settings import load_settings
    from regwarden.store import open_store

    if show_all and states:
        raise BadInputError("use --state or --all, not both")
    chosen = {JobState(s.value) for s in states} or set(JobState) - {JobState.SUCCEEDED}
    settings = load_settings(config)
    with open_store(db) as store:
        found = store.jobs.listing(None if show_all else chosen, limit)
        counts = store.jobs.counts()
    _write(found, counts, _where(True, settings), output)


def _where(distributed: bool, settings: Settings) -> str:
    from regwarden.jobs.broker import broker_from_environ

    broker = broker_from_environ(settings.jobs) if distributed else None
    return f"on workers through {broker.display()}" if broker else "in-process"


def _write(found: list[Job], counts: dict[JobState, int] | None, where: str, output: JobsFormat) -> None:
    from regwarden.report.jobs_report import render_jobs_json, render_jobs_table

    render = render_jobs_json if output is JobsFormat.JSON else render_jobs_table
    options.write_output(render(found, counts, where), None)
