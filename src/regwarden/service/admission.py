"""The admission use case: decide on the images of one Kubernetes object, from cache when possible.

Per distinct image of the request: the reference is checked first with no network (`precheck`: malformed, a
registry the policy does not allow, a tag where a digest is required); a tag is resolved to its digest (kept
`cache.tagTtl`); what was learnt about `registry/repository@digest` (signatures, findings, quarantine) is kept
`cache.ttl` (`cache.deniedTtl` when it refused the image) in a bounded LRU, so a warm decision makes no registry
request and no database query; concurrent requests for one digest share one look (`SingleFlight`). Then the pure
judge (signing/admission_checks.py) and the decision over the whole object (signing/admission_decision.py).

Failure rule: an image that could not be judged (registry unreachable, database, a scan past its timeout, any
unexpected error) is an error verdict, never cached, and the failure policy decides: `Fail` denies, `Ignore`
allows with a warning. The caller bounds the whole review by `policy.timeout` and calls `unfinished` when it passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.admission import AdmissionDecision, AdmissionMode, AdmissionRequest, ImageFacts, ImageVerdict
from regwarden.model.errors import RegwardenError
from regwarden.oci.reference import Reference
from regwarden.service.admission_cache import ExpiringLru, SingleFlight
from regwarden.service.admission_facts import FactGatherer
from regwarden.service.admission_log import DecisionLog
from regwarden.service.images import ImageOptions
from regwarden.signing.admission_checks import judge, precheck
from regwarden.signing.admission_decision import decide
from regwarden.signing.admission_policy import AdmissionPolicy

if TYPE_CHECKING:
    from regwarden.inventory.notifications import Webhook
    from regwarden.store import Store


@dataclass(frozen=True)
class AdmissionSettings:
    """What `regwarden serve admission` (or a server mounting the admission router) starts with."""

    policy_file: Path
    mode: AdmissionMode | None = None
    """Overrides the policy file's `mode`."""
    db_url: str | None = None
    config_file: Path | None = None
    """The regwarden config file: its `notifications` webhooks receive the admission events."""
    image: ImageOptions = field(default_factory=lambda: ImageOptions(timeout=5.0))
    """Registry access: credentials, --insecure, and the per-request timeout."""
    deliver: bool = True
    """Deliver the events to the webhooks from this process (off when another process delivers the outbox)."""


