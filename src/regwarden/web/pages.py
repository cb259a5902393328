"""The dashboard's pages, rendered on the server from the store and the risk snapshot (never a scan).

Overview; images by risk and one image; vulnerabilities and "where does it run"; workloads; registries and
their baseline with evidence; events; search; the audit trail for admins. Every page needs a session.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from regwarden.model.access import Principal, Role
from regwarden.model.errors import NotFoundError
from regwarden.store.dashboard_queries import WorkloadFilter
from regwarden.web.auth import page_access
from regwarden.web.charts import score_bars_svg, severity_trend_svg
from regwarden.web.context import context
from regwarden.web.listing import ImageQuery, ImageSort, VulnQuery, VulnSort, filter_images, filter_vulnerabilities
from regwarden.web.templates import render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(page_access(Role.VIEWER))]
Admin = Annotated[Principal, Depends(page_access(Role.ADMIN))]
PageNumber = Annotated[int, Query(ge=1, le=100_000)]
Severity = Literal["critical", "high", "medium", "low", "info"] | None
PAGE_SIZE = 50
DETAIL_SIZE = 100


@router.get("/")
def overview(request: Request, _: Viewer) -> Response:
    from regwarden.service.posture_history import registry_postures

    ctx = context(request)
    snapshot = ctx.summaries.get()
    postures = registry_postures(ctx.store)
    _count, events = ctx.store.dashboard.events(None, 10, 0)
    return render(
        request, "overview.html", snapshot=snapshot, postures=postures, exposed=snapshot.exposed,
        exposed_total=snapshot.exposed_total, events=events, totals=snapshot.severity_totals,
        trend_svg=severity_trend_svg(snapshot.trend),
        scores_svg=score_bars_svg([(p.registry_name, p.score) for p in postures]),
        top_images=list(itertools.islice((i for i in snapshot.images if i.total), 10)),
    )  # fmt: skip


@router.get("/images")
def images_page(
    request: Request,
    _: Viewer,
    q: Annotated[str, Query(max_length=200)] = "",
    severity: Severity = None,
    running: bool | None = None,
    sort: ImageSort = "risk",
    order: Literal["asc", "desc"] = "desc",
    page: PageNumber = 1,
) -> Response:
    snapshot = context(request).summaries.get()
    found = filter_images(
        snapshot.images, ImageQuery(q, severity=severity, running=running, sort=sort, descending=order == "desc")
    )
    rows = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    filters = {
        "q": q,
        "severity": severity or "",
        "running": "" if running is None else str(running).lower(),
        "sort": sort,
        "order": order,
    }
    return render(
        request,
        "images.html",
        rows=rows,
        total=len(found),
        page=page,
        pages=_pages(len(found)),
        filters=filters,
        snapshot=snapshot,
    )


@router.get("/images/{digest}")
def image_page(request: Request, digest: Annotated[str, Path(pattern=r"^sha256:[0-9a-f]{64}$")], _: Viewer) -> Response:
    from regwarden.service.image_view import image_detail

    detail = image_detail(context(request).store, digest)
    if detail.digest != digest:
        return RedirectResponse(f"/images/{detail.digest}", status_code=303)
    layers_added = _packages_by_layer(detail.packages)
    return render(
        request,
        "image.html",
        image=detail,
        layers_added=layers_added,
        risk=context(request).summaries.get().by_digest.get(digest),
    )


@router.get("/vulnerabilities")
def vulnerabilities_page(
    request: Request,
    _: Viewer,
    q: Annotated[str, Query(max_length=200)] = "",
    severity: Severity = None,
    fixable: bool | None = None,
    running: bool | None = None,
    package: Annotated[str | None, Query(max_length=512)] = None,
    sort: VulnSort = "severity",
    order: Literal["asc", "desc"] = "desc",
    page: PageNumber = 1,
) -> Response:
    snapshot = context(request).summaries.get()
    query = VulnQuery(q, severity, fixable, running, package or None, sort, order == "desc")
    found = filter_vulnerabilities(snapshot.vulnerabilities, query)
    rows = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    filters = {
        "q": q,
        "severity": severity or "",
        "fixable": _flag(fixable),
        "running": _flag(running),
        "package": package or "",
        "sort": sort,
        "order": order,
    }
    return render(
        request,
        "vulnerabilities.html",
        rows=rows,
        total=len(found),
        page=page,
        pages=_pages(len(found)),
        filters=filters,
        snapshot=snapshot,
    )


@router.get("/vulnerabilities/{vuln_id}")
def vulnerability_page(
    request: Request,
    vuln_id: Annotated[str, Path(min_length=1, max_length=255)],
    principal: Viewer,
    page: PageNumber = 1,
) -> Response:
    answer = context(request).affected_report(vuln_id)
    risk = context(request).summaries.get().by_vulnerability.get(answer.report.vulnerability_id)
    can_triage = principal.user.role.allows(Role.TRIAGER)
    recorded = _number(request.query_params.get("recorded")), _number(request.query_params.get("covered"))
    window = slice((page - 1) * DETAIL_SIZE, page * DETAIL_SIZE)
    return render(
        request, "vulnerability.html", report=answer.report, answer=answer, risk=risk, can_triage=can_triage,
        recorded=recorded, running=answer.running[window], rows=answer.rows[window], page=page,
        pages=max(1, -(-max(len(answer.running), len(answer.rows)) // DETAIL_SIZE)),
        targets=answer.rows[:200], packages=sorted({row.component.package for row in answer.rows}),
    )  # fmt: skip


@router.get("/workloads")
def workloads_page(
    request: Request,
    _: Viewer,
    q: Annotated[str, Query(max_length=200)] = "",
    cluster: Annotated[str | None, Query(max_length=255)] = None,
    environment: Literal["production", "non-production"] | None = None,
    page: PageNumber = 1,
) -> Response:
    ctx = context(request)
    where = WorkloadFilter(cluster=cluster or None, environment=environment, text=q or None)
    total, rows = ctx.store.workload_pages.page(where, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    snapshot = ctx.summaries.get()
    filters = {"q": q, "cluster": cluster or "", "environment": environment or ""}
    return render(
        request,
        "workloads.html",
        rows=rows,
        total=total,
        page=page,
        pages=_pages(total),
        filters=filters,
        by_digest=snapshot.by_digest,
    )


@router.get("/workloads/{workload_id}")
def workload_page(request: Request, workload_id: Annotated[int, Path(ge=1, le=2**62)], _: Viewer) -> Response:
    import json

    from regwarden.service.image_view import image_findings

    ctx = context(request)
    row = ctx.store.workload_pages.one(workload_id)
    if row is None:
        raise NotFoundError(f"no workload {workload_id}")
    findings = image_findings(ctx.store, str(row["digest"])) if row["digest"] else ()
    labels = json.loads(str(row["labels"]))
    return render(
        request,
        "workload.html",
        workload=row,
        labels=labels,
        findings=findings,
        risk=ctx.summaries.get().by_digest.get(str(row["digest"])),
    )


@router.get("/registries")
def registries_page(request: Request, _: Viewer) -> Response:
    from regwarden.service.posture_history import registry_postures

    postures = registry_postures(context(request).store)
    return render(
        request,
        "registries.html",
        postures=postures,
        scores_svg=score_bars_svg([(p.registry_name, p.score) for p in postures]),
    )


@router.get("/registries/{name}")
def registry_page(request: Request, name: Annotated[str, Path(min_length=1, max_length=255)], _: Viewer) -> Response:
    from regwarden.service.posture_history import registry_posture

    posture, points = registry_posture(context(request).store, name)
    order = {"FAIL": 0, "UNKNOWN": 1, "SUPPRESSED": 2, "PASS": 3, "SKIPPED": 4}
    results = sorted(posture.results, key=lambda r: (order.get(r.effective_status, 5), r.rule_id))
    return render(request, "registry.html", posture=posture, points=points, results=results)


@router.get("/events")
def events_page(
    request: Request, _: Viewer, kind: Annotated[str | None, Query(max_length=60)] = None, page: PageNumber = 1
) -> Response:
    total, found = context(request).store.dashboard.events(kind or None, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render(
        request, "events.html", events=found, total=total, page=page, pages=_pages(total), filters={"kind": kind or ""}
    )


@router.get("/search")
def search_page(request: Request, _: Viewer, q: Annotated[str, Query(max_length=200)] = "") -> Response:
    from regwarden.web.search import search

    ctx = context(request)
    hits = search(ctx.store, ctx.summaries.get(), q) if q.strip() else []
    if len(hits) == 1:
        return RedirectResponse(hits[0].url, status_code=303)
    return render(request, "search.html", q=q, hits=hits)


@router.get("/audit")
def audit_page(request: Request, _: Admin, page: PageNumber = 1) -> Response:
    trail = context(request).store.audit_log
    entries = trail.recent(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = trail.count()
    return render(request, "audit.html", entries=entries, total=total, page=page, pages=_pages(total))


def render_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if not hasattr(request.app.state, "regwarden"):
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse(message, status_code=status, headers=headers)
    return render(request, "error.html", status=status, headers=headers, code=status, message=message)


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _flag(value: bool | None) -> str:
    return "" if value is None else str(value).lower()


def _packages_by_layer(packages: tuple[object, ...]) -> dict[int, int]:
    from regwarden.model.sbom import Package

    counts: dict[int, int] = {}
    for package in packages:
        if isinstance(package, Package) and package.layer is not None:
            counts[package.layer.index] = counts.get(package.layer.index, 0) + 1
    return counts
