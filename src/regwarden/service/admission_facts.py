"""What the admission webhook learns about one image by digest: its signatures (through the registry), its open
findings (from the inventory, or a scan on a miss) and its quarantine record.

Order per image, each step only when the policy asks for it: the tag is resolved to a digest (one manifest GET);
the signatures attached to that digest are verified (`service.trust.verify_image`); the inventory is asked for
the open findings of the digest (an index: of the platform images catalogued from it), minus those a triage
decision covers; a digest the inventory lacks is catalogued now (`service.catalog.catalog_reference`: SBOM,
match, findings stored for the next request), bounded by `findings.scanTimeout`; the quarantine record of the
registry, repository and digest is read.

Failure rule: a registry that cannot be reached, an empty advisory database, or a scan that does not finish in
time raise (the caller's failure policy decides, and nothing is cached); an image that can be reached but not
read is `not_scanned` with its reason and refused. Never "no findings" for an image nobody looked at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from regwarden.inventory.triage import applicable_triage
from regwarden.model.admission import ImageFacts, UntriagedFinding
from regwarden.model.errors import NoDataError, RegwardenError, UnreachableError
from regwarden.oci.client import RegistryClient
from regwarden.oci.reference import Reference
from regwarden.service.images import ImageOptions
from regwarden.signing.admission_checks import quarantine_applies
from regwarden.signing.admission_policy import AdmissionPolicy, FindingsRule, OnMiss

if TYPE_CHECKING:
    from regwarden.store import Store

ClientFactory = Callable[[str], RegistryClient]
"""Registry host → a client for it (flags, environment, docker config, or Azure AD for an ACR)."""


class ScanTimeoutError(UnreachableError):
    """A scan on a miss did not finish within `findings.scanTimeout` (it goes on in the background)."""


def admission_clients(image: ImageOptions, deadline: float) -> ClientFactory:
    """Clients as every registry command makes them, with retries that fit in the decision's deadline: one retry
    after a short pause, since the API server will not wait for more."""
    from regwarden.oci.registry_source import connect
    from regwarden.oci.retry import RetryPolicy

    retry = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0, total_timeout=deadline)

    def client_for(registry: str) -> RegistryClient:
        return connect(registry, username=image.username, password=image.password, insecure=image.insecure,
                       timeout=image.timeout, retry=retry)  # fmt: skip

    return client_for


class RegistryClients:
    """One client per registry host, made on first use and reused (connections and tokens kept warm)."""

    def __init__(self, factory: ClientFactory) -> None:
        self._factory = factory
        self._clients: dict[str, RegistryClient] = {}
        self._lock = threading.Lock()

    def get(self, registry: str) -> RegistryClient:
        with self._lock:
            client = self._clients.get(registry)
            if client is None:
                client = self._clients[registry] = self._factory(registry)
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


class MissScanner:
    """Catalogs images the inventory lacks, a few at a time; a second request for a digest joins the first scan."""

    def __init__(self, store: Store, image: ImageOptions, endpoints: Sequence[str] = (), workers: int = 2) -> None:
        self._store, self._image, self._endpoints = store, image, tuple(endpoints)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="admission-scan")
        self._running: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def scan(self, reference: Reference, digest: str, timeout: float) -> None:
        with self._lock:
            future = self._running.get(digest)
            if future is None:
                future = self._running[digest] = self._pool.submit(self._catalog, reference, digest)
                future.add_done_callback(lambda _done: self._forget(digest))
        try:
            future.result(timeout=timeout)
        except FutureTimeout:
            raise ScanTimeoutError(
                f"the scan of {reference.name}@{digest} did not finish within {timeout:g}s"
            ) from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _catalog(self, reference: Reference, digest: str) -> None:
        from regwarden.service.catalog import ImagePlace, catalog_reference

        place = ImagePlace(reference.registry, reference.repository, reference.tag)
        target = f"{reference.name}@{digest}"
        catalog_reference(
            self._store, target, self._image, place=place, known_digest=digest, origin="admission",
            endpoints=self._endpoints, strict=True,
        )  # fmt: skip

    def _forget(self, digest: str) -> None:
        with self._lock:
            self._running.pop(digest, None)


class FactGatherer:
    def __init__(
        self,
        policy: AdmissionPolicy,
        clients: RegistryClients,
        store: Store | None = None,
        scanner: MissScanner | None = None,
        crl_timeout: float = 2.0,
    ) -> None:
        from regwarden.service.trust import http_crl_fetcher

        if store is None and (policy.findings is not None or policy.quarantine is not None):
            raise NoDataError("the findings and quarantine checks read the inventory: give a database")
        self._policy, self._clients, self._store, self._scanner = policy, clients, store, scanner
        self._fetch_crl = http_crl_fetcher(crl_timeout)

    def resolve(self, reference: Reference) -> str:
        """The digest the reference's tag names now (its digest when it names one)."""
        if reference.digest is not None:
            return reference.digest
        return self._clients.get(reference.registry).get_manifest(reference.repository, reference.identifier).digest

    def gather(self, reference: Reference, digest: str) -> ImageFacts:
        from regwarden.service.trust import verify_image

        target = f"{reference.name}@{digest}"
        policy = self._policy
        verification = None
        if policy.signatures is not None:
            client = self._clients.get(reference.registry)
            verification = verify_image(target, policy.signatures, client, fetch_crl=self._fetch_crl)
        facts = ImageFacts(target, digest, verification=verification)
        if policy.findings is not None:
            facts = self._with_findings(facts, reference, digest, policy.findings)
        if quarantine_applies(reference, policy):
            facts = self._with_quarantine(facts, reference, digest)
        return facts

    def _with_findings(self, facts: ImageFacts, reference: Reference, digest: str, rule: FindingsRule) -> ImageFacts:
        from dataclasses import replace

        store = self._require_store()
        if store.advisories.is_empty():
            raise NoDataError("the advisory database is empty: no image can be judged on its findings")
        source = "inventory"
        if store.catalog.statuses([digest]).get(digest) != "catalogued":
            if rule.on_miss is OnMiss.DENY or self._scanner is None:
                why = "not in the inventory (findings.onMiss: deny): record it with `regwarden inventory add`"
                return replace(facts, not_scanned=why)
            try:
                self._scanner.scan(reference, digest, rule.scan_timeout)
            except (UnreachableError, NoDataError):
                raise
            except RegwardenError as error:
                return replace(facts, not_scanned=f"the image could not be scanned: {error}")
            source = "scan"
        return replace(facts, findings=self._untriaged(store, digest), findings_source=source)

    def _untriaged(self, store: Store, digest: str) -> tuple[UntriagedFinding, ...]:
        """Open findings of the digest (an index: of every platform image catalogued from it) no triage covers."""
        digests = [digest, *store.history.children([digest]).get(digest, [])]
        found = [(image, finding) for image in digests for finding in store.history.open_findings(image)]
        ids = {identifier for _, finding in found for identifier in finding.ids}
        decisions = store.triage.decisions(ids) if ids else []
        places = store.impact.places(digests)
        today = datetime.now(UTC).date()
        kept = {
            UntriagedFinding(finding.vuln_id, finding.severity, f"{finding.package}@{finding.version}")
            for image, finding in found
            if applicable_triage(
                decisions, finding.ids, image, places.get(image) or places.get(digest, []), finding.package, today
            )
            is None
        }
        return tuple(sorted(kept, key=lambda f: (f.vuln_id, f.package)))

    def _with_quarantine(self, facts: ImageFacts, reference: Reference, digest: str) -> ImageFacts:
        from dataclasses import replace

        check = self._require_store().quarantine.find(reference.registry.lower(), reference.repository, digest)
        state = None if check is None else (check.state or check.status)
        return replace(facts, quarantine_state=state, quarantine_checked=True)

    def _require_store(self) -> Store:
        if self._store is None:
            raise NoDataError("no inventory database is open")
        return self._store
