"""The in-process runner: a submitted job is recorded and run at once, here (the default, without a broker).

A job's follow-up jobs (a round's steps) run here too, one after the other, as `watch` runs them. There is no
retry in-process: a failure is recorded on the job and reported to whoever submitted it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from regwarden.jobs.context import JobContext, process_owner
from regwarden.jobs.definitions import definition_of
from regwarden.jobs.execute import Verdict, execute
from regwarden.model.errors import RegwardenError
from regwarden.model.job import JobRequest, Submission

if TYPE_CHECKING:
    import httpx

    from regwarden.service.settings import Settings
    from regwarden.store import Store


class InProcessDispatcher:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        environ: Mapping[str, str],
        *,
        db_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.context = JobContext(store, settings, self, environ, db_url, transport)
        self.errors: list[RegwardenError] = []
        """The errors of the jobs that failed here, in order (the CLI exits with the first one's code)."""

    @property
    def distributed(self) -> bool:
        return False

    def submit_many(self, requests: Sequence[JobRequest]) -> list[Submission]:
        return [self.submit(request) for request in requests]

    def submit(self, request: JobRequest) -> Submission:
        definition = definition_of(request.kind)
        store = self.context.store
        submission = store.jobs.submit(request, resend_after=self.context.settings.jobs.visibility_timeout)
        if not submission.new:
            return submission
        outcome = execute(
            definition,
            submission.job.id,
            self.context,
            owner=process_owner(),
            retry_in=None,
            claim_ttl=self.context.settings.jobs.claim_ttl,
        )
        if outcome.verdict is Verdict.FAILED and outcome.error is not None:
            self.errors.append(outcome.error)
        return Submission(outcome.job or submission.job, True)
