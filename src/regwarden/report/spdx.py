"""SPDX 2.3 JSON. Renders an Sbom; computes nothing.

Fields SPDX has no slot for (layer, locations, source package, cataloger) travel as the `regwarden:*` properties of
collect/sbom_properties.py, JSON-encoded in one annotation per package, so the document reads back without loss.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from regwarden import __version__
from regwarden.collect.sbom_properties import PREFIX, layer_properties, package_properties
from regwarden.model.sbom import Package, Sbom

ANNOTATION_MARKER = "regwarden-properties:"
NAMESPACE_BASE = "https://spdx.org/spdxdocs/regwarden"
_NAMESPACE_UUID = uuid.UUID("0f0d3f8e-3c39-4f55-a7a4-1c1c5e7b9d20")
# A syntactically valid SPDX licence expression of plain ids; anything else is kept only in the annotation.
_SIMPLE_EXPRESSION = re.compile(r"^\(?[A-Za-z0-9.+-]+( (AND|OR|WITH) \(?[A-Za-z0-9.+-]+\)?)*\)?$")
_SPDXID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def render_spdx_json(sbom: Sbom) -> bytes:
    return json.dumps(build_document(sbom), indent=2, ensure_ascii=False).encode() + b"\n"


def build_document(sbom: Sbom) -> dict[str, Any]:
    created = _created(sbom)
    tool = f"Tool: regwarden-{__version__}"
    subject_id = "SPDXRef-Subject"
    packages = [_subject(sbom, subject_id, created, tool)]
    relationships = [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": subject_id}
    ]
    for n, package in enumerate(sbom.packages):
        spdx_id = f"SPDXRef-Package-{_SPDXID_UNSAFE.sub('-', package.type.value)}-{n}"
        packages.append(_package(package, spdx_id, created, tool))
        relationships.append(
            {"spdxElementId": subject_id, "relationshipType": "CONTAINS", "relatedSpdxElement": spdx_id}
        )
    name = sbom.source
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name,
        "documentNamespace": f"{NAMESPACE_BASE}/{uuid.uuid5(_NAMESPACE_UUID, f'{name}|{sbom.image_digest}|{created}')}",
        "creationInfo": {"created": created, "creators": [tool]},
        "packages": packages,
        "relationships": relationships,
    }


def _created(sbom: Sbom) -> str:
    moment = datetime.fromisoformat(sbom.created) if sbom.created else datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _subject(sbom: Sbom, spdx_id: str, created: str, tool: str) -> dict[str, Any]:
    props: list[tuple[str, str]] = [(f"{PREFIX}subject", "true")]
    for layer in sbom.layers:
        props += layer_properties(f"{PREFIX}image:layer:{layer.index}:", layer)
    for n, unknown in enumerate(sbom.unknowns):
        props += [(f"{PREFIX}unknown:{n}:path", unknown.path), (f"{PREFIX}unknown:{n}:reason", unknown.reason)]
        if unknown.cataloger:
            props.append((f"{PREFIX}unknown:{n}:cataloger", unknown.cataloger))
    if sbom.operating_system is not None:
        os_ = sbom.operating_system
        optional = {
            "os:id": os_.id,
            "os:versionID": os_.version_id,
            "os:codename": os_.version_codename,
            "os:prettyName": os_.pretty_name,
            "os:idLike": " ".join(os_.id_like) or None,
        }
        props += [(f"{PREFIX}{key}", value) for key, value in optional.items() if value]
    subject: dict[str, Any] = {
        "SPDXID": spdx_id,
        "name": sbom.source,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "CONTAINER" if sbom.image_digest else "SOURCE",
        "annotations": [_annotation(props, created, tool)],
    }
    if sbom.image_digest:
        subject["versionInfo"] = sbom.image_digest
        algorithm, _, value = sbom.image_digest.partition(":")
        subject["checksums"] = [{"algorithm": algorithm.upper(), "checksumValue": value}]
    return subject


def _package(package: Package, spdx_id: str, created: str, tool: str) -> dict[str, Any]:
    props = package_properties(package) + [(f"{PREFIX}license:{n}", text) for n, text in enumerate(package.licenses)]
    refs = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": package.purl}]
    refs += [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": c} for c in package.cpes]
    declared = " AND ".join(package.licenses)
    entry: dict[str, Any] = {
        "SPDXID": spdx_id,
        "name": package.name,
        "versionInfo": package.version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": declared if declared and _SIMPLE_EXPRESSION.match(declared) else "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "externalRefs": refs,
        "primaryPackagePurpose": "LIBRARY",
        "annotations": [_annotation(props, created, tool)],
    }
    if package.locations:
        entry["sourceInfo"] = "found in: " + ", ".join(location.path for location in package.locations)
    return entry


def _annotation(props: list[tuple[str, str]], created: str, tool: str) -> dict[str, str]:
    return {
        "annotationDate": created,
        "annotationType": "OTHER",
        "annotator": tool,
        "comment": ANNOTATION_MARKER + json.dumps(props, ensure_ascii=False),
    }
