"""Parsers for the JavaScript lockfiles: package-lock.json (v1, v2, v3, hidden), yarn.lock (classic v1,
berry) and pnpm-lock.yaml (v5, v6, v9). Each turns one file into `LockEntry`s or raises `LockfileError`.

Skipped on purpose: the root project, workspace members and local `file:`/`link:` dependencies, because they
are the project's own code, not third-party packages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any


class LockfileError(ValueError):
    """A lockfile that cannot be read; the cataloger records it as an Unknown with this message."""


@dataclass(frozen=True)
class LockEntry:
    name: str
    version: str
    dev: bool | None = None
    """True/False when the lockfile says; None when the format cannot tell (yarn)."""
    licenses: tuple[str, ...] = ()
    """Only package-lock v2/v3 record a licence per entry."""

    def __post_init__(self) -> None:
        if not self.name or self.name.endswith("/") or not self.version:
            raise LockfileError(f"entry without a usable name or version: {self.name!r}@{self.version!r}")


def split_name_at_version(spec: str) -> tuple[str, str]:
    """`@scope/name@1.0.0` -> (`@scope/name`, `1.0.0`); the `@` of a scope is not the separator."""
    at = spec.find("@", 1)
    if at < 0:
        raise LockfileError(f"no version in {spec!r}")
    return spec[:at], spec[at + 1 :]


def _is_local(version: str) -> bool:
    return version.startswith(("file:", "link:", "workspace:"))


# ---- package-lock.json ----------------------------------------------------------------------------


def parse_package_lock(content: bytes) -> list[LockEntry]:
    document = _load_json(content)
    packages = document.get("packages")
    if isinstance(packages, dict):
        return list(_package_lock_packages(packages))
    dependencies = document.get("dependencies")
    if isinstance(dependencies, dict):
        return list(_package_lock_v1(dependencies))
    if "lockfileVersion" in document:
        return []
    raise LockfileError("not an npm lockfile: neither `packages` nor `dependencies`")


def _package_lock_packages(packages: Mapping[str, Any]) -> Iterator[LockEntry]:
    """v2/v3 and the hidden lockfile: keys are install paths; keys without `node_modules/` are workspaces."""
    for key, entry in packages.items():
        if "node_modules/" not in key or not isinstance(entry, dict) or entry.get("link"):
            continue
        name = entry.get("name") or key.rpartition("node_modules/")[2]
        version = entry.get("version")
        if isinstance(name, str) and isinstance(version, str) and not _is_local(version):
            license_ = entry.get("license")
            licenses = (license_,) if isinstance(license_, str) and license_ else ()
            yield LockEntry(name=name, version=version, dev=entry.get("dev") is True, licenses=licenses)


def _package_lock_v1(dependencies: Mapping[str, Any]) -> Iterator[LockEntry]:
    for name, entry in dependencies.items():
        if not isinstance(entry, dict):
            continue
        version = entry.get("version")
        if isinstance(version, str) and not _is_local(version):
            if version.startswith("npm:"):  # alias: `"alias": {"version": "npm:real@1.2.3"}`
                name, version = split_name_at_version(version[4:])
            yield LockEntry(name=name, version=version, dev=entry.get("dev") is True)
        nested = entry.get("dependencies")
        if isinstance(nested, dict):
            yield from _package_lock_v1(nested)


# ---- yarn.lock ------------------------------------------------------------------------------------

_YARN_V1_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def parse_yarn_lock(content: bytes) -> list[LockEntry]:
    text = content.decode("utf-8", errors="replace")
    if re.search(r"^__metadata:", text, re.MULTILINE):
        return _yarn_berry(text)
    return _yarn_classic(text)


def _yarn_classic(text: str) -> list[LockEntry]:
    """The v1 format is YAML-like but not YAML: unindented `"spec", "spec":` headers, then `  version "x"`."""
    entries: list[LockEntry] = []
    name: str | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace():
            first_spec = line.rstrip(":").split(",")[0].strip().strip('"')
            name = _yarn_spec_name(first_spec)
            continue
        match = _YARN_V1_VERSION.match(line)
        if match and name is not None and line.startswith("  ") and not line.startswith("   "):
            entries.append(LockEntry(name=name, version=match.group(1)))
            name = None
    if not entries and text.strip() and "yarn lockfile" not in text:
        raise LockfileError("no entries found in a yarn.lock")
    return entries


def _yarn_spec_name(spec: str) -> str | None:
    name, range_ = split_name_at_version(spec) if "@" in spec[1:] else (spec, "")
    if range_.startswith("npm:") and "@" in range_[5:]:  # alias: `alias@npm:real@^1` installs `real`
        return split_name_at_version(range_[4:])[0]
    if _is_local(range_):
        return None
    return name


def _yarn_berry(text: str) -> list[LockEntry]:
    document = _load_yaml(text)
    entries = []
    for key, entry in document.items():
        if key == "__metadata" or not isinstance(entry, dict):
            continue
        resolution = entry.get("resolution")
        version = entry.get("version")
        if not isinstance(resolution, str) or version is None:
            raise LockfileError(f"yarn.lock entry {key!r} without resolution or version")
        name, reference = split_name_at_version(resolution)
        # Workspaces, links and portals are the project's own code (soft links), not fetched packages.
        if entry.get("linkType") == "soft" or reference.startswith(("workspace:", "link:", "portal:")):
            continue
        entries.append(LockEntry(name=name, version=str(version)))
    return entries


# ---- pnpm-lock.yaml -------------------------------------------------------------------------------


def parse_pnpm_lock(content: bytes) -> list[LockEntry]:
    """Every YAML document of the file: pnpm 11+ writes its own toolchain (`packageManagerDependencies`) as a
    separate document before the project's, and both describe installed packages."""
    entries: list[LockEntry] = []
    for document in _load_yaml_documents(content.decode("utf-8", errors="replace")):
        entries += _pnpm_document(document)
    return entries


