"""`audit acr --record` and what the server shows of it: each registry's newest baseline, its score over time.

Recording stores every result of one audit as one run (evidence included, JSON), in one transaction. Reading
picks, per registry, the newest run that holds it: a registry audited on Monday and not on Tuesday keeps
Monday's results, with their date, rather than vanishing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden import __version__
from regwarden.model.errors import NotFoundError
from regwarden.model.posture_record import PosturePoint, RecordedResult, RegistryPosture
from regwarden.posture.score import posture_score

if TYPE_CHECKING:
    from regwarden.posture.engine import RuleResult
    from regwarden.store import Store

_STATUSES = ("FAIL", "UNKNOWN", "PASS", "SKIPPED", "SUPPRESSED")


def record_audit(
    store: Store, results: Sequence[RuleResult], source: str, profile: str, now: datetime | None = None
) -> int:
    recorded = [_recorded(result) for result in results]
    run_id = store.posture_runs.record(source, profile, __version__, recorded, now or datetime.now(UTC))
    names = sorted({result.registry_name for result in recorded})
    store.audit_log.append("cli", "posture.record", ", ".join(names), {"run": run_id, "results": len(recorded)})
    return run_id


def registry_postures(store: Store) -> list[RegistryPosture]:
    """Every audited registry's newest results, lowest score first (the ones to look at)."""
    latest = store.posture_runs.latest_runs()
    results = store.posture_runs.results(sorted({header.id for header in latest.values()}))
    postures = [
        _posture(name, header.id, header.recorded_at, header.profile, [r for r in results if r.registry_name == name])
        for name, header in latest.items()
    ]
    return sorted(postures, key=lambda p: (p.score if p.score is not None else 101.0, p.registry_name))


def registry_posture(store: Store, name: str) -> tuple[RegistryPosture, list[PosturePoint]]:
    """One registry's newest results and its score at each recorded run, oldest first."""
    header = store.posture_runs.latest_runs().get(name)
    if header is None:
        raise NotFoundError(f"no recorded audit of a registry named {name!r}: run `regwarden audit acr --record`")
    posture = _posture(
        name, header.id, header.recorded_at, header.profile, store.posture_runs.results([header.id], name)
    )
    points = [
        PosturePoint(
            run.id, run.recorded_at, posture_score(rows), sum(1 for _, s, sup in rows if s == "FAIL" and not sup)
        )
        for run, rows in store.posture_runs.history(name)
    ]
    return posture, points[::-1]


def _posture(
    name: str, run_id: int, recorded_at: datetime, profile: str, results: list[RecordedResult]
) -> RegistryPosture:
    counts = dict.fromkeys(_STATUSES, 0)
    for result in results:
        counts[result.effective_status] += 1
    score = posture_score((r.severity, r.status, r.suppressed) for r in results)
    registry_id = results[0].registry_id if results else ""
    return RegistryPosture(name, registry_id, run_id, recorded_at, profile, score, counts, tuple(results))


def _recorded(result: RuleResult) -> RecordedResult:
    evidence = tuple(
        {**asdict(item), "source": item.source.value, "value": _plain(item.value)} for item in result.evidence
    )
    return RecordedResult(
        registry_name=result.registry_name,
        registry_id=result.registry_id,
        rule_id=result.rule.id,
        title=result.rule.title,
        severity=result.rule.severity.value,
        status=result.status.value,
        suppressed=result.suppressed,
        message=result.message,
        evidence=evidence,
        note=result.suppression_note,
    )


def _plain(value: object) -> object:
    """Evidence values as JSON holds them: tuples become lists, anything else unusual its text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)
