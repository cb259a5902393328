"""`sync registry` and `sync k8s` results as a short summary or JSON."""

from __future__ import annotations

import io
import json

from rich.console import Console

from regwarden.model.sync import CatalogOutcome, ClusterSyncReport, RegistrySyncReport, TagMove

MAX_LISTED = 20
"""Long lists (skipped manifests, digests without a workload) are cut in the table; JSON always has them all."""


def render_registry_sync_json(report: RegistrySyncReport) -> bytes:
    document = {
        "registry": report.registry,
        "repositories": list(report.repositories),
        "manifests": report.manifests,
        "catalogued": [outcome_dict(o) for o in report.catalogued],
        "already_known": report.already_known,
        "failed": [outcome_dict(o) for o in report.failed],
        "skipped": [{"manifest": m, "reason": r} for m, r in report.skipped],
        "tag_moves": [_move(m) for m in report.tag_moves],
        "gone": list(report.gone),
        "notes": list(report.notes),
    }
    return _json(document)


def render_registry_sync_table(report: RegistrySyncReport) -> bytes:
    console, buffer = _console()
    console.print(
        f"{report.registry}: {len(report.repositories)} repositories, {report.manifests} manifests; "
        f"{len(report.catalogued)} catalogued, {report.already_known} already known, {len(report.failed)} failed, "
        f"{len(report.skipped)} skipped"
    )
    for outcome in report.catalogued:
        console.print(
            f"  catalogued {outcome.reference}: {outcome.packages} packages, {outcome.new_findings} new findings"
        )
    for outcome in report.failed:
        console.print(f"  failed     {outcome.reference}: {outcome.error}")
    for move in report.tag_moves:
        console.print(f"  tag        {_move_text(move)}")
    for gone in report.gone:
        console.print(f"  gone       {gone}")
    _limited(console, "skipped", [f"{m}: {r}" for m, r in report.skipped])
    for note in report.notes:
        console.print(f"note: {note}")
    return buffer.getvalue().encode()


def render_cluster_sync_json(reports: list[ClusterSyncReport]) -> bytes:
    return _json({"clusters": [_cluster(report) for report in reports]})


def render_cluster_sync_table(reports: list[ClusterSyncReport]) -> bytes:
    console, buffer = _console()
    for report in reports:
        console.print(
            f"{report.cluster} ({report.source}): {report.workloads} workload containers, {report.production} "
            f"production; {report.started} started, {report.stopped} stopped since the last sync; "
            f"exposures {report.exposures_opened} opened, {report.exposures_closed} closed; {report.events} events"
        )
        for outcome in report.catalogued:
            state = f"failed: {outcome.error}" if outcome.error else f"{outcome.packages} packages"
            console.print(f"  running digest catalogued: {outcome.reference}: {state}")
        for scope, reason in report.gaps:
            console.print(f"  gap: {scope}: {reason}")
        _limited(console, "no running digest", [f"{w}: {why}" for w, why in report.without_digest])
    return buffer.getvalue().encode()


def _cluster(report: ClusterSyncReport) -> dict[str, object]:
    return {
        "cluster": report.cluster,
        "source": report.source,
        "workloads": report.workloads,
        "production": report.production,
        "started": report.started,
        "stopped": report.stopped,
        "gaps": [{"scope": scope, "reason": reason} for scope, reason in report.gaps],
        "catalogued": [outcome_dict(o) for o in report.catalogued],
        "without_digest": [{"workload": w, "reason": why} for w, why in report.without_digest],
        "exposures_opened": report.exposures_opened,
        "exposures_closed": report.exposures_closed,
        "events": report.events,
    }


def outcome_json(outcome: CatalogOutcome) -> bytes:
    """One catalog outcome (`inventory add -o json`)."""
    return _json(outcome_dict(outcome))


def outcome_dict(outcome: CatalogOutcome) -> dict[str, object]:
    return {
        "reference": outcome.reference,
        "digest": outcome.digest,
        "new": outcome.new,
        "packages": outcome.packages,
        "new_findings": outcome.new_findings,
        "error": outcome.error,
    }


def _move(move: TagMove) -> dict[str, object]:
    return {"repository": move.repository, "tag": move.tag, "before": move.before, "after": move.after}


def _move_text(move: TagMove) -> str:
    if move.before is None:
        return f"{move.repository}:{move.tag} -> {move.after} (new)"
    if move.after is None:
        return f"{move.repository}:{move.tag} deleted (was {move.before})"
    return f"{move.repository}:{move.tag} moved {move.before} -> {move.after}"


def _limited(console: Console, label: str, lines: list[str]) -> None:
    for line in lines[:MAX_LISTED]:
        console.print(f"  {label}: {line}")
    if len(lines) > MAX_LISTED:
        console.print(f"  … and {len(lines) - MAX_LISTED} more {label} (all of them in -o json)")


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, markup=False, width=160, no_color=True, highlight=False), buffer


def _json(document: dict[str, object]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"
