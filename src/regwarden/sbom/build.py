"""source → one walk of the layers → catalogers → Sbom, with the layer that added each package.

The core reads the image once (sbom/filesystem.py keeps only the files some cataloger asked for), hands each
cataloger its files, links language packages to the OS package that owns their files, and attributes every
package to a layer (sbom/attribution.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from regwarden import __version__
from regwarden.model.image import ImageMetadata
from regwarden.model.sbom import Location, Package, PackageType, Sbom, Unknown
from regwarden.sbom.attribution import LayerAttribution
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
    attribution = LayerAttribution(filesystem, context, _run)
    packages: list[Package] = []
    unknowns: list[Unknown] = list(filesystem.unknowns)
    owned: dict[str, str] = {}
    for cataloger in catalogers:
        if on_cataloger is not None:
            on_cataloger(cataloger.name)
        files = [
            CatalogFile(f.path, f.content, f.mode) for f in kept.values() if cataloger.request.wants(f.path, f.mode)
        ]
        if not files:
            continue
        result = _run(cataloger, files, context)
        owned.update(result.owned_files)
        unknowns += [_with_layer(u, filesystem) for u in result.unknowns]
        packages += [_attribute(p, attribution, cataloger) for p in result.packages]
    return Sbom(
        source=source,
        packages=tuple(_link_owned(_without_packaged_lockfiles(packages, owned), owned)),
        unknowns=tuple(unknowns),
        operating_system=context.operating_system,
        image_digest=metadata.digest if metadata else None,
        layers=filesystem.layers,
        tool_version=__version__,
        created=datetime.now(UTC).replace(microsecond=0).isoformat(),
    )


def _run(cataloger: Cataloger, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
    """A cataloger must not raise; if one does anyway, its files become Unknowns rather than failing the scan."""
    try:
        return cataloger.catalog(files, context)
    except Exception as error:  # the contract says never raise; the core still refuses to lose the scan
        reason = f"cataloger {cataloger.name} failed: {type(error).__name__}: {error}"
        return CatalogResult(unknowns=[Unknown("/" + f.path, reason, cataloger.name) for f in files])


def _attribute(package: Package, attribution: LayerAttribution, cataloger: Cataloger) -> Package:
    locations = tuple(_locate(location, attribution) for location in package.locations)
    layers = [
        layer
        for location in package.locations
        if (layer := attribution.introduced_by(package, location.path.lstrip("/"), cataloger))
    ]
    layer = min(layers, key=lambda ref: ref.index) if layers else None
    return dataclasses.replace(package, locations=locations, layer=layer)


def _locate(location: Location, attribution: LayerAttribution) -> Location:
    entry = attribution.filesystem.entry(location.path.lstrip("/"))
    return Location(location.path, entry.layer if entry is not None else location.layer)


def _with_layer(unknown: Unknown, filesystem: ImageFilesystem) -> Unknown:
    if unknown.layer is not None:
        return unknown
    entry = filesystem.entry(unknown.path.lstrip("/"))
    return dataclasses.replace(unknown, layer=entry.layer) if entry is not None else unknown


# Lockfiles describe a source tree's dependencies. One shipped inside an OS package (Debian installs
# /usr/share/nodejs/*/pnpm-lock.yaml and yarn.lock files) records how the distribution built that package, not
# software installed in the image, so it is not a source of packages. Trivy leaves these out too.
LOCKFILE_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "composer.lock",
        "Gemfile.lock",
        "Cargo.lock",
        "poetry.lock",
        "Pipfile.lock",
        "packages.lock.json",
    }
)


def _without_packaged_lockfiles(packages: Sequence[Package], owned: Mapping[str, str]) -> list[Package]:
    def from_packaged_lockfile(package: Package) -> bool:
        paths = [location.path.lstrip("/") for location in package.locations]
        return bool(paths) and all(p.rpartition("/")[2] in LOCKFILE_NAMES and p in owned for p in paths)

    return [package for package in packages if not from_packaged_lockfile(package)]


OS_PACKAGE_TYPES = frozenset({PackageType.DEB, PackageType.APK, PackageType.RPM})


def _link_owned(packages: Sequence[Package], owned: Mapping[str, str]) -> list[Package]:
    """A language package whose files the OS package manager installed is linked to that OS package."""
    if not owned:
        return list(packages)
    linked = []
    for package in packages:
        owner = next((owned[p] for loc in package.locations if (p := loc.path.lstrip("/")) in owned), None)
        is_os = package.type in OS_PACKAGE_TYPES
        linked.append(dataclasses.replace(package, owned_by=owner) if owner and not is_os else package)
    return linked
