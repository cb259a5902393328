"""Vulnerability advisories in the OSV schema's terms (https://ossf.github.io/osv-schema/), source-neutral.

vuln/sources turns OSV JSON into these objects; the matcher and the store see only these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SeverityScore:
    type: str
    """CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, ..."""
    score: str
    """A CVSS vector string, or the type's own rating."""


@dataclass(frozen=True)
class RangeEvent:
    kind: str
    """introduced, fixed, last_affected or limit."""
    version: str


@dataclass(frozen=True)
class AffectedRange:
    type: str
    """ECOSYSTEM, SEMVER or GIT (GIT ranges cannot be evaluated against package versions)."""
    events: tuple[RangeEvent, ...]
    repo: str | None = None


@dataclass(frozen=True)
class AffectedPackage:
    ecosystem: str
    """As written in the advisory, release included: `PyPI`, `npm`, `Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`."""
    name: str
    purl: str | None = None
    ranges: tuple[AffectedRange, ...] = ()
    versions: tuple[str, ...] = ()
    """Explicitly enumerated affected versions."""
    severity: tuple[SeverityScore, ...] = ()
    ecosystem_specific: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)
    database_specific: Mapping[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Advisory:
    id: str
    modified: str
    """RFC 3339 timestamp of the last change."""
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    published: str | None = None
    withdrawn: str | None = None
    summary: str | None = None
    details: str | None = None
    severity: tuple[SeverityScore, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    references: tuple[str, ...] = ()
    database_severity: str | None = None
    """The database's own rating when it gives one (GHSA `database_specific.severity`: LOW/MODERATE/HIGH/CRITICAL)."""
    schema_version: str | None = None
    source: str | None = None
    """Where this record came from: the export URL or file, for "how it matched" evidence."""
