"""Advisory jobs: update the advisory database (and re-match what changed), or re-match given advisories."""

from __future__ import annotations

from collections.abc import Mapping

from regwarden.jobs.arguments import texts
from regwarden.jobs.context import JobContext


def run_update_advisories(context: JobContext, args: Mapping[str, object]) -> str:
    """`db update` as the watch loop runs it: every configured ecosystem, then the re-match of what changed."""
    from regwarden.service.watch import update_advisories

    return update_advisories(context.db_url, context.settings, context.environ, context.transport)


def run_rematch(context: JobContext, args: Mapping[str, object]) -> str:
    """Re-match the inventory against these advisories (ids as the store files them), e.g. after an import made
    elsewhere; their exposures open and close, and raise events."""
    from regwarden.service.rematch import rematch_advisories

    report = rematch_advisories(
        context.store, texts(args, "changed"), texts(args, "removed"), endpoints=context.settings.endpoints
    )
    return (
        f"{report.advisories} advisories, {report.packages} packages re-matched: {report.new_findings} new and "
        f"{report.resolved_findings} resolved findings, {report.events} events"
    )
