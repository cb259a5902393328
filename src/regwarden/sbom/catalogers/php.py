"""PHP Composer packages: `vendor/composer/installed.json` (what is installed) and `composer.lock` (what is
declared).

installed.json is a JSON list in Composer 1 and
`{"packages": [...], "dev": bool, "dev-package-names": [...]}` in Composer 2; composer.lock splits `packages`
from `packages-dev`. Versions are reported as Composer records them (`v1.1.1` keeps its `v`), because that is
the tag advisories for Packagist quote.

De-duplication follows the npm rule: when a composer.lock sits in the directory whose `vendor/composer/` holds
an installed.json, the installed packages are reported and only the lock entries not installed are added.
composer.lock files inside `vendor/` belong to dependencies' own repositories and are not requested. A file
with one malformed package entry is recorded whole as an Unknown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from regwarden.model.sbom import Location, Package, PackageType, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

CATALOGER_NAME = "php-composer"
_INSTALLED_SUFFIX = "vendor/composer/installed.json"


def _wants(path: str) -> bool:
    if path.endswith("/installed.json") or path == "installed.json":
        return path == _INSTALLED_SUFFIX or path.endswith("/" + _INSTALLED_SUFFIX)
    return path.rpartition("/")[2] == "composer.lock" and "/vendor/" not in "/" + path


_REQUEST = FileRequest(basenames=frozenset({"installed.json", "composer.lock"}), path_filter=_wants)


class ComposerError(ValueError):
    """A Composer file that cannot be read; recorded as an Unknown with this message."""


@dataclass(frozen=True)
class _Entry:
    name: str
    version: str
    licenses: tuple[str, ...]
    dev: bool | None


class ComposerCataloger:
    """Composer packages installed under vendor/ and locked in composer.lock."""

    @property
    def name(self) -> str:
        return CATALOGER_NAME

    @property
    def request(self) -> FileRequest:
        return _REQUEST

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        installed: dict[str, list[Package]] = {}
        locks: list[tuple[str, list[_Entry]]] = []
        unknowns: list[Unknown] = []
        for file in files:
            if not _wants(file.path):
                continue
            try:
                if file.path.endswith("composer.lock"):
                    locks.append((file.path, parse_composer_lock(file.content)))
                else:
                    project = file.path.removesuffix(_INSTALLED_SUFFIX).rstrip("/")
                    entries = parse_installed_json(file.content)
                    installed.setdefault(project, []).extend(_package(e, file.path) for e in entries)
            except ComposerError as error:
                unknowns.append(Unknown(path="/" + file.path, reason=str(error), cataloger=CATALOGER_NAME))
        packages = [package for group in installed.values() for package in group]
        for path, entries in locks:
            here = {(p.name, p.version) for p in installed.get(path.rpartition("/")[0], ())}
            packages.extend(_package(e, path) for e in entries if (e.name, e.version) not in here)
        return CatalogResult(packages=tuple(packages), unknowns=tuple(unknowns))


def parse_installed_json(content: bytes) -> list[_Entry]:
    document = _load(content)
    if isinstance(document, list):  # Composer 1 records nothing about dev packages
        return _entries(document, dev=None)
    if isinstance(document, dict) and isinstance(document.get("packages"), list):
        dev_names = document.get("dev-package-names")
        if not isinstance(dev_names, list):
            return _entries(document["packages"], dev=None)
        entries = _entries(document["packages"], dev=False)
        return [_Entry(e.name, e.version, e.licenses, e.name in dev_names) for e in entries]
    raise ComposerError("installed.json is neither a list nor an object with `packages`")


def parse_composer_lock(content: bytes) -> list[_Entry]:
    document = _load(content)
    if not isinstance(document, dict) or not isinstance(document.get("packages", []), list):
        raise ComposerError("composer.lock without a `packages` list")
    return _entries(document.get("packages", []), dev=False) + _entries(document.get("packages-dev") or [], dev=True)


def _entries(items: list[Any], dev: bool | None) -> list[_Entry]:
    entries = []
    for item in items:
        if not isinstance(item, dict):
            raise ComposerError("package entry is not an object")
        name, version = item.get("name"), item.get("version")
        if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
            raise ComposerError(f"package entry without name or version: {str(name or item)[:80]}")
        entries.append(_Entry(name, version, _licenses(item.get("license")), dev))
    return entries


def _licenses(raw: object) -> tuple[str, ...]:
    values = raw if isinstance(raw, list) else [raw]
    return tuple(value for value in values if isinstance(value, str) and value)


def _load(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise ComposerError(f"invalid JSON: {error}") from None


def composer_purl(name: str, version: str) -> str:
    """`vendor/package` -> namespace `vendor`, name `package`."""
    namespace, _, bare = name.rpartition("/")
    return PackageURL(type="composer", namespace=namespace or None, name=bare, version=version).to_string()


def _package(entry: _Entry, path: str) -> Package:
    return Package(
        name=entry.name,
        version=entry.version,
        type=PackageType.COMPOSER,
        purl=composer_purl(entry.name, entry.version),
        cataloger=CATALOGER_NAME,
        locations=(Location("/" + path),),
        licenses=entry.licenses,
        metadata={} if entry.dev is None else {"dev": "true" if entry.dev else "false"},
    )
