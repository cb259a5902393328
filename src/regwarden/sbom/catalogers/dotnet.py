""".NET packages from `*.deps.json`, the dependency manifest `dotnet build`/`publish` writes beside an app.

Its `libraries` object is keyed `Name/Version`; entries of type `package` came from NuGet and become
`pkg:nuget/Name@Version` (NuGet ids keep their case in the purl, as the purl spec says for nuget). Entries of
type `project` (the app and its own projects) and `reference` (plain assembly references) are the app's own
code and are skipped; so are `runtimepack` entries (the .NET runtime of a self-contained app, which is the
runtime's concern, not a NuGet dependency).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "dotnet-deps"
_REQUEST = FileRequest(suffixes=(".deps.json",))


class DepsJsonError(ValueError):
    """A deps.json that cannot be read; recorded as an Unknown with this message."""


class DotnetDepsCataloger:
    """NuGet packages an application was built with, from its `<app>.deps.json`."""

    @property
    def name(self) -> str:
        return CATALOGER_NAME

    @property
    def request(self) -> FileRequest:
        return _REQUEST

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        packages: list[Package] = []
        unknowns: list[Unknown] = []
        for file in files:
            if not file.path.endswith(".deps.json"):
                continue
            try:
                packages.extend(parse_deps_json(file.path, file.content))
            except DepsJsonError as error:
                unknowns.append(Unknown(path="/" + file.path, reason=str(error), cataloger=CATALOGER_NAME))
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def parse_deps_json(path: str, content: bytes) -> list[Package]:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise DepsJsonError(f"invalid JSON: {error}") from None
    libraries = document.get("libraries") if isinstance(document, dict) else None
    if not isinstance(libraries, dict):
        raise DepsJsonError("deps.json without a `libraries` object")
    packages = []
    for key, library in libraries.items():
        if not isinstance(library, dict) or library.get("type") != "package":
            continue
        name, _, version = key.partition("/")
        if not name or not version:
            raise DepsJsonError(f"library key {key!r} is not Name/Version")
        packages.append(_package(name, version, path, library))
    return packages


def _package(name: str, version: str, path: str, library: dict[str, object]) -> Package:
    sha512 = library.get("sha512")
    return Package(
        name=name,
        version=version,
        type=PackageType.NUGET,
        purl=PackageURL(type="nuget", name=name, version=version).to_string(),
        cataloger=CATALOGER_NAME,
        locations=(Location("/" + path),),
        # The nupkg hash lets a consumer check the package against nuget.org without re-downloading it.
        metadata={"sha512": sha512} if isinstance(sha512, str) and sha512 else {},
    )
