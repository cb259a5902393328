"""JSON API: triage decisions (list, and record one as the signed-in user or the token's owner) and exports:
OpenVEX of the active decisions, an image's findings as SARIF or CycloneDX, and CSV of the lists."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from regwarden.model.access import Principal, Role, Scope
from regwarden.model.inventory import TriageScope, TriageState
from regwarden.model.triage_reports import TriageOutcome
from regwarden.web import api_convert as convert
from regwarden.web import api_models as out
from regwarden.web.api_inventory import ERRORS, Digest, Reader
from regwarden.web.auth import api_access
from regwarden.web.context import AppContext, client_address, context
from regwarden.web.listing import ImageQuery, VulnQuery, filter_images, filter_vulnerabilities

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["triage and exports"])
Triager = Annotated[Principal, Depends(api_access(Role.TRIAGER, Scope.TRIAGE))]


@router.get("/triage", response_model=out.TriageList, summary="Every triage decision, oldest first")
def list_triage_route(
    request: Request, _: Reader, vulnerability: Annotated[str | None, Query(max_length=255)] = None
) -> out.TriageList:
    from regwarden.service.triage import list_triage

    listing = list_triage(context(request).store, vulnerability)
    items = [convert.triage(entry.decision) for entry in listing.entries]
    return out.TriageList(items=[item for item in items if item is not None])


@router.post("/triage", response_model=out.TriageResult, status_code=201, summary="Record a triage decision")
def add_triage(request: Request, body: out.TriageIn, principal: Triager) -> out.TriageResult:
    ctx = context(request)
    outcome = record_decision(ctx, principal, body, client_address(request))
    return out.TriageResult(
        decisions=len(outcome.decisions),
        covered=outcome.covered,
        images=outcome.images,
        exposures_closed=outcome.exposures_closed,
    )


def record_decision(ctx: AppContext, principal: Principal, body: out.TriageIn, client: str) -> TriageOutcome:
    """Record through service/triage.py with the principal as author; audit it; mark the summaries stale."""
    from regwarden.service.triage import TriageRequest, record_triage

    request = TriageRequest(
        body.vulnerability, TriageScope(body.scope), body.target, TriageState(body.state), body.reason,
        principal.actor, body.package, body.expires,
    )  # fmt: skip
    outcome = record_triage(ctx.store, request, _endpoints(ctx))
    detail = {"scope": body.scope, "target": body.target, "state": body.state, "package": body.package,
              "expires": body.expires, "decisions": len(outcome.decisions)}  # fmt: skip
    ctx.store.audit_log.append(principal.actor, "triage.add", body.vulnerability, detail, client=client)
    ctx.changed()
    return outcome


def _endpoints(ctx: AppContext) -> tuple[str, ...]:
    from regwarden.service.settings import load_settings

    return load_settings(ctx.settings.config_file).endpoints if ctx.settings.config_file else ()


@router.get(
    "/exports/openvex",
    response_class=Response,
    summary="The active triage decisions as OpenVEX 0.2.0",
    responses={200: {"content": {"application/json": {}}}},
)
def export_openvex(request: Request, principal: Reader) -> Response:
    from regwarden.report.triage_openvex import render_triage_openvex
    from regwarden.service.triage_export import export_triage

    export = export_triage(context(request).store, principal.actor)
    return Response(render_triage_openvex(export), media_type="application/json")


@router.get(
    "/images/{digest}/export",
    response_class=Response,
    summary="An image's stored findings as SARIF 2.1.0 or CycloneDX 1.6 (with vulnerabilities)",
    responses={200: {"content": {"application/json": {}, "application/vnd.cyclonedx+json": {}}}},
)
def export_image(
    request: Request,
    digest: Digest,
    _: Reader,
    format: Literal["sarif", "cyclonedx-json", "json"] = "sarif",
) -> Response:
    from regwarden.service.image_export import render_export, stored_scan_report

    report = stored_scan_report(context(request).store, digest)
    media = "application/vnd.cyclonedx+json" if format == "cyclonedx-json" else "application/json"
    name = f"{digest.removeprefix('sha256:')[:12]}.{'sarif' if format == 'sarif' else 'json'}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(render_export(report, format), media_type=media, headers=headers)


@router.get(
    "/exports/images.csv",
    response_class=Response,
    summary="The image list as CSV (same filters as /images)",
    responses={200: {"content": {"text/csv": {}}}},
)
def export_images_csv(
    request: Request,
    _: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    severity: Literal["critical", "high", "medium", "low", "info"] | None = None,
    running: bool | None = None,
) -> Response:
    found = filter_images(context(request).summaries.get().images, ImageQuery(q, severity=severity, running=running))
    rows = [["image", "digest", "critical", "high", "medium", "low", "fixable", "running", "production", "risk"]]
    rows += [
        [i.name, i.digest, *(str(i.findings.get(s, 0)) for s in ("critical", "high", "medium", "low")),
         str(i.fixable), str(i.running), str(i.production), str(i.risk)]
        for i in found
    ]  # fmt: skip
    return _csv(rows, "images.csv")


@router.get(
    "/exports/vulnerabilities.csv",
    response_class=Response,
    summary="The vulnerability list as CSV",
    responses={200: {"content": {"text/csv": {}}}},
)
def export_vulnerabilities_csv(
    request: Request,
    _: Reader,
    severity: Literal["critical", "high", "medium", "low", "info"] | None = None,
    fixable: bool | None = None,
) -> Response:
    snapshot = context(request).summaries.get()
    found = filter_vulnerabilities(snapshot.vulnerabilities, VulnQuery(severity=severity, fixable=fixable))
    rows = [["id", "severity", "cvss", "packages", "images", "fixable", "running", "production", "summary"]]
    rows += [
        [v.id, v.severity, "" if v.cvss_score is None else str(v.cvss_score), " ".join(v.packages), str(v.images),
         "yes" if v.fixable else "no", str(v.running), str(v.production), v.summary or ""]
        for v in found
    ]  # fmt: skip
    return _csv(rows, "vulnerabilities.csv")


def _csv(rows: list[list[str]], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    headers = {"Content-Disposition": f'attachment; filename="{stamp}-{name}"'}
    return Response(buffer.getvalue(), media_type="text/csv", headers=headers)


def _cell(value: str) -> str:
    # A cell that starts like a formula runs as one in a spreadsheet (CSV injection): quote it as text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
