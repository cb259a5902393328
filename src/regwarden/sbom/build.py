"""source → one walk of the layers → catalogers → Sbom, with the layer that added each package.

The core reads the image once (sbom/filesystem.py keeps only the files some cataloger asked for), hands each
cataloger its files, then attributes every package to the earliest layer from which it is continuously present:
for a file written by several layers (dpkg's `status` grows with every `apt-get install`), the cataloger is run on
each version of that file, and a package belongs to the first version from which every later version still lists it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from regwarden import __version__
from regwarden.model.image import ImageMetadata
from regwarden.model.sbom import LayerRef, Location, Package, Sbom, Unknown
from regwarden.sbom.catalogers import ALL_CATALOGERS
from regwarden.sbom.catalogers.interface import (
    CatalogContext,
    Cataloger,
    CatalogFile,
    CatalogResult,
    FileRequest,
)
from regwarden.sbom.image_filesystem import ImageFilesystem
from regwarden.sbom.osrelease import OS_RELEASE_PATHS, detect_operating_system


def file_requests(catalogers: Sequence[Cataloger] = ALL_CATALOGERS) -> list[FileRequest]:
    """Everything the walk must keep: each cataloger's request plus the OS identity files."""
    return [*(cataloger.request for cataloger in catalogers), _os_release_request()]


def _os_release_request() -> FileRequest:
    basenames = frozenset(path.rpartition("/")[2] for path in OS_RELEASE_PATHS)
    return FileRequest(basenames=basenames, path_filter=_is_os_file, max_size=64 * 1024)


def _is_os_file(path: str) -> bool:
    return path in OS_RELEASE_PATHS


def catalog_filesystem(
    filesystem: ImageFilesystem,
    *,
    source: str,
    metadata: ImageMetadata | None = None,
    catalogers: Sequence[Cataloger] = ALL_CATALOGERS,
    on_cataloger: Callable[[str], None] | None = None,
) -> Sbom:
    kept = {f.path: f for f in filesystem.wanted_files()}
    os_files = {path: kept[path].content for path in OS_RELEASE_PATHS if path in kept}
    context = CatalogContext(
        operating_system=detect_operating_system(os_files), all_paths=frozenset(filesystem.paths())
    )
    packages: list[Package] = []
    unknowns: list[Unknown] = list(filesystem.unknowns)
    owned: dict[str, str] = {}
    for cataloger in catalogers:
        if on_cataloger is not None:
            on_cataloger(cataloger.name)
        files = [
            CatalogFile(f.path, f.content, f.mode)
            for f in kept.values()
            if cataloger.request.wants(f.path, f.mode)
        ]
        if not files:
            continue
        result = _run(cataloger, files, context)
        owned.update(result.owned_files)
        unknowns += [_with_layer(u, filesystem) for u in result.unknowns]
        packages += [_attribute(p, cataloger, filesystem, context) for p in result.packages]
    return Sbom(
        source=source,
        packages=tuple(_link_owned(packages, owned)),
        unknowns=tuple(unknowns),
        operating_system=context.operating_system,
        image_digest=metadata.digest if metadata else None,
        layers=filesystem.layers,
        tool_version=__version__,
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def _run(cataloger: Cataloger, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
    """A cataloger must not raise; if one does anyway, its files become Unknowns instead of failing the scan."""
    try:
        return cataloger.catalog(files, context)
    except Exception as error:  # the contract says never raise; the core still refuses to lose the scan
        reason = f"cataloger {cataloger.name} failed: {type(error).__name__}: {error}"
        return CatalogResult(unknowns=[Unknown("/" + f.path, reason, cataloger.name) for f in files])


def _attribute(
    package: Package, cataloger: Cataloger, filesystem: ImageFilesystem, context: CatalogContext
) -> Package:
    locations = tuple(_locate(location, filesystem) for location in package.locations)
    layers = [
        layer
        for location in package.locations
        if (layer := _introduced_by(package, location.path.lstrip("/"), cataloger, filesystem, context))
    ]
    layer = min(layers, key=lambda ref: ref.index) if layers else None
    return dataclasses.replace(package, locations=locations, layer=layer)


def _locate(location: Location, filesystem: ImageFilesystem) -> Location:
    entry = filesystem.entry(location.path.lstrip("/"))
    return Location(location.path, entry.layer if entry is not None else location.layer)


def _introduced_by(
    package: Package, path: str, cataloger: Cataloger, filesystem: ImageFilesystem, context: CatalogContext
) -> LayerRef | None:
    since = filesystem.added_by(path)
    if since is None:
        return None
    versions = [
        (layer, content) for layer, content in filesystem.versions(path) if layer.index >= since.index
    ]
    if len(versions) <= 1:
        return since
    # Walk down from the top: the package belongs to the lowest version in the unbroken run that still lists it.
    introduced = since
    for layer, content in reversed(versions):
        if not _lists(cataloger, path, content, package, context):
            break
        introduced = layer
    return introduced if introduced.index >= since.index else since


def _lists(
    cataloger: Cataloger, path: str, content: bytes, package: Package, context: CatalogContext
) -> bool:
    result = _run(cataloger, [CatalogFile(path, content)], context)
    return any(p.key == package.key for p in result.packages)


def _with_layer(unknown: Unknown, filesystem: ImageFilesystem) -> Unknown:
    if unknown.layer is not None:
        return unknown
    entry = filesystem.entry(unknown.path.lstrip("/"))
    return dataclasses.replace(unknown, layer=entry.layer) if entry is not None else unknown


def _link_owned(packages: Sequence[Package], owned: Mapping[str, str]) -> list[Package]:
    """A language package whose files the OS package manager installed is linked to that OS package."""
    if not owned:
        return list(packages)
    linked = []
    for package in packages:
        owner = next((owned[p] for loc in package.locations if (p := loc.path.lstrip("/")) in owned), None)
        is_os = package.type.value in ("deb", "apk", "rpm")
        linked.append(dataclasses.replace(package, owned_by=owner) if owner and not is_os else package)
    return linked


def count_by_type(packages: Sequence[Package]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for package in packages:
        counts[package.type.value] += 1
    return dict(counts)
