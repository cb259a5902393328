"""The main module's version stamped at link time: `go build -ldflags "-X main.version=1.2.3"`.

A binary built from a source checkout records its main module's version as `(devel)`. Release pipelines
commonly set the version with the linker's `-X importpath.name=value` flag instead, and Go keeps the flags in
the `-ldflags` build setting. As in Trivy, a value is taken when the variable's name says version (`version`,
`Version`, `ver`, `gitVersion`, `buildVersion`, ...) and the value is a semantic version, with or without its
leading `v`. Where several qualify, a variable of package `main` or of the main module's own packages wins over
one of a dependency, then the first in the flags. The result is canonical (`v1.2.3`), as module versions are.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

VERSION_VARIABLES = frozenset({"version", "ver", "gitversion", "buildversion", "appversion", "releaseversion"})
_SEMVER = re.compile(
    r"v?(?P<major>0|[1-9]\d*)(?:\.(?P<minor>0|[1-9]\d*)(?:\.(?P<patch>0|[1-9]\d*)"
    r"(?P<rest>(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?))?)?"
)
# The escapes Go's strconv.Quote writes.
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[abfnrtv\\\"'])")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def go_unquote(text: str) -> str:
    """A build setting value as Go wrote it: quoted with strconv.Quote when it holds spaces or quotes."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return text
    return _ESCAPE.sub(_unescape, text[1:-1])


def _unescape(match: re.Match[str]) -> str:
    code = match[1]
    if code[0] in "xuU":
        return chr(int(code[1:], 16))
    if code[0].isdigit():
        return chr(int(code, 8))
    return _SIMPLE_ESCAPES.get(code, code)


def version_from_ldflags(ldflags: str, main_package: str, main_module: str) -> tuple[str, str] | None:
    """(version, the `-X` variable it came from), or None when no flag sets a version."""
    candidates = [(key, version) for key, value in x_definitions(ldflags) if (version := _version(key, value))]
    if not candidates:
        return None
    own = [c for c in candidates if _is_own_package(c[0].rpartition(".")[0], main_package, main_module)]
    key, version = (own or candidates)[0]
    return version, key


def x_definitions(ldflags: str) -> Iterator[tuple[str, str]]:
    """(`importpath.name`, value) of every `-X` in the flags, in order (`-X a=b`, `-X=a=b`, `--X a=b`)."""
    try:
        args = shlex.split(ldflags)
    except ValueError:  # an unbalanced quote: Go would have refused it, but read what is there
        args = ldflags.split()
    for position, arg in enumerate(args):
        if arg in ("-X", "--X"):
            definition = args[position + 1] if position + 1 < len(args) else ""
        elif arg.startswith(("-X=", "--X=")):
            definition = arg.partition("=")[2]
        else:
            continue
        key, sep, value = definition.strip("'\"").partition("=")
        if sep and key:
            yield key, value


def _version(key: str, value: str) -> str | None:
    if key.rpartition(".")[2].lower() not in VERSION_VARIABLES:
        return None
    match = _SEMVER.fullmatch(value)
    if match is None:
        return None
    minor, patch = match["minor"] or "0", match["patch"] or "0"
    return f"v{match['major']}.{minor}.{patch}{match['rest'] or ''}"


def _is_own_package(package: str, main_package: str, main_module: str) -> bool:
    if package in ("main", main_package):
        return True
    return bool(main_module) and (package == main_module or package.startswith(main_module + "/"))
