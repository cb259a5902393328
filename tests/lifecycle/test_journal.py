"""The purge journal (lifecycle/journal.py): what a run writes, how it is read back (a torn last line from a kill is
ignored, anything else unreadable is an error), and which run an --apply takes up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from regwarden.lifecycle.journal import Journal, interrupted_run, read_runs
from regwarden.model.errors import BadInputError
from regwarden.model.purge import ActionKind, PurgeAction, PurgePlan

DELETE = PurgeAction(ActionKind.DELETE, "shop/web", "sha256:" + "a" * 64, ("1.0",), ("old",), unlock=True, wave=1)
UNTAG = PurgeAction(ActionKind.UNTAG, "shop/web", "sha256:" + "b" * 64, ("dev",), ("old tag",))


def plan(registry: str = "myreg.azurecr.io") -> PurgePlan:
    return PurgePlan(registry, "filter", (("filter", "shop/.*:.*"),), datetime.now(UTC), ("shop/web",), (), ())


def write_run(path: Path, registry: str = "myreg.azurecr.io", *, finish: bool, resumes: str | None = None) -> str:
    with Journal(path) as journal:
        journal.begin(plan(registry), [DELETE, UNTAG], resumes=resumes)
        journal.record("started", DELETE)
        journal.record("deleted", DELETE)
        if finish:
            journal.finish({"deleted": 1})
    return journal.run_id


def test_a_run_reads_back_with_its_plan_and_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    run_id = write_run(path, finish=False)
    run = read_runs(path)[run_id]
    assert (run.registry, run.mode, run.criteria, run.finished) == (
        "myreg.azurecr.io",
        "filter",
        (("filter", "shop/.*:.*"),),
        False,
    )
    assert list(run.planned.values()) == [DELETE, UNTAG]
    assert run.pending() == [UNTAG]


def test_a_torn_last_line_is_what_a_kill_leaves_and_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    run_id = write_run(path, finish=False)
    with path.open("a") as handle:
        handle.write('{"time": "2026-01-01T00:00:00Z", "run": "')
    assert read_runs(path)[run_id].pending() == [UNTAG]
    with path.open("a") as handle:
        handle.write("\nnot json either\n")
    with pytest.raises(BadInputError, match="not a journal line"):
        read_runs(path)


def test_the_run_to_take_up_is_the_last_unfinished_one_on_that_registry(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    assert interrupted_run(read_runs(path), "myreg.azurecr.io") is None  # no journal yet
    first = write_run(path, finish=False)
    write_run(path, "other.azurecr.io", finish=False)
    found = interrupted_run(read_runs(path), "myreg.azurecr.io")
    assert found is not None and found.run_id == first
    write_run(path, finish=True, resumes=first)
    assert interrupted_run(read_runs(path), "myreg.azurecr.io") is None
    assert interrupted_run(read_runs(path), "other.azurecr.io") is not None


def test_an_outcome_for_a_run_that_never_started_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text('{"run": "x", "event": "deleted", "kind": "delete", "repository": "a", "digest": "b"}\n')
    with pytest.raises(BadInputError, match="never started"):
        read_runs(path)
