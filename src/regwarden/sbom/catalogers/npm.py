"""JavaScript packages: installed `node_modules/**/package.json` plus npm (incl. npm-shrinkwrap.json), yarn and
pnpm lockfiles.

De-duplication rule. A "project directory" is the directory holding a lockfile, or the directory whose
`node_modules/` holds installed packages (the part of the path before the first `node_modules/`).
- Installed packages are always reported, one per package root `package.json`.
- A lockfile in a project directory that also has installed packages contributes only the entries that are not
  installed there (same name and version): those are still declared by the project, so they are reported.
- The hidden lockfile `node_modules/.package-lock.json` only repeats what npm installed, so it is a source of
  packages only when its `node_modules/` has no package.json at all (e.g. the image kept the lockfile only).
- Lockfiles inside an installed package (`node_modules/x/yarn.lock`) are that package's development files and
  are not requested.
- Several lockfiles of one project directory are merged; each name@version is reported once.
Lockfile entries carry `metadata["dev"]` = "true"/"false" when the format records it (npm, pnpm; not yarn).
A file with one malformed entry is recorded whole as an Unknown whose reason names the entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.catalogers.npm_lockfiles import (
    LockEntry,
    LockfileError,
    parse_package_lock,
    parse_pnpm_lock,
    parse_yarn_lock,
)

CATALOGER_NAME = "npm"
HIDDEN_LOCKFILE = ".package-lock.json"
_LOCKFILE_PARSERS: dict[str, Callable[[bytes], list[LockEntry]]] = {
    "package-lock.json": parse_package_lock,
    "npm-shrinkwrap.json": parse_package_lock,  # package-lock's format, under the name npm publishes
    HIDDEN_LOCKFILE: parse_package_lock,
    "yarn.lock": parse_yarn_lock,
    "pnpm-lock.yaml": parse_pnpm_lock,
}
_PACKAGE_ROOT = re.compile(r"(?:^|/)node_modules/(?:@[^/]+/)?[^/@.][^/]*/package\.json$")


def is_package_root(path: str) -> bool:
    """`node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`, at any depth."""
    return _PACKAGE_ROOT.search(path) is not None


def _wants(path: str) -> bool:
    parent, _, base = path.rpartition("/")
    if base == "package.json":
        return is_package_root(path)
    if base == HIDDEN_LOCKFILE:
        return parent == "node_modules" or parent.endswith("/node_modules")
    return base in _LOCKFILE_PARSERS and "node_modules/" not in path


_REQUEST = FileRequest(basenames=frozenset({"package.json", *_LOCKFILE_PARSERS}), path_filter=_wants)


def project_dir(path: str) -> str:
    """The directory a package.json or lockfile belongs to ("" for the image root)."""
    if path.startswith("node_modules/"):
        return ""
    before, found, _ = path.partition("/node_modules/")
    return before if found else path.rpartition("/")[0]


@dataclass
class _Lockfile:
    path: str
    project: str
    entries: list[LockEntry]


class NpmCataloger:
    """Installed node modules and the lockfiles of JavaScript projects."""

    @property
    def name(self) -> str:
        return CATALOGER_NAME

    @property
    def request(self) -> FileRequest:
        return _REQUEST

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        installed: list[tuple[str, Package]] = []
        lockfiles: list[_Lockfile] = []
        unknowns: list[Unknown] = []
        for file in files:
            if not _wants(file.path):
                continue
            base = file.path.rpartition("/")[2]
            try:
                if base == "package.json":
                    package = parse_installed_package(file.path, file.content)
                    if package is not None:
                        installed.append((project_dir(file.path), package))
                else:
                    entries = _LOCKFILE_PARSERS[base](file.content)
                    lockfiles.append(_Lockfile(file.path, project_dir(file.path), entries))
            except (ValueError, TypeError, AttributeError) as error:
                # Lockfiles are deep untyped trees: a node of the wrong shape is bad input, not a bug.
                reason = str(error) if isinstance(error, LockfileError) else f"unexpected structure: {error}"
                unknowns.append(Unknown(path="/" + file.path, reason=reason, cataloger=CATALOGER_NAME))
        packages = [package for _, package in installed] + _declared_only(installed, lockfiles)
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def _declared_only(installed: list[tuple[str, Package]], lockfiles: list[_Lockfile]) -> list[Package]:
    """Lockfile packages per the module docstring's de-duplication rule."""
    installed_keys: dict[str, set[tuple[str, str]]] = {}
    for project, package in installed:
        installed_keys.setdefault(project, set()).add((package.name, package.version))
    reported: dict[tuple[str, str, str], Package] = {}
    for lockfile in lockfiles:
        here = installed_keys.get(lockfile.project)
        if here and lockfile.path.endswith(HIDDEN_LOCKFILE):
            continue
        for entry in lockfile.entries:
            key = (lockfile.project, entry.name, entry.version)
            if (here and (entry.name, entry.version) in here) or key in reported:
                continue
            reported[key] = _package(entry.name, entry.version, lockfile.path, entry.licenses, _dev_metadata(entry))
    return list(reported.values())


def _dev_metadata(entry: LockEntry) -> dict[str, str]:
    return {} if entry.dev is None else {"dev": "true" if entry.dev else "false"}


def parse_installed_package(path: str, content: bytes) -> Package | None:
    """A package root's package.json; None when it has no name or version (not a published package)."""
    try:
        manifest = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise LockfileError(f"invalid package.json: {error}") from None
    if not isinstance(manifest, dict):
        raise LockfileError("package.json top level is not a JSON object")
    name, version = manifest.get("name"), manifest.get("version")
    if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
        return None
    return _package(name, version, path, licenses_of(manifest), {})


def licenses_of(manifest: dict[str, object]) -> tuple[str, ...]:
    """`license` as an SPDX string, or legacy forms: `{"type": ...}`, a list of those, `licenses: [...]`."""
    found: list[str] = []
    for raw in (manifest.get("license"), manifest.get("licenses")):
        items = raw if isinstance(raw, list) else [raw]
        for item in items:
            value = item.get("type") if isinstance(item, dict) else item
            if isinstance(value, str) and value.strip() and value.strip() not in found:
                found.append(value.strip())
    return tuple(found)


def npm_purl(name: str, version: str) -> str:
    """`@scope/name` -> namespace `@scope` (percent-encoded by the purl library as `%40scope`)."""
    namespace, _, bare = name.rpartition("/")
    return PackageURL(type="npm", namespace=namespace or None, name=bare, version=version).to_string()


def _package(name: str, version: str, path: str, licenses: tuple[str, ...], metadata: dict[str, str]) -> Package:
    return Package(
        name=name,
        version=version,
        type=PackageType.NPM,
        purl=npm_purl(name, version),
        cataloger=CATALOGER_NAME,
        locations=(Location("/" + path),),
        licenses=licenses,
        metadata=metadata,
    )
