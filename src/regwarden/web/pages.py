"""The dashboard's pages, rendered on the server from the store and the risk snapshot (never a scan): the
overview, images by risk and one image, vulnerabilities and "where does it run" (pages_browse.py has the rest).
Every page needs a session.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from regwarden.model.access import Principal, Role
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
        pages=pages_for(len(found)),
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
        pages=pages_for(len(found)),
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


def render_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if not hasattr(request.app.state, "regwarden"):
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse(message, status_code=status, headers=headers)
    return render(request, "error.html", status=status, headers=headers, code=status, message=message)


def pages_for(total: int) -> int:
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
