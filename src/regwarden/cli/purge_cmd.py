"""`regwarden purge REGISTRY`: a dry-run plan of what to delete (acr purge's flags, or a retention policy), never
touching what runs; `--apply` carries it out, journaled and resumable."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from regwarden.cli import options

if TYPE_CHECKING:
    from regwarden.model.purge import ActionResult
    from regwarden.service.purge import PurgeRequest


class PurgeFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def purge(
    registry: str = typer.Argument(..., help="Registry host, e.g. myreg.azurecr.io or localhost:5000."),
    filters: list[str] = typer.Option(
        [],
        "--filter",
        "-f",
        help="REPO_REGEX:TAG_REGEX (repeatable). The repository part must match the whole name; "
        "the tag part may match anywhere in a tag.",
    ),
    ago: str | None = typer.Option(
        None, "--ago", help="Select what was last updated before this long ago: Go duration with days (0d, 7d, 1d3h)."
    ),
    keep: int = typer.Option(0, "--keep", min=0, help="Keep the N most recent of what would be selected."),
    untagged: bool = typer.Option(
        False, "--untagged", help="Also delete manifests without tags (left so, or already)."
    ),
    include_locked: bool = typer.Option(
        False, "--include-locked", help="Also select locked images (deleteEnabled/writeEnabled false); unlocks first."
    ),
    policy: Path | None = typer.Option(None, "--policy", help="A retention policy file instead of --filter/--ago."),
    pulled_within: str | None = typer.Option(
        None, "--pulled-within", help="Never delete what was pulled within this long (needs --logs): 30d."
    ),
    logs: list[Path] = typer.Option(
        [], "--logs", help="ACR repository-event logs (ContainerRegistryRepositoryEvents)."
    ),
    archive: Path | None = typer.Option(
        None, "--archive", help="With --apply: first copy each deleted manifest and its blobs into OCI layouts here."
    ),
    journal: Path | None = typer.Option(
        None,
        "--journal",
        help="With --apply: the journal file (default: purge-journal/REGISTRY.jsonl in the data dir).",
    ),
    concurrency: int = typer.Option(8, "--concurrency", min=1, max=32, help="Registry requests in flight at once."),
    apply: bool = typer.Option(False, "--apply", help="Delete what the plan selects (the default is a dry run)."),
    acr: bool | None = typer.Option(
        None, "--acr/--no-acr", help="Use ACR's /acr/v1 API (default: for *.azurecr.io hosts)."
    ),
    output: PurgeFormat = typer.Option(PurgeFormat.TABLE, "--output", "-o", help="Output format."),
    output_file: Path | None = options.OUTPUT_FILE,
    db: str | None = options.DB,
    insecure: bool = options.INSECURE,
    username: str | None = options.USERNAME,
    password: str | None = options.PASSWORD,
    timeout: float = options.TIMEOUT,
) -> None:
    """Plan (and with --apply, carry out) the deletion of old images, as `acr purge` selects them or as a retention
    policy says, but never an image that runs in a synced cluster, was pulled within --pulled-within, is locked, is
    listed by an index that stays, or refers to an image that stays. Each kept image says why.

    Exit 0 when the plan was made (and applied); 4 when some action failed or was skipped (see the journal).
    """
    from regwarden.model.purge import ApplyReport
    from regwarden.report.purge_json import render_apply_json, render_plan_json
    from regwarden.report.purge_table import render_apply_table, render_plan_table
    from regwarden.service.purge import purge as run_purge
    from regwarden.service.purge_apply import ApplyOptions
    from regwarden.store import open_store

    request = _request(filters, ago, keep, untagged, include_locked, policy, pulled_within, logs, concurrency, acr)
    request = _with_image(request, insecure, username, password, timeout)
    if not apply and (archive is not None or journal is not None):
        from regwarden.model.errors import BadInputError

        raise BadInputError("--archive and --journal are for --apply (a dry run deletes nothing)")
    applying = ApplyOptions(journal=journal, archive=archive, workers=concurrency) if apply else None
    with open_store(db) as store, _Progress() as progress:
        result = run_purge(store, registry, request, apply=applying, progress=progress, reading=progress.reading)
    json_output = output is PurgeFormat.JSON
    if isinstance(result, ApplyReport):
        options.write_output((render_apply_json if json_output else render_apply_table)(result), output_file)
        not_done = result.count_failed()
        if not_done:
            typer.echo(f"regwarden: warning: {not_done} action(s) not done; see {result.journal}", err=True)
            raise typer.Exit(4)
        return
    options.write_output((render_plan_json if json_output else render_plan_table)(result), output_file)


def _request(
    filters: list[str],
    ago: str | None,
    keep: int,
    untagged: bool,
    include_locked: bool,
    policy: Path | None,
    pulled_within: str | None,
    logs: list[Path],
    concurrency: int,
    acr: bool | None,
) -> PurgeRequest:
    from regwarden.durations import parse_duration
    from regwarden.lifecycle.policy import load_policy
    from regwarden.model.errors import BadInputError
    from regwarden.model.purge import PurgeCriteria
    from regwarden.service.purge import PurgeRequest

    within = parse_duration(pulled_within) if pulled_within else None
    if policy is not None:
        if filters or ago or keep or untagged:
            raise BadInputError("--policy replaces --filter, --ago, --keep and --untagged: give one or the other")
        return PurgeRequest(
            policy=load_policy(policy),
            include_locked=include_locked,
            pulled_within=within,
            logs=tuple(logs),
            concurrency=concurrency,
            acr=acr,
        )
    if not filters or ago is None:
        raise BadInputError("give --filter REPO_REGEX:TAG_REGEX and --ago DURATION (as acr purge), or --policy FILE")
    criteria = PurgeCriteria(tuple(filters), parse_duration(ago), keep, untagged, include_locked)
    return PurgeRequest(criteria=criteria, pulled_within=within, logs=tuple(logs), concurrency=concurrency, acr=acr)


def _with_image(
    request: PurgeRequest, insecure: bool, username: str | None, password: str | None, timeout: float
) -> PurgeRequest:
    from dataclasses import replace

    from regwarden.service.images import ImageOptions

    return replace(request, image=ImageOptions.from_cli(None, insecure, username, password, timeout))


class _Progress:
    """On stderr while the registry is read (the repository) and while actions are applied (a bar); silent when
    stderr is not a terminal."""

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
        self._task = self._bar.add_task("reading the registry", total=None)

    def reading(self, repository: str) -> None:
        self._bar.update(self._task, description=f"reading {repository}")

    def total(self, count: int) -> None:
        self._bar.update(self._task, description="purging", total=count, completed=0)

    def done(self, result: ActionResult) -> None:
        self._bar.advance(self._task)

    def __enter__(self) -> _Progress:
        self._bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.stop()
