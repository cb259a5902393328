"""ACR quarantine: receive the webhook, then check each held manifest and set its state in ACR.

`receive_webhook` only records (the web app answers at once); `process_due` does the work, in a worker thread
(service/quarantine_worker.py) or in a test. For each due check, in order:
1. claim it (one worker per check; a crashed worker's claim expires);
2. unless already decided: read the manifest (an index with every platform), run the gate (service/quarantine_gate.py),
   catalog each scanned image in the inventory under its registry, repository and tag, and record the decision;
3. set `quarantineState` and `quarantineDetails` in ACR, and record that it was reported.

Failure rule: the image is never Passed without a gate that passed. An unreadable image is Failed with its reason.
A registry that cannot be reached, or an empty advisory database, are retried with backoff (they say nothing about
the image); after `max_attempts` the check is Failed with that reason, so ACR never waits forever. When telling ACR
fails, the decision is kept and only the report is retried, for as long as it takes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from regwarden import __version__
from regwarden.lifecycle.quarantine import failure_details, quarantine_details, read_quarantine_webhook
from regwarden.model.errors import NoDataError, RegwardenError, UnreachableError
from regwarden.model.quarantine import FAILED, QuarantineCheck
from regwarden.oci.client import RegistryClient
from regwarden.service.quarantine_gate import ClientFactory, GateOptions, GateOutcome, run_gate

if TYPE_CHECKING:
    from regwarden.store import Store

SCANNER = f"regwarden {__version__}"


@dataclass(frozen=True)
class WorkerSettings:
    registries: frozenset[str]
    """Registry hosts (lower case) whose webhooks are accepted; the worker connects to no other."""
    gate: GateOptions = field(default_factory=GateOptions)
    claim_ttl: timedelta = timedelta(minutes=15)
    max_attempts: int = 5
    """Attempts at deciding (registry unreachable, no advisory data) before the check is Failed."""
    first_retry: timedelta = timedelta(seconds=30)
    max_retry: timedelta = timedelta(minutes=15)
    catalog: bool = True
    """Record each checked image in the inventory."""

    def retry_after(self, attempts: int) -> timedelta:
        """Backoff before the next attempt: doubling from `first_retry`, capped at `max_retry`."""
        doubled: timedelta = self.first_retry * (2 ** max(0, attempts - 1))
        return min(self.max_retry, doubled)


@dataclass(frozen=True)
class Received:
    checks: tuple[QuarantineCheck, ...]
    new: int
    ignored: tuple[str, ...] = ()
    ping: bool = False


def receive_webhook(store: Store, body: bytes, registries: Collection[str], now: datetime | None = None) -> Received:
    """Record the quarantine requests of a webhook body; BadInputError for a malformed one."""
    content = read_quarantine_webhook(body, registries)
    checks: list[QuarantineCheck] = []
    new = 0
    for request in content.requests:
        received = store.quarantine.receive(
            request.registry, request.repository, request.digest, request.tag, request.event_id, now
        )
        checks.append(received.check)
        new += received.new
    return Received(tuple(checks), new, content.ignored, content.ping)


def process_due(
    store: Store, settings: WorkerSettings, clients: ClientFactory, now: Callable[[], datetime] | None = None
) -> list[QuarantineCheck]:
    """Take every due check this worker can claim and carry it as far as it goes; the checks afterwards."""
    clock = now or (lambda: datetime.now(UTC))
    done: list[QuarantineCheck] = []
    for check in store.quarantine.due(clock()):
        if not store.quarantine.claim(check.id, settings.claim_ttl, clock()):
            continue  # another worker took it
        process_check(store, check.id, settings, clients, clock)
        after = store.quarantine.get(check.id, clock())
        if after is not None:
            done.append(after)
    return done


def process_check(
    store: Store, check_id: int, settings: WorkerSettings, clients: ClientFactory, clock: Callable[[], datetime]
) -> None:
    """Decide (when not decided yet) and report one claimed check."""
    check = store.quarantine.get(check_id, clock())
    if check is None or check.status == "reported":
        return
    with clients(check.registry) as client:
        if check.status == "pending" and not _decide(store, check, settings, client, clock):
            return
        decided = store.quarantine.get(check_id, clock())
        assert decided is not None and decided.state is not None and decided.details is not None
        _report(store, decided, settings, client, clock)


def _decide(
    store: Store,
    check: QuarantineCheck,
    settings: WorkerSettings,
    client: RegistryClient,
    clock: Callable[[], datetime],
) -> bool:
    """Run the gate and record the decision; False when it must be tried again later."""
    from regwarden.oci.copy import Repository, read_tree

    try:
        tree = read_tree(Repository(client, check.repository), check.digest)
        outcome = run_gate(client, check.repository, tree, settings.gate)
    except (UnreachableError, NoDataError) as error:
        if check.attempts < settings.max_attempts:
            store.quarantine.record_retry(check.id, str(error), clock() + settings.retry_after(check.attempts))
            return False
        reason = f"not checked after {check.attempts} attempts: {error}"
        _record_failure(store, check, reason, clock())
        return True
    except RegwardenError as error:  # the manifest itself cannot be read: it must not pass
        reason = f"the image could not be read: {error}"
        _record_failure(store, check, reason, clock())
        if settings.catalog:
            store.catalog.record_failure(check.digest, _reference(check), reason, clock())
        return True
    if settings.catalog:
        _catalog(store, check, outcome, clock())
    result = outcome.result
    details = quarantine_details(result, scanner=SCANNER, scanned_at=clock())
    store.quarantine.record_decision(check.id, result.state, result.reasons(), details, clock())
    return True


def _record_failure(store: Store, check: QuarantineCheck, reason: str, moment: datetime) -> None:
    details = failure_details(reason, scanner=SCANNER, scanned_at=moment)
    store.quarantine.record_decision(check.id, FAILED, [reason], details, moment)


def _report(
    store: Store,
    check: QuarantineCheck,
    settings: WorkerSettings,
    client: RegistryClient,
    clock: Callable[[], datetime],
) -> None:
    from regwarden.oci.acr_quarantine import set_quarantine_state

    assert check.state is not None and check.details is not None
    try:
        set_quarantine_state(client, check.repository, check.digest, check.state, check.details)
    except RegwardenError as error:
        store.quarantine.record_retry(
            check.id, f"setting the state in ACR failed: {error}", clock() + settings.retry_after(check.attempts)
        )
        return
    store.quarantine.record_reported(check.id, clock())


def _reference(check: QuarantineCheck) -> str:
    return f"{check.registry}/{check.repository}@{check.digest}"


def _catalog(store: Store, check: QuarantineCheck, outcome: GateOutcome, moment: datetime) -> None:
    """Each scanned image into the inventory, and the pushed tag onto the pushed digest (an index's included)."""
    from regwarden.service.catalog import catalog_sbom

    for scanned in outcome.scanned:
        if scanned.sbom is None or scanned.metadata is None:
            continue
        reference = f"{check.registry}/{check.repository}@{scanned.gate.digest}"
        catalog_sbom(
            store, scanned.sbom, scanned.gate.digest, reference, scanned.metadata, origin="quarantine", now=moment
        )
    children = [(s.gate.digest, s.gate.platform) for s in outcome.scanned if s.gate.digest != check.digest]
    store.catalog.record_children(check.digest, children)
    repository_id = store.locations.repository_id(check.registry, check.repository, "acr")
    store.locations.record_tag(repository_id, check.tag, check.digest, moment)