class AdmissionController:
    def __init__(
        self,
        policy: AdmissionPolicy,
        gatherer: FactGatherer,
        log: DecisionLog,
        mode: AdmissionMode | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.policy = policy
        self.mode = mode or policy.mode
        self._gatherer, self._log, self._clock = gatherer, log, clock
        cache = policy.cache
        self._facts: ExpiringLru[str, ImageFacts] = ExpiringLru(cache.max_entries, cache.ttl)
        # What the reference alone says never changes under one policy: parsed and prechecked once per spelling.
        self._prechecked: ExpiringLru[str, tuple[Reference | None, ImageVerdict | None]] = ExpiringLru(
            cache.max_entries, float("inf")
        )
        self._tags: ExpiringLru[str, str] = ExpiringLru(cache.max_entries, cache.tag_ttl)
        self._flight: SingleFlight[str] = SingleFlight()

    def cached(self, request: AdmissionRequest) -> AdmissionDecision | None:
        """The decision when every image is known without a registry request or a query; None otherwise."""
        started = self._clock()
        verdicts = []
        for image in _distinct(request):
            verdict = self._from_cache(image)
            if verdict is None:
                return None
            verdicts.append(verdict)
        return self._decide(request, verdicts, started)

    def review(self, request: AdmissionRequest) -> AdmissionDecision:
        started = self._clock()
        verdicts = [self._from_cache(image) or self._judge(image) for image in _distinct(request)]
        return self._decide(request, verdicts, started)

    def unfinished(self, request: AdmissionRequest, error: str, elapsed_ms: float) -> AdmissionDecision:
        """The decision when the review could not finish (its deadline passed): the failure policy decides."""
        return decide(request, [], self.mode, self.policy.failure_policy, error=error, elapsed_ms=elapsed_ms)

    def record(self, request: AdmissionRequest, decision: AdmissionDecision) -> None:
        self._log.record(request, decision)

    def _decide(self, request: AdmissionRequest, verdicts: list[ImageVerdict], started: float) -> AdmissionDecision:
        elapsed = (self._clock() - started) * 1000
        return decide(request, verdicts, self.mode, self.policy.failure_policy, elapsed_ms=elapsed)

    def _precheck(self, image: str) -> tuple[Reference | None, ImageVerdict | None]:
        found = self._prechecked.get(image)
        if found is None:
            found = precheck(image, self.policy)
            self._prechecked.put(image, found)
        return found

    def _from_cache(self, image: str) -> ImageVerdict | None:
        reference, refused = self._precheck(image)
        if refused is not None or reference is None:
            return refused
        digest = reference.digest or self._tags.get(_tag_key(reference))
        facts = self._facts.get(f"{reference.name}@{digest}") if digest else None
        if facts is None:
            return None
        return replace(judge(image, reference, _as_named(facts, reference), self.policy), cached=True)

    def _judge(self, image: str) -> ImageVerdict:
        reference, refused = self._precheck(image)
        if refused is not None or reference is None:
            return refused or ImageVerdict(image, image, error="unreadable reference")
        try:
            digest = self._resolve(reference)
            key = f"{reference.name}@{digest}"
            facts = self._flight.run(key, lambda: self._facts.get(key) or self._gather(reference, digest, key))
        except RegwardenError as error:
            return ImageVerdict(image, str(reference), reference.digest, error=str(error))
        except Exception as error:  # an answer must come back whatever broke; the failure policy decides
            return ImageVerdict(image, str(reference), reference.digest, error=f"{type(error).__name__}: {error}")
        return judge(image, reference, _as_named(facts, reference), self.policy)

    def _resolve(self, reference: Reference) -> str:
        if reference.digest is not None:
            return reference.digest
        digest = self._gatherer.resolve(reference)
        self._tags.put(_tag_key(reference), digest)
        return digest

    def _gather(self, reference: Reference, digest: str, key: str) -> ImageFacts:
        facts = self._gatherer.gather(reference, digest)
        verdict = judge(str(reference), reference, facts, self.policy)
        self._facts.put(key, facts, None if verdict.allowed else self.policy.cache.denied_ttl)
        return facts


@dataclass
class AdmissionRuntime:
    """The controller and what it holds open (database, registry clients, the scan pool, the event writer)."""

    controller: AdmissionController
    store: Store


@contextmanager
def open_admission(settings: AdmissionSettings, log: Callable[[bytes], None]) -> Iterator[AdmissionRuntime]:
    """Load the policy, open the store and the clients, start the event writer; close all of it on exit."""
    from regwarden.service.admission_facts import MissScanner, RegistryClients, admission_clients
    from regwarden.service.admission_log import EventWriter
    from regwarden.service.settings import load_settings
    from regwarden.signing.admission_policy import load_admission_policy
    from regwarden.store import open_store

    policy = load_admission_policy(settings.policy_file)
    config = load_settings(settings.config_file)
    clients = RegistryClients(admission_clients(settings.image, policy.timeout))
    with open_store(settings.db_url) as store:
        scanner = MissScanner(store, settings.image, config.endpoints) if policy.findings is not None else None
        deliver = _deliverer(store, config.webhooks) if settings.deliver and config.webhooks else None
        events = EventWriter(store, config.endpoints, log, deliver)
        gatherer = FactGatherer(policy, clients, store, scanner)
        controller = AdmissionController(policy, gatherer, DecisionLog(log, events, policy.repeat_events_after),
                                         settings.mode)  # fmt: skip
        _preload(policy)
        events.start()
        try:
            yield AdmissionRuntime(controller, store)
        finally:
            events.stop()
            if scanner is not None:
                scanner.close()
            clients.close()


def _preload(policy: AdmissionPolicy) -> None:
    """Import what a first decision needs now, at start: the first pod is not kept waiting for the verifier's and
    the scanner's imports, and a server that freezes its start-up heap (web/admission.py) freezes them too."""
    import importlib

    modules = ["regwarden.service.trust", "regwarden.signing.verify", "regwarden.inventory.triage"]
    if policy.findings is not None:
        modules += ["regwarden.service.catalog", "regwarden.service.package_matching", "regwarden.sbom.build"]
    for name in modules:
        importlib.import_module(name)


def _deliverer(store: Store, webhooks: tuple[Webhook, ...]) -> Callable[[], None]:
    from regwarden.service.notify import deliver_pending

    def deliver() -> None:
        deliver_pending(store, webhooks)

    return deliver


def _distinct(request: AdmissionRequest) -> list[str]:
    return list(dict.fromkeys(use.image for use in request.images))


def _tag_key(reference: Reference) -> str:
    return f"{reference.name}:{reference.tag}"


def _as_named(facts: ImageFacts, reference: Reference) -> ImageFacts:
    """The facts of a digest, as this reference reached them (a tag it was resolved from, or none)."""
    resolved_from = reference.tag if reference.digest is None else None
    return facts if facts.resolved_from == resolved_from else replace(facts, resolved_from=resolved_from)
