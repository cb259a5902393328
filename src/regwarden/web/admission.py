"""The Kubernetes admission webhook over HTTPS: `POST /admission/validate` takes an AdmissionReview
(admission.k8s.io/v1) and answers one, in the same version, with `response.uid` echoed.

`admission_app(settings)` is the application `regwarden serve admission` runs (its lifespan opens the policy,
the store and the registry clients: service/admission.py `open_admission`; the controller is `app.state.admission`
while it runs); `admission_router(controller)` is the
router alone, for a server that opens the controller itself (`with open_admission(settings, log) as runtime:
app.include_router(admission_router(lambda: runtime.controller))`).

The handler answers from cache when it can, without leaving the event loop (a warm decision makes no registry
request and no query); otherwise the review runs in a worker thread, bounded by the policy's `timeout`, past which
the failure policy answers (the review goes on and fills the cache for the API server's next attempt). Answers:
200 with the AdmissionReview; 400 for a body that is not one; 413 past 8 MiB. Every decision is logged.
`GET /healthz` is open (probes).
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from regwarden.collect.kubernetes.admission_review import parse_admission_review
from regwarden.model.admission import AdmissionDecision, AdmissionRequest
from regwarden.model.errors import BadInputError
from regwarden.report.admission_review import log_line, review_response
from regwarden.service.admission import AdmissionController, AdmissionSettings, open_admission

ADMISSION_PATH = "/admission/validate"
MAX_BODY_BYTES = 8 * 1024 * 1024
"""An AdmissionReview carries the object and the old object; the API server caps each at about 3 MiB."""


def admission_app(settings: AdmissionSettings, log: Callable[[bytes], None] | None = None) -> FastAPI:
    """The admission webhook server. `log` receives each JSON log line (default: stderr)."""
    write = log or _stderr

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with open_admission(settings, write) as runtime:
            app.state.admission = runtime.controller
            _freeze_start_up_heap()
            write(log_line({"event": "admission.start", "policy": runtime.controller.policy.describe()}))
            yield

    app = FastAPI(title="regwarden admission webhook", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)  # fmt: skip
    app.include_router(admission_router(lambda: app.state.admission))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def admission_router(controller: Callable[[], AdmissionController]) -> APIRouter:
    """The webhook's route. A plain Starlette route: FastAPI's parameter machinery has nothing to parse here (the
    body is read raw and bounded) and would only add to every answer's time."""
    router = APIRouter()

    async def validate(request: Request) -> Response:
        started = time.perf_counter()
        body = await _bounded_body(request)
        if body is None:
            return JSONResponse({"error": f"the body is larger than {MAX_BODY_BYTES} bytes"}, status_code=413)
        try:
            review = parse_admission_review(body)
        except BadInputError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        current = controller()
        decision = current.cached(review) or await _review(current, review, started)
        current.record(review, decision)
        return Response(review_response(decision, review.api_version), media_type="application/json")

    router.add_route(ADMISSION_PATH, validate, methods=["POST"], include_in_schema=False)
    return router


async def _review(controller: AdmissionController, review: AdmissionRequest, started: float) -> AdmissionDecision:
    timeout = controller.policy.timeout
    try:
        with anyio.fail_after(max(0.0, timeout - (time.perf_counter() - started))):
            return await anyio.to_thread.run_sync(controller.review, review, abandon_on_cancel=True)
    except TimeoutError:
        elapsed = (time.perf_counter() - started) * 1000
        return controller.unfinished(review, f"no decision within the policy's timeout of {timeout:g}s", elapsed)


async def _bounded_body(request: Request) -> bytes | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _freeze_start_up_heap() -> None:
    """Everything loaded at start (modules, the policy, clients) lives as long as the server: moved out of the
    cyclic collector's sight, a full collection walks only what requests made since, and stays short. A pause of
    the whole process there is what a webhook's tail latency is made of (90 ms measured before, a few after)."""
    gc.collect()
    gc.freeze()


def _stderr(line: bytes) -> None:
    sys.stderr.buffer.write(line)
    sys.stderr.flush()
