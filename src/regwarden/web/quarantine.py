"""The ACR quarantine webhook over HTTP: `POST /acr/quarantine`, answered at once, checked in the background.

`quarantine_router(worker, auth)` is the router (a larger server includes it and runs `worker.running()` in its
own lifespan); `create_quarantine_app(worker, auth)` is the app `regwarden quarantine serve` runs. The handler
only authenticates, bounds and records: the scan runs in the worker thread (service/quarantine_worker.py).

Answers: 202 with the recorded checks; 200 for a ping, or a body with no quarantine event (ACR retries non-2xx);
401 without the shared secret; 413 for a body over 64 KiB; 400 for a malformed one; 403 for a registry this
worker does not serve. `GET /acr/quarantine/checks` lists the records (same secret); `GET /healthz` is open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from regwarden.lifecycle.quarantine import MAX_BODY_BYTES, RegistryNotServedError, secret_matches
from regwarden.model.errors import BadInputError
from regwarden.model.quarantine import QuarantineCheck
from regwarden.service.quarantine import Received
from regwarden.service.quarantine_worker import QuarantineWorker

WEBHOOK_PATH = "/acr/quarantine"


@dataclass(frozen=True)
class WebhookAuth:
    """The shared secret and the header that carries it (`Authorization: Bearer …`, or a custom header)."""

    secret: str
    header: str = "Authorization"


class _TooLarge(Exception):
    pass


def create_quarantine_app(worker: QuarantineWorker, auth: WebhookAuth) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with worker.running():
            yield

    app = FastAPI(title="regwarden quarantine worker", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.include_router(quarantine_router(worker, auth))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def quarantine_router(worker: QuarantineWorker, auth: WebhookAuth) -> APIRouter:
    router = APIRouter()

    @router.post(WEBHOOK_PATH)
    async def quarantine_webhook(request: Request) -> JSONResponse:
        if not secret_matches(request.headers.get(auth.header), auth.secret, auth.header):
            return _error(401, f"missing or wrong {auth.header} header")
        try:
            body = await _bounded_body(request)
        except _TooLarge:
            return _error(413, f"the body is larger than {MAX_BODY_BYTES} bytes; an ACR webhook is not")
        try:
            received = await run_in_threadpool(worker.receive, body)
        except RegistryNotServedError as error:
            return _error(403, str(error))
        except BadInputError as error:
            return _error(400, str(error))
        return JSONResponse(_received(received), status_code=202 if received.checks else 200)

    @router.get(f"{WEBHOOK_PATH}/checks")
    async def quarantine_checks(request: Request, limit: int = 100) -> JSONResponse:
        if not secret_matches(request.headers.get(auth.header), auth.secret, auth.header):
            return _error(401, f"missing or wrong {auth.header} header")
        checks = await run_in_threadpool(worker.checks, max(1, min(limit, 1000)))
        return JSONResponse({"checks": [_check(check) for check in checks]})

    return router


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _received(received: Received) -> dict[str, Any]:
    return {
        "ping": received.ping,
        "accepted": [_check(check) for check in received.checks],
        "new": received.new,
        "ignored": list(received.ignored),
    }


def _check(check: QuarantineCheck) -> dict[str, Any]:
    return {
        "registry": check.registry,
        "repository": check.repository,
        "digest": check.digest,
        "tag": check.tag,
        "status": "running" if check.running and check.status != "reported" else check.status,
        "state": check.state,
        "reasons": list(check.reasons),
        "attempts": check.attempts,
        "last_error": check.last_error,
    }


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
