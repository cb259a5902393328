"""The purge journal: one JSON object per line, appended, never rewritten.

A run writes `run` (the registry, the plan's mode and criteria), one `planned` line per action, then for each
action `started`, optionally `archived` and `unlocked`, and one outcome (`deleted`, `untagged`, `already-gone`,
`failed`, `skipped`), and `finished` at the end. A run killed half-way has no `finished`: the next `--apply` on the
same registry reads what that run planned and what it got done, and completes it (service/purge_apply.py).

Each line is written with one `write` on a file opened for appending, and flushed before the registry is asked to
act: a process killed at any moment leaves whole lines (the last one possibly missing) and nothing done that the
journal does not announce as started.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from regwarden.model.errors import BadInputError
from regwarden.model.purge import ActionKind, Outcome, PurgeAction, PurgePlan

TERMINAL = frozenset({Outcome.DELETED, Outcome.UNTAGGED, Outcome.ALREADY_GONE})
"""Outcomes after which an action needs nothing more."""


@dataclass
class RunState:
    """One run as the journal tells it."""

    run_id: str
    registry: str
    mode: str
    criteria: tuple[tuple[str, str], ...]
    started: str
    planned: dict[tuple[str, str, str], PurgeAction] = field(default_factory=dict)
    """(kind, repository, digest) → the action."""
    outcomes: dict[tuple[str, str, str], str] = field(default_factory=dict)
    finished: bool = False
    resumes: str | None = None

    def pending(self) -> list[PurgeAction]:
        """Planned actions with no terminal outcome: interrupted, failed or skipped."""
        return [action for key, action in self.planned.items() if self.outcomes.get(key) not in TERMINAL]


def action_key(action: PurgeAction) -> tuple[str, str, str]:
    return (action.kind.value, action.repository, action.digest)


class Journal:
    """Appends one run's lines; thread-safe (apply workers record outcomes concurrently)."""

    def __init__(self, path: Path, run_id: str | None = None) -> None:
        self.path = path
        self.run_id = run_id or datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:8]
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def __enter__(self) -> Journal:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def begin(self, plan: PurgePlan, actions: list[PurgeAction], resumes: str | None = None) -> None:
        head = {"registry": plan.registry, "mode": plan.mode, "criteria": [list(c) for c in plan.criteria]}
        self._write({"event": "run", **head, "actions": len(actions), "resumes": resumes})
        for action in actions:
            self._write({"event": "planned", **action_fields(action)})

    def record(self, event: str, action: PurgeAction, detail: str = "") -> None:
        fields = {"kind": action.kind.value, "repository": action.repository, "digest": action.digest}
        self._write({"event": event, **fields, "tags": list(action.tags), "detail": detail})

    def finish(self, counts: Mapping[str, int]) -> None:
        self._write({"event": "finished", "counts": dict(counts)})

    def _write(self, entry: dict[str, object]) -> None:
        line = json.dumps({"time": _now(), "run": self.run_id, **entry}, separators=(",", ":")) + "\n"
        with self._lock:
            if self._file is None:
                raise RuntimeError("the journal is not open")
            self._file.write(line)
            self._file.flush()


def action_fields(action: PurgeAction) -> dict[str, object]:
    return {
        "kind": action.kind.value,
        "repository": action.repository,
        "digest": action.digest,
        "tags": list(action.tags),
        "reasons": list(action.reasons),
        "media_type": action.media_type,
        "unlock": action.unlock,
        "goes_with": action.goes_with,
        "wave": action.wave,
        "after": list(action.after),
    }


def read_runs(path: Path) -> dict[str, RunState]:
    """Every run of a journal, by id, in the order they started. A missing file has none; a torn last line (a
    kill mid-write) is ignored; any other unreadable line is an error."""
    runs: dict[str, RunState] = {}
    for number, entry in _entries(path):
        run = runs.get(str(entry.get("run")))
        event = entry.get("event")
        if event == "run":
            runs[str(entry["run"])] = RunState(
                run_id=str(entry["run"]),
                registry=str(entry.get("registry")),
                mode=str(entry.get("mode")),
                criteria=_pairs(entry.get("criteria")),
                started=str(entry.get("time")),
                resumes=_text(entry, "resumes"),
            )
        elif run is None:
            raise BadInputError(f"{path}:{number}: a `{event}` line for a run that never started")
        elif event == "planned":
            action = _action(entry, path, number)
            run.planned[action_key(action)] = action
        elif event == "finished":
            run.finished = True
        elif event in {outcome.value for outcome in Outcome}:
            key = (str(entry.get("kind")), str(entry.get("repository")), str(entry.get("digest")))
            run.outcomes[key] = str(event)
    return runs


def interrupted_run(runs: Mapping[str, RunState], registry: str) -> RunState | None:
    """The last run on `registry` that did not finish and that no later finished run completed."""
    completed = {run.resumes for run in runs.values() if run.finished and run.resumes}
    for run in reversed(list(runs.values())):
        if run.registry == registry and not run.finished and run.run_id not in completed:
            return run
    return None


def _entries(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    except (OSError, UnicodeDecodeError) as error:
        raise BadInputError(f"cannot read the purge journal {path}: {error}") from None
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line)
        except ValueError:
            if number == len(lines):
                return  # the process was killed while writing its last line
            raise BadInputError(f"{path}:{number}: not a journal line (JSON)") from None
        if not isinstance(entry, dict) or "run" not in entry:
            raise BadInputError(f"{path}:{number}: not a journal line")
        yield number, entry


def _action(entry: Mapping[str, object], path: Path, number: int) -> PurgeAction:
    try:
        return PurgeAction(
            kind=ActionKind(str(entry["kind"])),
            repository=str(entry["repository"]),
            digest=str(entry["digest"]),
            tags=_strings(entry, "tags"),
            reasons=_strings(entry, "reasons"),
            media_type=_text(entry, "media_type"),
            unlock=bool(entry.get("unlock")),
            goes_with=_text(entry, "goes_with"),
            wave=int(str(entry.get("wave") or 0)),
            after=_strings(entry, "after"),
        )
    except (KeyError, ValueError) as error:
        raise BadInputError(f"{path}:{number}: a planned action the journal cannot read: {error}") from None


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    items = value if isinstance(value, list) else []
    return tuple((str(item[0]), str(item[1])) for item in items if isinstance(item, list) and len(item) == 2)


def _strings(entry: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = entry.get(key)
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _text(entry: Mapping[str, object], key: str) -> str | None:
    value = entry.get(key)
    return value if isinstance(value, str) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
