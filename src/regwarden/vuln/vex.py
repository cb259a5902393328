"""Apply VEX statements to vulnerability findings (pure).

Per the OpenVEX spec: `not_affected` and `fixed` mean the product is not exposed, so the finding is kept but
marked suppressed (it no longer counts for the gate, and reports show why); `affected` and
`under_investigation` leave it counting. When several statements speak about the same vulnerability and
package, the latest one (by timestamp, then by order given) wins, as the spec's document-evolution rules say.

A statement matches a finding when its vulnerability name or an alias equals the finding's id or one of its
aliases, and one of its products covers the package: the product's purl (or one of its subcomponents' purls)
matches the package purl, or the product is this image (`pkg:oci`, same digest or no digest) and either lists
the package as a subcomponent or lists no subcomponents at all (a statement about the whole image).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import unquote

from packageurl import PackageURL

from regwarden.model.package_names import pep503_name
from regwarden.model.vex import VexProduct, VexStatement, VexStatus
from regwarden.model.vulnerability import VulnerabilityFinding

SUPPRESSING = frozenset({VexStatus.NOT_AFFECTED, VexStatus.FIXED})
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def apply_vex(
    findings: Sequence[VulnerabilityFinding],
    statements: Sequence[VexStatement],
    image_digest: str | None = None,
) -> list[VulnerabilityFinding]:
    return [_apply_one(finding, statements, image_digest) for finding in findings]


def _apply_one(
    finding: VulnerabilityFinding, statements: Sequence[VexStatement], image_digest: str | None
) -> VulnerabilityFinding:
    ids = {finding.id, *finding.aliases}
    candidates = [
        (n, statement)
        for n, statement in enumerate(statements)
        if ids & {statement.vulnerability, *statement.aliases}
        and any(_covers(product, finding.package.purl, image_digest) for product in statement.products)
    ]
    if not candidates or finding.suppressed_by is not None:
        return finding
    _, winner = max(candidates, key=lambda pair: (_moment(pair[1].timestamp), pair[0]))
    if winner.status not in SUPPRESSING:
        return finding
    return replace(finding, suppressed_by=describe(winner))


def describe(statement: VexStatement) -> str:
    reason = statement.justification or statement.impact_statement or statement.status_notes
    detail = f": {reason}" if reason else ""
    return f"VEX {statement.status.value}{detail} ({statement.origin})"


def _covers(product: VexProduct, package_purl: str, image_digest: str | None) -> bool:
    if product.purl is not None and _is_image(product.purl):
        if not _same_image(product.purl, image_digest):
            return False
        return not product.subcomponents or any(purl_matches(s, package_purl) for s in product.subcomponents)
    candidates = ([product.purl] if product.purl else []) + list(product.subcomponents)
    return any(purl_matches(candidate, package_purl) for candidate in candidates)


def _is_image(purl: str) -> bool:
    return purl.startswith(("pkg:oci/", "pkg:docker/"))


def _same_image(product_purl: str, image_digest: str | None) -> bool:
    parsed = _parse(product_purl)
    if parsed is None:
        return False
    if parsed.version is None or image_digest is None:
        return True
    return unquote(parsed.version) == image_digest


def purl_matches(pattern: str, purl: str) -> bool:
    """Does `purl` fall under `pattern`? Parts the pattern leaves out (version, qualifiers) match anything."""
    wanted, actual = _parse(pattern), _parse(purl)
    if wanted is None or actual is None:
        return False
    if (wanted.type, wanted.namespace) != (actual.type, actual.namespace):
        return False
    if _name(wanted) != _name(actual):
        return False
    if wanted.version is not None and wanted.version != actual.version:
        return False
    have = actual.qualifiers if isinstance(actual.qualifiers, dict) else {}
    need = wanted.qualifiers if isinstance(wanted.qualifiers, dict) else {}
    return all(have.get(key) == value for key, value in need.items())


def _name(purl: PackageURL) -> str:
    # The purl spec makes pypi names case-insensitive with `_` equal to `-`; PEP 503 goes further, and users
    # write names either way.
    if purl.type == "pypi":
        return pep503_name(purl.name)
    return str(purl.name)


def _parse(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None


def _moment(timestamp: str | None) -> datetime:
    if timestamp is None:
        return _EARLIEST
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return _EARLIEST
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
