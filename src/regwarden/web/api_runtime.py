"""JSON API: vulnerabilities and where they run, workloads, events, search, and the audit trail (admins)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from regwarden.model.access import Principal, Role, Scope
from regwarden.model.dashboard import ImageRisk
from regwarden.model.errors import NotFoundError
from regwarden.store.workload_pages import WorkloadFilter
from regwarden.web import api_convert as convert
from regwarden.web import api_models as out
from regwarden.web.api_inventory import ERRORS, Limit, Offset, Reader
from regwarden.web.auth import api_access
from regwarden.web.context import context
from regwarden.web.listing import VulnQuery, VulnSort, filter_vulnerabilities, page
from regwarden.web.search import search

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["runtime"])
VulnId = Annotated[str, Path(min_length=1, max_length=255, description="Any id or alias: CVE, GHSA, PYSEC, …")]
Admin = Annotated[Principal, Depends(api_access(Role.ADMIN, Scope.READ))]


@router.get("/vulnerabilities", response_model=out.VulnerabilityList, summary="Open vulnerabilities, worst first")
def list_vulnerabilities(
    request: Request,
    _: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    severity: Literal["critical", "high", "medium", "low", "info"] | None = None,
    fixable: bool | None = None,
    running: bool | None = None,
    package: Annotated[str | None, Query(max_length=512)] = None,
    sort: VulnSort = "severity",
    order: Literal["asc", "desc"] = "desc",
    limit: Limit = 50,
    offset: Offset = 0,
) -> out.VulnerabilityList:
    snapshot = context(request).summaries.get()
    query = VulnQuery(q, severity, fixable, running, package, sort, order == "desc")
    found = filter_vulnerabilities(snapshot.vulnerabilities, query)
    items = [convert.vulnerability(item) for item in page(found, limit, offset)]
    return out.VulnerabilityList(
        total=len(found), limit=limit, offset=offset, items=items, computed_at=snapshot.computed_at
    )


@router.get("/vulnerabilities/{vuln_id}", response_model=out.VulnerabilityDetail, summary="Where does it run?")
def get_vulnerability(
    request: Request, vuln_id: VulnId, _: Reader, limit: Limit = 50, offset: Offset = 0
) -> out.VulnerabilityDetail:
    return convert.vulnerability_detail(context(request).affected_report(vuln_id), limit, offset)


@router.get("/workloads", response_model=out.WorkloadList, summary="Running workloads")
def list_workloads(
    request: Request,
    _: Reader,
    cluster: Annotated[str | None, Query(max_length=255)] = None,
    namespace: Annotated[str | None, Query(max_length=255)] = None,
    environment: Literal["production", "non-production"] | None = None,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> out.WorkloadList:
    ctx = context(request)
    total, rows = ctx.store.workload_pages.page(WorkloadFilter(cluster, namespace, environment, q), limit, offset)
    snapshot = ctx.summaries.get()
    items = [_workload(row, snapshot.by_digest) for row in rows]
    return out.WorkloadList(total=total, limit=limit, offset=offset, items=items)


@router.get("/workloads/{workload_id}", response_model=out.WorkloadDetail, summary="A workload and its image")
def get_workload(request: Request, workload_id: Annotated[int, Path(ge=1, le=2**62)], _: Reader) -> out.WorkloadDetail:
    from regwarden.service.image_view import image_findings

    ctx = context(request)
    row = ctx.store.workload_pages.one(workload_id)
    if row is None:
        raise NotFoundError(f"no workload {workload_id}")
    digest = row["digest"]
    findings = image_findings(ctx.store, str(digest)) if digest else ()
    return out.WorkloadDetail(
        **_workload(row, ctx.summaries.get().by_digest).model_dump(),
        environment_rule=str(row["environment_rule"]),
        labels=json.loads(str(row["labels"])),
        digest_reason=None if row["digest_reason"] is None else str(row["digest_reason"]),
        image_findings=[convert.finding(delta) for delta in findings],
    )


@router.get("/events", response_model=out.EventList, summary="Events, newest first")
def list_events(
    request: Request,
    _: Reader,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> out.EventList:
    total, found = context(request).store.dashboard.events(kind, limit, offset)
    return out.EventList(total=total, limit=limit, offset=offset, items=[convert.event(item) for item in found])


@router.get("/search", response_model=out.SearchResult, summary="Find a CVE, a package or an image")
def search_route(
    request: Request, _: Reader, q: Annotated[str, Query(min_length=1, max_length=200)]
) -> out.SearchResult:
    ctx = context(request)
    hits = search(ctx.store, ctx.summaries.get(), q)
    return out.SearchResult(query=q, hits=[out.SearchHit(kind=h.kind, label=h.label, url=h.url) for h in hits])


@router.get("/audit", response_model=out.AuditList, summary="The audit trail (admins)")
def list_audit(
    request: Request,
    _: Admin,
    action: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> out.AuditList:
    trail = context(request).store.audit_log
    entries = trail.recent(action=action, limit=limit, offset=offset)
    items = [
        out.AuditEntryOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, detail=e.detail,
                          client=e.client)
        for e in entries
    ]  # fmt: skip
    return out.AuditList(total=trail.count(action=action), limit=limit, offset=offset, items=items)


def _workload(row: dict[str, object], by_digest: Mapping[str, ImageRisk]) -> out.WorkloadOut:
    from datetime import datetime

    from regwarden.store.moments import aware

    image = by_digest.get(str(row["digest"])) if row["digest"] else None
    findings = image.findings if image is not None else {}
    first, last = row["first_seen"], row["last_seen"]
    assert isinstance(first, datetime) and isinstance(last, datetime)
    return out.WorkloadOut(
        id=int(str(row["id"])),
        cluster=str(row["cluster"]),
        namespace=str(row["namespace"]),
        kind=str(row["kind"]),
        name=str(row["name"]),
        container=str(row["container"]),
        image=str(row["image"]),
        digest=None if row["digest"] is None else str(row["digest"]),
        environment=str(row["environment"]),
        pods=int(str(row["pods"])),
        first_seen=aware(first) or first,
        last_seen=aware(last) or last,
        findings=convert.counts(findings),
    )
