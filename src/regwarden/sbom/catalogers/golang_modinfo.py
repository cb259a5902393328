"""The modinfo text of Go build info (what `go version -m` prints after the first line), read into modules.

Lines are tab-separated: `path` (the main package), `mod` (the main module), `dep` (a dependency), `=>` (the
replacement of the `mod` or `dep` line just before it) and `build` (a build setting, its value quoted the way
Go's strconv.Quote does when it holds spaces or quotes).

Replacements: a replacement by another module reports the replacement's path and version (that is the code that
was compiled), with the original in `metadata["replaces"]`; a replacement by a local directory keeps the required
module path and version (the path on disk means nothing to an advisory database) and records the directory in
`metadata["replaced_by"]`.

The main module is reported too, marked `metadata["role"] = "main module"`. `go install module@version` records
its release version. A build from a source tree records `(devel)`: then a version stamped with
`-ldflags "-X main.version=..."` is used when there is one (golang_ldflags.py, as Trivy does), else the version
is left empty, as Trivy does, with `(devel)` kept in `metadata["version_note"]`: an empty version cannot match a
version range, where the literal `(devel)` (Syft's choice) would read as a version to tools that compare them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from regwarden.sbom.catalogers.golang_ldflags import go_unquote, version_from_ldflags

DEVEL = "(devel)"
ROLE_MAIN = "main module"


class GoBuildInfoError(ValueError):
    """The build-info magic was found but what follows is not valid build info."""


@dataclass(frozen=True)
class Module:
    path: str
    version: str
    replaced_by: str | None = None
    """The local directory that replaced this module."""
    replaces: str | None = None
    """`path@version` of the module this one replaced."""


@dataclass(frozen=True)
class BuildInfo:
    go_version: str
    """As the binary records it, e.g. `go1.19.8`."""
    path: str
    main: Module | None
    deps: tuple[Module, ...]
    settings: Mapping[str, str]


def parse_modinfo(go_version: str, modinfo: str) -> BuildInfo:
    """Parse the modinfo text `go version -m` shows (sentinels already stripped)."""
    if not go_version.startswith(("go", "devel")):
        raise GoBuildInfoError(f"unexpected Go version string {go_version[:40]!r}")
    path, main, deps, settings = "", None, [], {}
    replaceable = ""  # which module line a `=>` line may replace: "mod", "dep", or none
    for number, line in enumerate(modinfo.splitlines(), start=1):
        kind, _, rest = line.partition("\t")
        fields = rest.split("\t")
        if kind == "path":
            path = rest
        elif kind == "mod":
            main, replaceable = _module(fields, number), kind
        elif kind == "dep":
            deps.append(_module(fields, number))
            replaceable = kind
        elif kind == "=>":
            if replaceable == "mod" and main is not None:
                main = _replace(main, fields)
            elif replaceable == "dep":
                deps[-1] = _replace(deps[-1], fields)
            else:
                raise GoBuildInfoError(f"modinfo line {number}: replacement without a module line before it")
            replaceable = ""
        elif kind == "build":
            key, _, value = rest.partition("=")
            settings[go_unquote(key)] = go_unquote(value)
        elif line.strip():
            raise GoBuildInfoError(f"modinfo line {number}: unknown kind {kind[:20]!r}")
    return BuildInfo(go_version, path, main, tuple(deps), settings)


def _module(fields: list[str], number: int) -> Module:
    if len(fields) < 2 or not fields[0]:
        raise GoBuildInfoError(f"modinfo line {number}: expected module path and version")
    return Module(fields[0], fields[1])


def _replace(original: Module, fields: list[str]) -> Module:
    replacement_path = fields[0] if fields else ""
    replacement_version = fields[1] if len(fields) > 1 else ""
    if replacement_version and replacement_version != DEVEL:
        return Module(replacement_path, replacement_version, replaces=f"{original.path}@{original.version}")
    return Module(original.path, original.version, replaced_by=replacement_path)


def main_module(info: BuildInfo) -> tuple[Module, dict[str, str]] | None:
    """The main module with the best version the binary records, and how that version was found."""
    if info.main is None:
        return None
    main, extra = info.main, {"role": ROLE_MAIN}
    if main.version not in ("", DEVEL):
        return main, extra
    stamped = version_from_ldflags(info.settings.get("-ldflags", ""), info.path, main.path)
    if stamped is not None:
        version, variable = stamped
        return Module(main.path, version, main.replaced_by, main.replaces), extra | {"version_from": f"-X {variable}"}
    note = f"{main.version or 'no version'}: built from a source tree, no release version recorded"
    return Module(main.path, "", main.replaced_by, main.replaces), extra | {"version_note": note}
