"""SPDX 2.x JSON read into an `Sbom`.

The image is the one package the document DESCRIBES; packages are identified by their purl external reference;
regwarden's own documents carry the rest as `regwarden:*` properties in one annotation per package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regwarden.collect.json_shapes import json_object, json_objects, json_text
from regwarden.collect.sbomfile.decode import (
    TOOL_NAME,
    decode_package,
    digest_or_none,
    foreign_os,
    no_purl_unknown,
    utc_timestamp,
)
from regwarden.collect.sbomfile.properties import (
    image_layers_from_properties,
    operating_system_from_properties,
    unknowns_from_properties,
)
from regwarden.model.sbom import Package, Sbom, Unknown
from regwarden.model.sbom_properties import PREFIX, SPDX_ANNOTATION_MARKER


def sbom_from_spdx(document: Mapping[str, Any], origin: str) -> Sbom:
    entries = json_objects(document.get("packages"), "packages")
    subject_id = _spdx_subject_id(document, entries)
    subject: Mapping[str, Any] = {}
    packages: list[Package] = []
    unknowns: list[Unknown] = []
    operating_system = None
    for entry in entries:
        props = _spdx_props(entry)
        purl = next((r.get("referenceLocator") for r in _refs(entry) if r.get("referenceType") == "purl"), None)
        if entry.get("SPDXID") == subject_id or props.get(f"{PREFIX}subject") == "true":
            subject = entry
        elif str(entry.get("primaryPackagePurpose", "")).replace("-", "_") == "OPERATING_SYSTEM":
            operating_system = operating_system or foreign_os(entry.get("name"), entry, "versionInfo")
        elif purl is not None:
            packages.append(_spdx_package(entry, json_text(purl), props))
        else:
            unknowns.append(no_purl_unknown(entry.get("name"), entry.get("SPDXID")))
    subject_props = _spdx_props(subject)
    creation = json_object(document.get("creationInfo"), "creationInfo")
    return Sbom(
        source=json_text(subject.get("name")) or json_text(document.get("name")) or origin,
        packages=tuple(packages),
        unknowns=unknowns_from_properties(subject_props) + tuple(unknowns),
        operating_system=operating_system_from_properties(subject_props) or operating_system,
        image_digest=digest_or_none(subject.get("versionInfo")),
        layers=image_layers_from_properties(subject_props),
        tool_version=_spdx_tool_version(creation.get("creators")),
        created=utc_timestamp(creation.get("created")),
    )


def _spdx_subject_id(document: Mapping[str, Any], entries: list[Mapping[str, Any]]) -> str | None:
    """The one package the document DESCRIBES; when it describes several, they are all plain packages."""
    described = {
        rel.get("relatedSpdxElement")
        for rel in json_objects(document.get("relationships"), "relationships")
        if rel.get("relationshipType") == "DESCRIBES" and rel.get("spdxElementId") == "SPDXRef-DOCUMENT"
    }
    describes = document.get("documentDescribes")
    described |= {item for item in describes if isinstance(item, str)} if isinstance(describes, list) else set()
    package_ids = {entry.get("SPDXID") for entry in entries}
    described &= package_ids
    return str(described.pop()) if len(described) == 1 else None


def _spdx_package(entry: Mapping[str, Any], purl: str, props: Mapping[str, str]) -> Package:
    declared = json_text(entry.get("licenseDeclared"))
    cpes = [
        json_text(r.get("referenceLocator")) for r in _refs(entry) if str(r.get("referenceType", "")).startswith("cpe")
    ]
    return decode_package(
        f"package {entry.get('SPDXID')!r}",
        name=json_text(entry.get("name")),
        version=json_text(entry.get("versionInfo")),
        purl=purl,
        licenses=[declared] if declared and declared not in ("NOASSERTION", "NONE") else [],
        cpes=cpes,
        props=props,
    )


def _refs(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return json_objects(entry.get("externalRefs"), f"{entry.get('SPDXID')} externalRefs")


def _spdx_props(entry: Mapping[str, Any]) -> dict[str, str]:
    for annotation in json_objects(entry.get("annotations"), "annotations"):
        comment = json_text(annotation.get("comment"))
        if comment.startswith(SPDX_ANNOTATION_MARKER):
            try:
                pairs = json.loads(comment[len(SPDX_ANNOTATION_MARKER) :])
                return {str(name): str(value) for name, value in pairs}
            except (json.JSONDecodeError, TypeError, ValueError) as error:
                raise ValueError(f"corrupt regwarden annotation on {entry.get('SPDXID')}: {error}") from None
    return {}


def _spdx_tool_version(creators: object) -> str | None:
    for creator in creators if isinstance(creators, list) else []:
        tool = str(creator).removeprefix("Tool:").strip()
        if tool.startswith(f"{TOOL_NAME}-"):
            return tool.removeprefix(f"{TOOL_NAME}-")
    return None
