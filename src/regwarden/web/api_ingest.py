"""Ingest: what CI sends (`POST /api/v1/sboms`, `POST /api/v1/scans`, with an API token of scope `ingest`) and
the registry push webhooks (`POST /webhooks/acr`, `POST /webhooks/distribution`, with the shared secret).

An SBOM is catalogued in the request (matching the stored advisories, no registry read). A push webhook is only
authenticated, bounded, parsed and queued: cataloguing the pushed image reads the registry, which the jobs
thread does (web/jobs.py), never the request. Bodies are bounded; requests are rate limited per client.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from regwarden.model.access import Principal, Role, Scope
from regwarden.web import api_models as out
from regwarden.web.api_inventory import ERRORS
from regwarden.web.auth import api_access
from regwarden.web.context import AppContext, client_address, context

router = APIRouter(responses={**ERRORS, 413: {"model": out.ErrorOut}}, tags=["ingest"])
Ingester = Annotated[Principal, Depends(api_access(Role.TRIAGER, Scope.INGEST))]
MAX_WEBHOOK_BYTES = 1024 * 1024
SBOM_BODY = {"content": {"application/json": {"schema": {"type": "object"}}}, "required": True}


@router.post(
    "/api/v1/sboms",
    response_model=out.IngestResult,
    status_code=201,
    summary="Catalog an SBOM a pipeline produced (CycloneDX, SPDX, regwarden JSON)",
    openapi_extra={"requestBody": SBOM_BODY},
)
async def post_sbom(
    request: Request,
    principal: Ingester,
    repo: Annotated[str | None, Query(max_length=512, description="REGISTRY/REPOSITORY it was pushed to")] = None,
    tag: Annotated[str | None, Query(max_length=128)] = None,
    digest: Annotated[str | None, Query(pattern=r"^sha256:[0-9a-f]{64}$")] = None,
) -> JSONResponse:
    return await _ingest(request, principal, "sbom", "inventory add", repo, tag, digest)


@router.post(
    "/api/v1/scans",
    response_model=out.IngestResult,
    status_code=201,
    summary="Record the SBOM `regwarden scan --record --server` built",
    openapi_extra={"requestBody": SBOM_BODY},
)
async def post_scan(
    request: Request,
    principal: Ingester,
    repo: Annotated[str | None, Query(max_length=512)] = None,
    tag: Annotated[str | None, Query(max_length=128)] = None,
    target: Annotated[str | None, Query(max_length=1024, description="What was scanned, as the CLI named it")] = None,
) -> JSONResponse:
    return await _ingest(request, principal, "scan", "scan --record", repo, tag, None, target)


async def _ingest(
    request: Request,
    principal: Principal,
    kind: str,
    origin: str,
    repo: str | None,
    tag: str | None,
    digest: str | None,
    target: str | None = None,
) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    from regwarden.service.ingest_api import MAX_SBOM_BYTES, ingest_sbom

    ctx = context(request)
    _limit(ctx.ingest_limiter.hit(principal.actor))
    body = await bounded_body(request, MAX_SBOM_BYTES)
    source = target or f"{kind} from {principal.actor}"
    outcome = await run_in_threadpool(
        lambda: ingest_sbom(ctx.store, body, origin=origin, repository=repo, tag=tag, digest=digest, source=source)
    )
    detail = {"digest": outcome.digest, "new": outcome.new, "repo": repo, "tag": tag}
    ctx.store.audit_log.append(
        principal.actor, f"ingest.{kind}", outcome.digest or "", detail, client=client_address(request)
    )
    ctx.changed()
    result = out.IngestResult(digest=outcome.digest or "", new=outcome.new, findings=outcome.new_findings)
    return JSONResponse(result.model_dump(), status_code=201)


@router.post(
    "/webhooks/acr",
    response_model=out.WebhookResult,
    status_code=202,
    summary="ACR push/delete webhook (and Event Grid); shared secret in Authorization: Bearer",
    openapi_extra={"requestBody": SBOM_BODY},
)
async def acr_webhook(request: Request) -> JSONResponse:
    return await _webhook(request, "acr", context(request).settings.webhooks.acr)


@router.post(
    "/webhooks/distribution",
    response_model=out.WebhookResult,
    status_code=202,
    summary="CNCF distribution notifications; shared secret in Authorization: Bearer",
    openapi_extra={"requestBody": SBOM_BODY},
)
async def distribution_webhook(request: Request) -> JSONResponse:
    return await _webhook(request, "distribution", context(request).settings.webhooks.distribution)


async def _webhook(request: Request, source: str, secret: str | None) -> JSONResponse:
    from datetime import UTC, datetime

    from regwarden.service.ingest_api import check_registry_events
    from regwarden.web.jobs import QueuedPush

    ctx = context(request)
    client = client_address(request)
    _limit(ctx.webhook_limiter.hit(f"{source}:{client}"))
    if not secret:
        raise HTTPException(404, f"the {source} webhook is not configured on this server")
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), secret.encode()):
        raise HTTPException(401, "missing or wrong shared secret (Authorization: Bearer …)")
    body = await bounded_body(request, MAX_WEBHOOK_BYTES)
    count, validation = check_registry_events(body)
    if validation is not None:
        return JSONResponse({"queued": False, "validationResponse": validation}, status_code=200)
    if not ctx.jobs.enqueue(QueuedPush(body, None, datetime.now(UTC))):
        raise HTTPException(503, "the ingest queue is full; the registry will retry")
    _audit(ctx, source, count, client)
    return JSONResponse({"queued": True, "validationResponse": None}, status_code=202)


def _audit(ctx: AppContext, source: str, count: int, client: str) -> None:
    ctx.store.audit_log.append(f"webhook:{source}", "webhook.queued", source, {"events": count}, client=client)


def _limit(retry_after: float | None) -> None:
    if retry_after is not None:
        raise HTTPException(429, "too many requests", headers={"Retry-After": str(int(retry_after) + 1)})


async def bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
