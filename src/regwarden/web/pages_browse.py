"""The dashboard's other pages: workloads, registries and their baseline with evidence, events, search, and the
audit trail for admins. Rendered from the store and the risk snapshot; every page needs a session."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from regwarden.model.errors import NotFoundError
from regwarden.store.workload_pages import WorkloadFilter
from regwarden.web.charts import score_bars_svg
from regwarden.web.context import context
from regwarden.web.pages import PAGE_SIZE, Admin, PageNumber, Viewer, pages_for
from regwarden.web.templates import render

router = APIRouter(include_in_schema=False)


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
        pages=pages_for(total),
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
        request,
        "events.html",
        events=found,
        total=total,
        page=page,
        pages=pages_for(total),
        filters={"kind": kind or ""},
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
    return render(request, "audit.html", entries=entries, total=total, page=page, pages=pages_for(total))
