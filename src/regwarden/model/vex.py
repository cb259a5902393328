"""VEX statements in neutral terms: "this vulnerability does (not) affect this product, and why".

collect/sbomfile/openvex.py reads OpenVEX documents into these; vuln/vex.py applies them to findings. Other VEX formats
(CSAF, CycloneDX VEX) would be further adapters into the same model.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class VexStatus(StrEnum):
    """The four statuses every VEX format shares (OpenVEX spelling)."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


@dataclass(frozen=True)
class VexProduct:
    """A product the statement is about, named by purl; `subcomponents` narrow it to packages inside it."""

    purl: str | None
    """None when the product is named only by a non-purl identifier (it then matches nothing)."""
    subcomponents: tuple[str, ...] = ()
    """purls of packages inside the product (e.g. the pypi package inside a `pkg:oci` image)."""


@dataclass(frozen=True)
class VexStatement:
    vulnerability: str
    """The vulnerability's name as the statement gives it (CVE, GHSA, ...)."""
    aliases: tuple[str, ...]
    products: tuple[VexProduct, ...]
    status: VexStatus
    justification: str | None = None
    """For not_affected: component_not_present, vulnerable_code_not_present, ... (OpenVEX labels)."""
    impact_statement: str | None = None
    action_statement: str | None = None
    status_notes: str | None = None
    timestamp: str | None = None
    """RFC 3339; the statement's own or else its document's. A later statement overrides an earlier one."""
    origin: str = ""
    """The document the statement came from (path and @id), for "why was this suppressed" evidence."""
