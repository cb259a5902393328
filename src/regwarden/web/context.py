"""What every request handler reaches through `request.app.state.regwarden`: the store, the settings, the rate
limiters, the templates, the background jobs and the summaries they keep."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request

from regwarden.web.affected_cache import AffectedCache, PreparedAnswer
from regwarden.web.ratelimit import RateLimiter
from regwarden.web.settings import ServerSettings

if TYPE_CHECKING:
    from jinja2 import Environment

    from regwarden.store import Store
    from regwarden.web.jobs import BackgroundJobs
    from regwarden.web.oidc import OidcClient
    from regwarden.web.summaries import Summaries


@dataclass
class AppContext:
    store: Store
    settings: ServerSettings
    templates: Environment
    summaries: Summaries
    jobs: BackgroundJobs
    oidc: OidcClient | None = None
    login_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(10))
    webhook_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(600))
    ingest_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(120))
    affected: AffectedCache = field(default_factory=AffectedCache)

    def affected_report(self, identifier: str) -> PreparedAnswer:
        """`affected` for a vulnerability page, through the cache (see affected_cache.py)."""
        from regwarden.service.impact import affected

        generation = self.summaries.get().computed_at
        return self.affected.get(identifier, generation, lambda: affected(self.store, identifier))

    def changed(self) -> None:
        """The server changed the inventory (triage, ingest): summaries and cached answers are stale."""
        self.affected.clear()
        self.summaries.stale.set()


def context(request: Request) -> AppContext:
    found: AppContext = request.app.state.regwarden
    return found


def client_address(request: Request) -> str:
    """The peer address (uvicorn rewrites it from X-Forwarded-For only for proxies it was told to trust)."""
    return request.client.host if request.client else "unknown"
