"""`create_app(settings)`: the regwarden server — the dashboard, the JSON API under /api/v1 with its OpenAPI
document, the ingest endpoints and registry webhooks, and the background jobs — as one FastAPI application.

Nothing is open without signing in but `/login`, `/healthz`, `/static/…` and the webhooks (which check their own
shared secret). The store is opened (and migrated) once, when the app starts; the jobs thread runs for the app's
lifetime. Other services (the ACR quarantine webhook and its worker, the admission webhook) are mounted with
`mounts`: each one's router is included and its `running()` context is entered for the app's lifetime. Their routes
check their own credentials (a shared secret; the API server's TLS call), never the dashboard's sign-in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from regwarden import __version__
from regwarden.model.errors import AuthError, BadInputError, NotFoundError, RegwardenError
from regwarden.web.auth import SignInRequired
from regwarden.web.context import AppContext
from regwarden.web.headers import SecurityHeaders
from regwarden.web.logs import AccessLog
from regwarden.web.ratelimit import RateLimiter
from regwarden.web.settings import ServerSettings

if TYPE_CHECKING:
    from regwarden.store import Store

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("regwarden.server")
_STATUS = ((NotFoundError, 404), (BadInputError, 400), (AuthError, 403))


@dataclass(frozen=True)
class Mount:
    """A service mounted into the server: its router, and what runs behind it while the app does (a worker thread,
    an opened policy and its clients). `running()` is entered once the app's store is open, and left before it
    closes."""

    router: APIRouter
    running: Callable[[], AbstractContextManager[object]]


def create_app(
    settings: ServerSettings,
    store: Store | None = None,
    extra_routers: Sequence[APIRouter] = (),
    mounts: Sequence[Mount] = (),
) -> FastAPI:
    """The server. `store`: an open store to use (tests, or a command that shares it with a mounted worker); by
    default `settings.db_url` is opened at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ctx = _context(settings, store)
        app.state.regwarden = ctx
        if settings.jobs:
            ctx.jobs.start()
        try:
            with ExitStack() as running:
                for mount in mounts:
                    running.enter_context(mount.running())
                yield
        finally:
            ctx.jobs.stop()
            if store is None:
                ctx.store.close()

    app = FastAPI(
        title="regwarden",
        version=__version__,
        summary="Registry posture, images, vulnerabilities and what runs where.",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's docs pages load their scripts from a CDN: the document alone is served
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.add_middleware(SecurityHeaders, https=settings.https)
    app.add_middleware(AccessLog)
    _routes(app, (*extra_routers, *(mount.router for mount in mounts)))
    _error_handlers(app)
    return app


def _context(settings: ServerSettings, store: Store | None) -> AppContext:
    from regwarden.store import open_store
    from regwarden.web.jobs import BackgroundJobs
    from regwarden.web.oidc import OidcClient
    from regwarden.web.summaries import Summaries
    from regwarden.web.templates import template_environment

    opened = store or open_store(settings.db_url)
    summaries = Summaries(opened, refresh_in_request=not settings.jobs)
    limits = settings.rate_limits
    return AppContext(
        store=opened,
        settings=settings,
        templates=template_environment(),
        summaries=summaries,
        jobs=BackgroundJobs(opened, settings, summaries),
        oidc=OidcClient(settings.oidc) if settings.oidc else None,
        login_limiter=RateLimiter(limits.logins_per_minute),
        webhook_limiter=RateLimiter(limits.webhooks_per_minute),
        ingest_limiter=RateLimiter(limits.ingest_per_minute),
    )


def _routes(app: FastAPI, extra_routers: Sequence[APIRouter]) -> None:
    from regwarden.web import (
        api_ingest,
        api_inventory,
        api_runtime,
        api_triage,
        login,
        pages,
        pages_browse,
        pages_triage,
    )

    for router in (
        api_inventory.router,
        api_runtime.router,
        api_triage.router,
        api_ingest.router,
        login.router,
        pages.router,
        pages_browse.router,
        pages_triage.router,
        *extra_routers,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _error: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(RegwardenError)
    async def regwarden_error(request: Request, error: RegwardenError) -> Response:
        status = next((code for kind, code in _STATUS if isinstance(error, kind)), 500)
        if status == 500:
            log.error("request %s %s failed: %s", request.method, request.url.path, error)
        return _error(request, status, str(error) if status != 500 else "the server could not answer")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        return _error(request, error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        if _wants_html(request):
            return _error(request, 422, "; ".join(str(e.get("msg", "")) for e in error.errors()))
        return JSONResponse({"detail": _validation_text(error)}, status_code=422)


def _validation_text(error: RequestValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in error.errors()]
    return "; ".join(parts)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/webhooks/")) and request.method in ("GET", "POST")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_html(request):
        from regwarden.web.pages import render_error

        return render_error(request, status, message, headers)
    return JSONResponse({"detail": message}, status_code=status, headers=headers)
