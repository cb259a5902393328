"""The last few "where does it run" answers (service/impact.affected), kept for the pages and API that page
through them: a vulnerability in every image of a large inventory takes seconds to answer, and its page is read
a hundred rows at a time.

An answer is dropped when the server changes what it rests on (a triage decision, an ingest), when the risk
summaries are recomputed (a watch round, a push), and after `ttl` seconds whatever happened (another process may
have written to the store). Only the newest `size` answers are kept.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from regwarden.model.inventory import AffectedReport, ImpactRow, RunningWorkload


@dataclass(frozen=True)
class PreparedAnswer:
    """An answer with what its pages read already sorted and counted (40,000 rows sort in about a second)."""

    report: AffectedReport
    rows: list[ImpactRow]
    """Running in production first, then running elsewhere, then running nowhere; triaged rows last."""
    running: list[tuple[RunningWorkload, ImpactRow]]
    images: int
    production: int
    clusters: int
    not_running: int
    triaged: int

    @property
    def production_affected(self) -> bool:
        return self.production > 0


def prepare(report: AffectedReport) -> PreparedAnswer:
    running = report.running
    return PreparedAnswer(
        report=report,
        rows=sorted(report.rows, key=_row_rank),
        running=running,
        images=len({row.component.digest for row in report.rows}),
        production=sum(1 for workload, _ in running if workload.environment == "production"),
        clusters=len({workload.cluster for workload, _ in running}),
        not_running=sum(1 for row in report.rows if row.triage is None and not row.running),
        triaged=sum(1 for row in report.rows if row.triage is not None),
    )


def _row_rank(row: ImpactRow) -> tuple[int, int, str, str]:
    production = any(workload.environment == "production" for workload in row.running)
    place = 3 if row.triage else 0 if production else 1 if row.running else 2
    return (place, -len(row.running), row.component.image, row.component.package)


class AffectedCache:
    def __init__(self, size: int = 32, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._ttl = ttl
        self._clock = clock
        self._answers: OrderedDict[str, tuple[float, object, PreparedAnswer]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, identifier: str, generation: object, compute: Callable[[], AffectedReport]) -> PreparedAnswer:
        """The answer for `identifier` computed under `generation` (the summaries' time), else a new one."""
        key = identifier.strip()
        with self._lock:
            found = self._answers.get(key)
            if found is not None and found[1] == generation and self._clock() - found[0] < self._ttl:
                self._answers.move_to_end(key)
                return found[2]
        answer = prepare(compute())
        with self._lock:
            self._answers[key] = (self._clock(), generation, answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
