"""Decoding steps shared by the CycloneDX and SPDX readers: packages, the foreign OS, timestamps, digests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from regwarden.collect.json_shapes import json_text
from regwarden.collect.sbomfile.foreign import foreign_properties
from regwarden.collect.sbomfile.properties import package_from_properties
from regwarden.model.sbom import OperatingSystem, Package, Unknown
from regwarden.model.sbom_properties import PREFIX

TOOL_NAME = "regwarden"
"""How regwarden names itself as the producing tool (CycloneDX `metadata.tools`, SPDX `creators`)."""


def decode_package(
    where: str,
    *,
    name: str,
    version: str,
    purl: str,
    licenses: list[str],
    cpes: list[str],
    props: Mapping[str, str],
) -> Package:
    """One package from standard fields and properties; `where` names it in the ValueError when bad."""
    if not name:
        raise ValueError(f"{where} has no name")
    try:
        if f"{PREFIX}package:type" not in props:  # not written by regwarden: translate what the tool says
            props = {**foreign_properties(purl, props), **props}
        return package_from_properties(name=name, version=version, purl=purl, licenses=licenses, cpes=cpes, props=props)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def foreign_os(name: object, entry: Mapping[str, Any], version_field: str = "version") -> OperatingSystem | None:
    """The OS of an SBOM that has no regwarden properties (Syft, Trivy): the operating-system component."""
    os_id = json_text(name).lower()
    if not os_id:
        return None
    version = json_text(entry.get(version_field)) or None
    return OperatingSystem(id=os_id, version_id=version, pretty_name=json_text(entry.get("description")) or None)


def no_purl_unknown(name: object, ref: object) -> Unknown:
    return Unknown(
        path=json_text(name) or json_text(ref),
        reason="package has no purl; its type cannot be known",
        cataloger="sbom-file",
    )


def utc_timestamp(value: object) -> str | None:
    """ISO 8601 in UTC, as regwarden writes it (`...+00:00`); a value that is not a date is dropped."""
    text = json_text(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def digest_or_none(value: object) -> str | None:
    text = json_text(value)
    return text if text.startswith(("sha256:", "sha512:")) else None
