"""Purge plans and apply reports as JSON: every action with why, every kept manifest with every reason it stays."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import orjson

from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.purge import (
    ActionKind,
    ActionResult,
    ApplyReport,
    KeptManifest,
    Outcome,
    PurgeAction,
    PurgePlan,
)


def render_plan_json(plan: PurgePlan) -> bytes:
    with cyclic_gc_paused():  # one dict per manifest, no cycles
        return orjson.dumps({**plan_document(plan), "dry_run": True}, option=orjson.OPT_INDENT_2) + b"\n"


def render_apply_json(report: ApplyReport) -> bytes:
    document = {
        "dry_run": False,
        "run": report.run_id,
        "resumed": report.resumed,
        "journal": report.journal,
        "seconds": round(report.seconds, 3),
        "counts": {outcome.value: report.count(outcome) for outcome in Outcome},
        "results": [_result(result) for result in report.results],
        "plan": plan_document(report.plan),
    }
    with cyclic_gc_paused():
        return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def plan_document(plan: PurgePlan) -> dict[str, object]:
    return {
        "registry": plan.registry,
        "mode": plan.mode,
        "criteria": _criteria(plan.criteria),
        "generated_at": plan.generated_at.isoformat(),
        "repositories": list(plan.repositories),
        "summary": asdict(tally(plan)),
        "actions": [_action(action) for action in plan.actions],
        "kept": [_kept(kept) for kept in plan.kept],
        "notes": list(plan.notes),
    }


@dataclass(frozen=True)
class PlanTally:
    repositories: int
    delete: int
    untag: int
    """Tags removed from manifests that stay."""
    kept: int
    held: int
    held_by: dict[str, int]
    """Held-back manifests by kind of reason (a manifest held for two reasons counts under both)."""


def tally(plan: PurgePlan) -> PlanTally:
    held = [kept for kept in plan.kept if kept.held]
    return PlanTally(
        repositories=len(plan.repositories),
        delete=len(plan.deletions),
        untag=sum(len(action.tags) for action in plan.untags),
        kept=len(plan.kept),
        held=len(held),
        held_by=dict(sorted(Counter(_kinds(held)).items())),
    )


def _kinds(held: Iterable[KeptManifest]) -> Iterable[str]:
    for kept in held:
        yield from sorted({reason.kind.value for reason in kept.reasons})


def _criteria(pairs: tuple[tuple[str, str], ...]) -> dict[str, object]:
    repeated: dict[str, list[str]] = {}
    single: dict[str, str] = {}
    for key, value in pairs:
        if key in ("filter", "logs"):
            repeated.setdefault(key, []).append(value)
        else:
            single[key] = value
    return {**repeated, **single}


def _action(action: PurgeAction) -> dict[str, object]:
    document: dict[str, object] = {
        "action": action.kind.value,
        "repository": action.repository,
        "digest": action.digest,
        "tags": list(action.tags),
        "media_type": action.media_type,
        "why": list(action.reasons),
    }
    if action.kind is ActionKind.DELETE:
        document |= {"unlock": action.unlock, "goes_with": action.goes_with, "wave": action.wave}
        document["after"] = list(action.after)
    else:
        document["unlock"] = action.unlock
    return document


def _kept(kept: KeptManifest) -> dict[str, object]:
    return {
        "repository": kept.repository,
        "digest": kept.digest,
        "tags": list(kept.tags),
        "held": kept.held,
        "reasons": [{"kind": reason.kind.value, "detail": reason.detail} for reason in kept.reasons],
    }


def _result(result: ActionResult) -> dict[str, object]:
    action = result.action
    return {
        "action": action.kind.value,
        "repository": action.repository,
        "digest": action.digest,
        "tags": list(action.tags),
        "outcome": result.outcome.value,
        "detail": result.detail,
        "archived": result.archived,
    }
