"""JSON API: registries and their posture, images (filter, sort, page) and each image's SBOM, layers, packages,
findings, build history and recorded signatures. Every route reads the store or the risk snapshot; none scans."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from regwarden.model.access import Principal, Role, Scope
from regwarden.model.errors import NotFoundError
from regwarden.web import api_convert as convert
from regwarden.web import api_models as out
from regwarden.web.auth import api_access
from regwarden.web.context import context
from regwarden.web.listing import ImageQuery, ImageSort, filter_images, page

ERRORS: dict[int | str, dict[str, object]] = {code: {"model": out.ErrorOut} for code in (400, 401, 403, 404, 422, 429)}
DIGEST_PATH = r"^sha256:[0-9a-f]{64}$"
Reader = Annotated[Principal, Depends(api_access(Role.VIEWER, Scope.READ))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Digest = Annotated[str, Path(pattern=DIGEST_PATH, description="A manifest digest, sha256:…")]

router = APIRouter(prefix="/api/v1", responses=ERRORS, tags=["inventory"])


@router.get("/registries", response_model=out.RegistryList, summary="Audited registries, lowest score first")
def list_registries(request: Request, _: Reader) -> out.RegistryList:
    from regwarden.service.posture_history import registry_postures

    postures = registry_postures(context(request).store)
    return out.RegistryList(items=[convert.registry(posture) for posture in postures])


@router.get("/registries/{name}", response_model=out.RegistryDetail, summary="A registry's baseline and evidence")
def get_registry(request: Request, name: str, _: Reader) -> out.RegistryDetail:
    from regwarden.service.posture_history import registry_posture

    posture, points = registry_posture(context(request).store, name)
    return convert.registry_detail(posture, points)


@router.get("/images", response_model=out.ImageList, summary="Images, by risk unless sorted otherwise")
def list_images(
    request: Request,
    _: Reader,
    q: Annotated[str, Query(max_length=200, description="Part of the name, or a digest prefix.")] = "",
    registry: str | None = None,
    repository: str | None = None,
    severity: Literal["critical", "high", "medium", "low", "info"] | None = None,
    running: bool | None = None,
    sort: ImageSort = "risk",
    order: Literal["asc", "desc"] = "desc",
    limit: Limit = 50,
    offset: Offset = 0,
) -> out.ImageList:
    snapshot = context(request).summaries.get()
    query = ImageQuery(q, registry, repository, severity, running, sort, order == "desc")
    found = filter_images(snapshot.images, query)
    items = [convert.image_summary(image) for image in page(found, limit, offset)]
    return out.ImageList(total=len(found), limit=limit, offset=offset, items=items, computed_at=snapshot.computed_at)


@router.get(
    "/images/{digest}", response_model=out.ImageDetailOut, summary="One image: layers, findings, places, signatures"
)
def get_image(request: Request, digest: Digest, _: Reader) -> out.ImageDetailOut:
    from regwarden.service.image_view import image_detail

    return convert.image_detail(image_detail(context(request).store, digest))


@router.get("/images/{digest}/layers", response_model=list[out.LayerOut], summary="An image's layers")
def get_layers(request: Request, digest: Digest, _: Reader) -> list[out.LayerOut]:
    row = context(request).store.dashboard.image(digest)
    if row is None:
        raise NotFoundError(f"image {digest} is not in the inventory")
    import json

    layers = json.loads(str(row["layers"])) if row["layers"] else []
    return [convert.layer(index, item) for index, item in enumerate(layers)]


@router.get("/images/{digest}/packages", response_model=out.PackageList, summary="Packages and their layers")
def get_packages(
    request: Request,
    digest: Digest,
    _: Reader,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Limit = 100,
    offset: Offset = 0,
) -> out.PackageList:
    sbom = context(request).store.sboms.sbom(digest)
    if sbom is None:
        raise NotFoundError(f"image {digest} is not catalogued")
    found = [p for p in sbom.packages if q.lower() in p.name.lower()]
    items = [convert.package(p) for p in page(found, limit, offset)]
    return out.PackageList(total=len(found), limit=limit, offset=offset, items=items)


@router.get("/images/{digest}/findings", response_model=out.FindingList, summary="Open findings, with triage")
def get_findings(
    request: Request, digest: Digest, _: Reader, limit: Limit = 100, offset: Offset = 0
) -> out.FindingList:
    from regwarden.service.image_view import image_findings

    found = image_findings(context(request).store, digest)
    items = [convert.finding(delta) for delta in page(found, limit, offset)]
    return out.FindingList(total=len(found), limit=limit, offset=offset, items=items)


@router.get(
    "/images/{digest}/sbom",
    summary="The stored SBOM",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "application/vnd.cyclonedx+json": {}}}},
)
def get_sbom(
    request: Request,
    digest: Digest,
    _: Reader,
    format: Literal["json", "cyclonedx-json", "spdx-json"] = "cyclonedx-json",
) -> Response:
    from regwarden.service.images import render_sbom

    sbom = context(request).store.sboms.sbom(digest)
    if sbom is None:
        raise NotFoundError(f"image {digest} is not catalogued")
    media = "application/vnd.cyclonedx+json" if format == "cyclonedx-json" else "application/json"
    return Response(render_sbom(sbom, format), media_type=media)
