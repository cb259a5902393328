"""`where PACKAGE[@VERSION]`: a package name or purl, and an optional version or version range.

Accepted, as users type them:
- `log4j-core`, `urllib3@1.24.1` (exact), `urllib3@<1.26.5`, `log4j-core@>=2.0,<2.17.1` (comma = and);
- a purl, `pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1`, where the type and namespace narrow the match;
- a vers range, `vers:maven/>=2.0|<2.17.1` (per the vers spec: `|`-separated constraints, ordered, `!=` allowed).
Versions are compared with the package's own ecosystem ordering (vuln/versions.py), so `1.24.1 < 1.24.10` in PyPI
and `1:2.0-1 > 1.9` in Debian; a version its ecosystem cannot order is reported, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from packageurl import PackageURL

from regwarden.model.errors import BadInputError
from regwarden.vuln.versions import VersionError, compare

_OPERATOR = re.compile(r"^(>=|<=|!=|==|=|>|<)?\s*([^<>=!\s]\S*)$")
_SCHEMES = {
    "deb": "deb",
    "apk": "apk",
    "rpm": "rpm",
    "pypi": "pypi",
    "npm": "semver",
    "golang": "semver",
    "go-stdlib": "semver",
    "cargo": "semver",
    "maven": "maven",
    "nuget": "nuget",
    "gem": "gem",
    "composer": "composer",
}


@dataclass(frozen=True)
class Constraint:
    operator: str
    """One of `=`, `!=`, `<`, `<=`, `>`, `>=`."""
    version: str


@dataclass(frozen=True)
class PackageQuery:
    name: str
    type: str | None = None
    namespace: str | None = None
    constraints: tuple[Constraint, ...] = ()
    any_of: bool = False
    """vers semantics (constraints joined by `|`, evaluated as ordered intervals) instead of `,` = all of."""

    def matches_identity(self, package_type: str, name: str, purl: str) -> bool:
        if self.type is not None and package_type != self.type:
            return False
        if self.namespace is not None:
            parsed = _purl_or_none(purl)
            if parsed is None or (parsed.namespace or "").lower() != self.namespace.lower():
                return False
        return name.lower() == self.name.lower()

    def matches_version(self, package_type: str, version: str) -> bool:
        """Whether `version` satisfies the constraints; raises VersionError when the ecosystem cannot order it."""
        if not self.constraints:
            return True
        scheme = _SCHEMES.get(package_type)
        if scheme is None:
            return all(_exact(c, version) for c in self.constraints)
        if self.any_of:
            return _vers_contains(scheme, self.constraints, version)
        return all(_holds(scheme, c, version) for c in self.constraints)


def parse_package_query(text: str) -> PackageQuery:
    text = text.strip()
    if not text:
        raise BadInputError("name a package: NAME, NAME@VERSION, NAME@<VERSION, a purl or NAME@vers:TYPE/RANGE")
    if text.startswith("pkg:"):
        return _from_purl(text)
    name, _, spec = text.partition("@")
    if text.startswith("@"):  # an npm scope: `@babel/core@7.0.0`
        scoped, _, spec = text[1:].partition("@")
        name = "@" + scoped if scoped else ""
    if not name:
        raise BadInputError(f"{text!r} names no package")
    return _with_spec(PackageQuery(name=name), spec)


def _from_purl(text: str) -> PackageQuery:
    base, _, spec = text.partition("@")
    if base.count("/") == 0:
        raise BadInputError(f"{text!r} is not a purl: pkg:TYPE/[NAMESPACE/]NAME[@VERSION]")
    try:
        purl = PackageURL.from_string(base)
    except ValueError as error:
        raise BadInputError(f"{text!r} is not a purl: {error}") from error
    query = PackageQuery(name=purl.name, type=purl.type, namespace=purl.namespace or None)
    if purl.type == "npm" and purl.namespace:
        query = PackageQuery(name=f"{purl.namespace}/{purl.name}", type="npm")
    return _with_spec(query, spec)


def _with_spec(query: PackageQuery, spec: str) -> PackageQuery:
    spec = spec.strip()
    if not spec:
        return query
    if spec.startswith("vers:"):
        _, _, ranges = spec.partition("/")
        if not ranges:
            raise BadInputError(f"{spec!r} is not a vers range: vers:TYPE/CONSTRAINT|CONSTRAINT…")
        constraints = tuple(_constraint(part) for part in ranges.split("|"))
        return PackageQuery(query.name, query.type, query.namespace, constraints, any_of=True)
    return PackageQuery(query.name, query.type, query.namespace, tuple(_constraint(p) for p in spec.split(",")))


def _constraint(text: str) -> Constraint:
    found = _OPERATOR.match(text.strip())
    if found is None:
        raise BadInputError(f"{text!r} is not a version constraint (e.g. 1.2.3, <2.17, >=1.0)")
    operator = {None: "=", "==": "="}.get(found[1], found[1])
    return Constraint(operator, found[2].strip())


def _holds(scheme: str, constraint: Constraint, version: str) -> bool:
    order = compare(scheme, version, constraint.version)
    return {
        "=": order == 0,
        "!=": order != 0,
        "<": order < 0,
        "<=": order <= 0,
        ">": order > 0,
        ">=": order >= 0,
    }[constraint.operator]


def _vers_contains(scheme: str, constraints: tuple[Constraint, ...], version: str) -> bool:
    """The vers algorithm: `=`/`!=` decide at once; else walk the sorted comparators as intervals."""
    for constraint in constraints:
        if constraint.operator == "=" and compare(scheme, version, constraint.version) == 0:
            return True
        if constraint.operator == "!=" and compare(scheme, version, constraint.version) == 0:
            return False
    ranged = [c for c in constraints if c.operator not in ("=", "!=")]
    if not ranged:
        return any(c.operator == "!=" for c in constraints)
    return any(all(_holds(scheme, c, version) for c in interval) for interval in _intervals(scheme, ranged))


def _intervals(scheme: str, ranged: list[Constraint]) -> list[list[Constraint]]:
    """Pair each lower bound with the upper bound that follows it (vers ranges are written in version order)."""
    ordered = sorted(ranged, key=lambda c: _SortKey(scheme, c.version))
    intervals: list[list[Constraint]] = []
    pending: Constraint | None = None
    for constraint in ordered:
        if constraint.operator in (">", ">="):
            if pending is not None:
                intervals.append([pending])
            pending = constraint
        else:
            intervals.append([pending, constraint] if pending else [constraint])
            pending = None
    if pending is not None:
        intervals.append([pending])
    return intervals


class _SortKey:
    def __init__(self, scheme: str, version: str) -> None:
        self.scheme, self.version = scheme, version

    def __lt__(self, other: _SortKey) -> bool:
        return compare(self.scheme, self.version, other.version) < 0


def _exact(constraint: Constraint, version: str) -> bool:
    if constraint.operator == "=":
        return version == constraint.version
    if constraint.operator == "!=":
        return version != constraint.version
    raise VersionError("no version ordering for this package type; only = and != can be checked")


def _purl_or_none(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None
