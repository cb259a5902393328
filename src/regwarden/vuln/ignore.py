"""The ignore file (`.regwarden-ignore.yaml`): accepted risks, each with a reason and an optional expiry (pure).

    ignore:
      - id: CVE-2021-33503            # any id of the vulnerability: CVE, GHSA, PYSEC, DSA... (aliases match)
        package: urllib3              # optional: a package name or a purl (pkg:pypi/urllib3@1.24.1)
        reason: not reachable, only used for internal calls   # required: an ignore must say why
        expires: 2027-01-31           # optional: after this day the entry stops ignoring, and the scan says so

An ignored finding is kept with `suppressed_by` set, so reports still show it and why; it does not count for the
gate. An expired entry ignores nothing: its vulnerability counts again, and the scan warns that it expired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import yaml

from regwarden.model.errors import BadInputError
from regwarden.model.package_names import pep503_name
from regwarden.model.sbom import Package, PackageType
from regwarden.model.vulnerability import VulnerabilityFinding
from regwarden.vuln.vex import purl_matches

DEFAULT_IGNORE_FILE = ".regwarden-ignore.yaml"
_KEYS = frozenset({"id", "package", "reason", "expires"})


class IgnoreFileError(BadInputError):
    """The ignore file is not valid YAML or an entry lacks what it needs."""


@dataclass(frozen=True)
class IgnoreEntry:
    id: str
    reason: str
    package: str | None = None
    expires: date | None = None
    origin: str = ""
    """The file and entry number, so a user can find the line to fix."""

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class IgnoreOutcome:
    findings: tuple[VulnerabilityFinding, ...]
    expired: tuple[IgnoreEntry, ...]
    """Entries past their expiry day: they ignored nothing in this scan."""

    def warnings(self) -> list[str]:
        return [
            f"ignore entry for {entry.id}{f' ({entry.package})' if entry.package else ''} expired on "
            f"{entry.expires}; it no longer ignores anything ({entry.origin})"
            for entry in self.expired
        ]


def parse_ignore_file(text: str, origin: str) -> tuple[IgnoreEntry, ...]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise IgnoreFileError(f"{origin} is not valid YAML: {error}") from error
    if document is None:
        return ()
    items = document.get("ignore") if isinstance(document, Mapping) else document
    if not isinstance(items, list):
        raise IgnoreFileError(f"{origin}: expected a top-level `ignore:` list of entries")
    return tuple(_entry(item, f"{origin} entry {n + 1}") for n, item in enumerate(items))


def _entry(item: Any, where: str) -> IgnoreEntry:
    if not isinstance(item, Mapping):
        raise IgnoreFileError(f"{where}: an entry is a mapping with id, reason and optionally package, expires")
    unknown = set(item) - _KEYS
    if unknown:
        raise IgnoreFileError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    vuln_id, reason, package = item.get("id"), item.get("reason"), item.get("package")
    if not isinstance(vuln_id, str) or not vuln_id.strip():
        raise IgnoreFileError(f"{where}: `id` (the vulnerability id) is required")
    if not isinstance(reason, str) or not reason.strip():
        raise IgnoreFileError(f"{where}: `reason` is required: say why {vuln_id} is accepted")
    if package is not None and (not isinstance(package, str) or not package.strip()):
        raise IgnoreFileError(f"{where}: `package` must be a package name or a purl")
    return IgnoreEntry(vuln_id.strip(), reason.strip(), package, _expires(item.get("expires"), where), where)


def _expires(value: Any, where: str) -> date | None:
    # YAML reads an unquoted 2027-01-31 as a date already; a quoted one arrives as text.
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise IgnoreFileError(f"{where}: `expires` must be a date like 2027-01-31, got {value!r}")


def apply_ignores(
    findings: Sequence[VulnerabilityFinding], entries: Sequence[IgnoreEntry], today: date
) -> IgnoreOutcome:
    active = [entry for entry in entries if not entry.expired(today)]
    expired = tuple(entry for entry in entries if entry.expired(today))
    return IgnoreOutcome(tuple(_apply_one(finding, active) for finding in findings), expired)


def _apply_one(finding: VulnerabilityFinding, entries: Sequence[IgnoreEntry]) -> VulnerabilityFinding:
    if finding.suppressed_by is not None:
        return finding
    ids = {finding.id, *finding.aliases}
    for entry in entries:
        if entry.id in ids and (entry.package is None or package_matches(entry.package, finding.package)):
            return replace(finding, suppressed_by=f"ignored: {entry.reason} ({entry.origin})")
    return finding


def package_matches(selector: str, package: Package) -> bool:
    """A purl selector matches by purl; a plain name matches the package or its source package."""
    if selector.startswith("pkg:"):
        return purl_matches(selector, package.purl)
    names = {package.name, package.source_name}
    if package.type is PackageType.PYPI:
        return pep503_name(selector) in {pep503_name(name) for name in names if name}
    return selector in names
