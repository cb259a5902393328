"""The software bill of materials: packages found in an image, where, and which layer added them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class PackageType(StrEnum):
    """Ecosystem of a package; values double as purl types where one exists."""

    DEB = "deb"
    APK = "apk"
    RPM = "rpm"
    PYPI = "pypi"
    NPM = "npm"
    GOLANG = "golang"
    MAVEN = "maven"
    CARGO = "cargo"
    NUGET = "nuget"
    GEM = "gem"
    COMPOSER = "composer"
    GO_STDLIB = "go-stdlib"
    """The Go toolchain a binary was built with (purl `pkg:golang/stdlib@...`)."""


@dataclass(frozen=True)
class OperatingSystem:
    """The distribution of the image, read from etc/os-release or its fallbacks."""

    id: str
    """os-release ID, lower case: debian, ubuntu, alpine, rhel, rocky, almalinux, fedora, ..."""
    version_id: str | None
    """os-release VERSION_ID: `12`, `3.19.1`, `22.04`, `9.3`."""
    pretty_name: str | None = None
    version_codename: str | None = None
    id_like: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerRef:
    """Which layer of the image a file or package belongs to."""

    index: int
    digest: str
    diff_id: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class Location:
    """A file inside the image (absolute path with a leading slash) and the layer it was read from."""

    path: str
    layer: LayerRef | None = None


@dataclass(frozen=True)
class Package:
    """One package found in an image; immutable and hashable so sets of packages compare exactly."""

    name: str
    version: str
    type: PackageType
    purl: str
    cataloger: str
    """Name of the cataloger that found it (e.g. `dpkg`, `python-dist-info`)."""
    locations: tuple[Location, ...] = ()
    layer: LayerRef | None = None
    """The earliest layer from which the package is continuously present in the image."""
    licenses: tuple[str, ...] = ()
    source_name: str | None = None
    """Source package (dpkg `Source:`, apk `origin`, rpm source rpm name): OS advisories are keyed by it."""
    source_version: str | None = None
    arch: str | None = None
    epoch: int | None = None
    cpes: tuple[str, ...] = ()
    owned_by: str | None = None
    """purl of the OS package whose files include this language package (e.g. Debian's python3-yaml)."""
    metadata: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.type.value, self.name, self.version)


@dataclass(frozen=True)
class Unknown:
    """Something a cataloger or the filesystem could not read; always reported, never dropped."""

    path: str
    reason: str
    cataloger: str | None = None
    layer: LayerRef | None = None


@dataclass(frozen=True)
class Sbom:
    """All packages of one image (or directory, or SBOM file) plus what could not be read."""

    source: str
    """What was scanned, as the user named it."""
    packages: tuple[Package, ...]
    unknowns: tuple[Unknown, ...] = ()
    operating_system: OperatingSystem | None = None
    image_digest: str | None = None
    layers: tuple[LayerRef, ...] = ()
    tool_version: str | None = None
    created: str | None = None
    """ISO 8601 UTC timestamp of when the SBOM was produced."""