def _pnpm_document(document: Mapping[str, Any]) -> list[LockEntry]:
    packages = document.get("packages") or {}
    if not isinstance(packages, dict):
        raise LockfileError("pnpm-lock.yaml `packages` is not a mapping")
    major = str(document.get("lockfileVersion", "")).split(".")[0]
    dev_of = _pnpm_v9_dev_flags(document) if major.isdigit() and int(major) >= 9 else None
    entries = []
    for key, entry in packages.items():
        entry = entry if isinstance(entry, dict) else {}
        parsed = _pnpm_key(str(key), major)
        if parsed is None:
            continue
        name = str(entry.get("name") or parsed[0])
        version = str(entry.get("version") or parsed[1])
        dev = dev_of(str(key)) if dev_of is not None else _optional_bool(entry.get("dev"))
        entries.append(LockEntry(name=name, version=version, dev=dev))
    return entries


def _pnpm_key(key: str, major: str) -> tuple[str, str] | None:
    """`/name/1.0.0_peer@2` (v5), `/name@1.0.0(peer@2)` (v6), `name@1.0.0` (v9) -> (name, version)."""
    if key.startswith(("file:", "link:")):
        return None
    key = re.sub(r"\(.*\)$", "", key.removeprefix("/"))
    if major == "5":
        name, _, version = key.rpartition("/")
        return name, version.split("_")[0]
    return split_name_at_version(key)


def _pnpm_v9_dev_flags(document: Mapping[str, Any]) -> Callable[[str], bool | None]:
    """v9 dropped the per-package `dev` flag: a package is dev when no production import reaches it."""
    snapshots = document.get("snapshots")
    importers = document.get("importers")
    if not isinstance(snapshots, dict) or not isinstance(importers, dict):
        return lambda _key: None
    production = _reachable(_importer_roots(importers, ("dependencies", "optionalDependencies")), snapshots)
    return lambda key: key not in production


def _importer_roots(importers: Mapping[str, Any], sections: tuple[str, ...]) -> list[str]:
    roots = []
    for importer in importers.values():
        for section in sections:
            for name, spec in ((importer or {}).get(section) or {}).items():
                version = spec.get("version") if isinstance(spec, dict) else spec
                if isinstance(version, str) and not _is_local(version):
                    roots.append(_snapshot_key(name, version))
    return roots


def _reachable(roots: list[str], snapshots: Mapping[str, Any]) -> set[str]:
    """Package keys (peer suffix dropped) reachable from `roots` through the snapshots' dependency lists."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        snapshot_key = stack.pop()
        if snapshot_key in seen:
            continue
        seen.add(snapshot_key)
        snapshot = snapshots.get(snapshot_key) or {}
        for section in ("dependencies", "optionalDependencies"):
            for name, version in (snapshot.get(section) or {}).items():
                stack.append(_snapshot_key(name, str(version)))
    return {re.sub(r"\(.*\)$", "", key) for key in seen}


def _snapshot_key(name: str, version: str) -> str:
    """An aliased dependency's value is already a full key (`string-width@4.2.3`), not a version."""
    return version if "@" in version.partition("(")[0] else f"{name}@{version}"


# ---- shared ---------------------------------------------------------------------------------------


def _optional_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _load_json(content: bytes) -> dict[str, Any]:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise LockfileError(f"invalid JSON: {error}") from None
    if not isinstance(document, dict):
        raise LockfileError("top level is not a JSON object")
    return document


def _load_yaml(text: str) -> dict[str, Any]:
    documents = _load_yaml_documents(text)
    if len(documents) != 1:
        raise LockfileError(f"expected one YAML document, found {len(documents)}")
    return documents[0]


def _load_yaml_documents(text: str) -> list[dict[str, Any]]:
    """The non-empty documents of a YAML stream, each a mapping."""
    import yaml  # only yarn berry and pnpm lockfiles need it; importing it up front costs every run ~10 ms

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster on large lockfiles
    try:
        documents = [document for document in yaml.load_all(text, Loader=loader) if document is not None]
    except yaml.YAMLError as error:
        raise LockfileError(f"invalid YAML: {error}") from None
    if not documents or not all(isinstance(document, dict) for document in documents):
        raise LockfileError("top level is not a YAML mapping")
    return documents
