""".NET packages from `*.deps.json`, the dependency manifest `dotnet build`/`publish` writes beside an app.

Its `libraries` object is keyed `Name/Version`, each entry with a `type`. What is reported, all as
`pkg:nuget/Name@Version` (NuGet ids keep their case in the purl, as the purl spec says for nuget):
- `package`: a NuGet dependency.
- `project`: the application itself and the projects it references (`<ProjectReference>`). Marked in
  `metadata["role"]`: `project` for the root (the one project no other library depends on), `project reference`
  for the others. They are the app's own code, listed so the SBOM names what was deployed.
- `runtimepack` (`runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1`, a self-contained app's bundled
  runtime): reported under the runtime pack's NuGet id without the `runtimepack.` prefix, which is the name .NET
  runtime advisories use (`Microsoft.NETCore.App.Runtime.linux-x64`), `metadata["role"]` `runtime pack`. The
  shared framework's own deps.json lists the same runtime pack as a `package`; it gets the same role.
Left out: `reference` entries (a plain `<Reference>` to a DLL), whose version is an assembly version with no
NuGet identity, so no advisory could be matched to it honestly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "dotnet-deps"
_REQUEST = FileRequest(suffixes=(".deps.json",))
RUNTIME_PACK_PREFIX = "runtimepack."
REPORTED_TYPES = frozenset({"package", "project", "runtimepack"})
# Microsoft.NETCore.App.Runtime.linux-x64, Microsoft.AspNetCore.App.Runtime.win-x64, ...
_RUNTIME_PACK_ID = re.compile(r"Microsoft\.[A-Za-z]+\.App\.Runtime\.[\w.-]+", re.IGNORECASE)
ROLE_PROJECT = "project"
ROLE_PROJECT_REFERENCE = "project reference"
ROLE_RUNTIME_PACK = "runtime pack"


class DepsJsonError(ValueError):
    """A deps.json that cannot be read; recorded as an Unknown with this message."""


class DotnetDepsCataloger:
    """NuGet packages, projects and runtime packs an application was built with, from its `<app>.deps.json`."""

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
    reported = {key: library for key, library in libraries.items() if _library_type(library) in REPORTED_TYPES}
    root = root_project(reported, document.get("targets"), path)
    packages = []
    for key, library in reported.items():
        name, _, version = key.partition("/")
        if name.lower().startswith(RUNTIME_PACK_PREFIX):
            name = name[len(RUNTIME_PACK_PREFIX) :]
        if not name or not version:
            raise DepsJsonError(f"library key {key!r} is not Name/Version")
        packages.append(_package(name, version, path, library, _role(key, library, root)))
    return packages


def _library_type(library: object) -> str:
    kind = library.get("type") if isinstance(library, dict) else None
    return kind.lower() if isinstance(kind, str) else ""


def root_project(libraries: Mapping[str, object], targets: object, path: str) -> str | None:
    """The key of the application's own project: the one project no library depends on.

    When that is ambiguous (several, or none, e.g. a cycle in a hand-edited file), the project named like the
    deps.json file (`MyApp.deps.json` -> `MyApp`) if there is one.
    """
    projects = [key for key, library in libraries.items() if _library_type(library) == "project"]
    referenced = _referenced_keys(targets)
    unreferenced = [key for key in projects if key.lower() not in referenced]
    if len(unreferenced) == 1:
        return unreferenced[0]
    stem = path.rpartition("/")[2].removesuffix(".deps.json").lower()
    return next((key for key in projects if key.partition("/")[0].lower() == stem), None)


def _referenced_keys(targets: object) -> set[str]:
    """Every `name/version` that some library of some target depends on, lower-cased."""
    referenced: set[str] = set()
    for target in targets.values() if isinstance(targets, dict) else ():
        for entry in target.values() if isinstance(target, dict) else ():
            dependencies = entry.get("dependencies") if isinstance(entry, dict) else None
            if isinstance(dependencies, dict):
                referenced.update(f"{name}/{version}".lower() for name, version in dependencies.items())
    return referenced


def _role(key: str, library: object, root: str | None) -> str | None:
    kind = _library_type(library)
    name = key.partition("/")[0]
    if kind == "runtimepack" or name.lower().startswith(RUNTIME_PACK_PREFIX) or _RUNTIME_PACK_ID.fullmatch(name):
        return ROLE_RUNTIME_PACK
    if kind == "project":
        return ROLE_PROJECT if key == root or root is None else ROLE_PROJECT_REFERENCE
    return None


def _package(name: str, version: str, path: str, library: object, role: str | None) -> Package:
    metadata = {"role": role} if role else {}
    sha512 = library.get("sha512") if isinstance(library, dict) else None
    if isinstance(sha512, str) and sha512:
        # The nupkg hash lets a consumer check the package against nuget.org without re-downloading it.
        metadata["sha512"] = sha512
    return Package(
        name=name,
        version=version,
        type=PackageType.NUGET,
        purl=PackageURL(type="nuget", name=name, version=version).to_string(),
        cataloger=CATALOGER_NAME,
        locations=(Location("/" + path),),
        metadata=metadata,
    )
