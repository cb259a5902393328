"""What the server keeps between requests: rate limit windows, cached "where does it run" answers, and the risk
summaries (recomputed by the jobs thread, or in the request when no jobs run)."""

from __future__ import annotations

from datetime import UTC, datetime

from regwarden.model.inventory import AffectedReport
from regwarden.web.affected_cache import AffectedCache
from regwarden.web.ratelimit import RateLimiter
from tests.web.conftest import Server

V10 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _report(name: str) -> AffectedReport:
    return AffectedReport(name, name, (), None, ())


def test_a_rate_limit_window_refuses_then_reopens() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60, clock)
    assert [limiter.hit("ip:a"), limiter.hit("ip:a"), limiter.hit("ip:b")] == [None, None, None]
    assert limiter.hit("ip:a") == 60.0
    clock.now = 59.5
    assert limiter.hit("ip:a") == 1.0  # never less than a second: Retry-After is whole seconds
    clock.now = 60.0
    assert limiter.hit("ip:a") is None


def test_cached_answers_expire_change_with_the_generation_and_are_bounded() -> None:
    clock = Clock()
    cache = AffectedCache(size=2, ttl=10, clock=clock)
    computed: list[str] = []

    def compute(name: str) -> AffectedReport:
        computed.append(name)
        return _report(name)

    for name in ("CVE-1", "CVE-1", "CVE-2"):
        cache.get(name, "g1", lambda n=name: compute(n))
    assert computed == ["CVE-1", "CVE-2"]
    cache.get("CVE-1", "g2", lambda: compute("CVE-1"))  # the summaries were recomputed since
    clock.now = 11
    cache.get("CVE-2", "g1", lambda: compute("CVE-2"))  # too old
    cache.get("CVE-3", "g1", lambda: compute("CVE-3"))  # evicts the least recently used (CVE-1)
    cache.get("CVE-1", "g2", lambda: compute("CVE-1"))
    assert computed == ["CVE-1", "CVE-2", "CVE-1", "CVE-2", "CVE-3", "CVE-1"]


def test_a_triage_decision_shows_at_once_in_lists_and_pages_without_jobs(server: Server) -> None:
    server.sign_in("triager")
    before = server.client.get("/vulnerabilities/CVE-2020-8203").text
    assert "not_affected (all)" not in before
    body = {"vulnerability": "CVE-2020-8203", "scope": "all", "state": "not_affected", "reason": "build only"}
    assert server.client.post("/api/v1/triage", json=body, headers={"X-CSRF-Token": server.csrf()}).status_code == 201
    after = server.client.get("/vulnerabilities/CVE-2020-8203").text
    assert "not_affected (all)" in after
    assert "No production workload is affected." in after
    summaries = server.client.app.state.regwarden.summaries  # type: ignore[attr-defined]
    assert summaries.get().computed_at <= datetime.now(UTC)
    image = server.client.get(f"/api/v1/images/{V10}", headers={"X-CSRF-Token": server.csrf()}).json()
    assert {f["vuln_id"] for f in image["findings"] if f["triage"]} == {"CVE-2020-8203"}
