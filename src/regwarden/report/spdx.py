"""SPDX 2.3 JSON. Renders an Sbom; computes nothing.

The image is the described package; every found package is CONTAINED by it; the operating system, when known,
is a package with purpose OPERATING_SYSTEM. Fields SPDX has no slot for (layer, locations, source package,
cataloger) travel as the `regwarden:*` properties of report/sbom_properties.py, JSON-encoded in one
annotation per package, so the document reads back without loss. Licences: a valid SPDX expression is used as
is; free text becomes a `LicenseRef-` whose text is kept in `hasExtractedLicensingInfos` (SPDX 2.3 clause 10).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from cyclonedx.spdx import is_expression

from regwarden import __version__
from regwarden.model.sbom import OperatingSystem, Package, Sbom
from regwarden.model.sbom_properties import PREFIX, SPDX_ANNOTATION_MARKER
from regwarden.report.sbom_properties import package_properties, subject_properties

NAMESPACE_BASE = "https://spdx.org/spdxdocs/regwarden"
SUBJECT_ID = "SPDXRef-Subject"
_NAMESPACE_UUID = uuid.UUID("0f0d3f8e-3c39-4f55-a7a4-1c1c5e7b9d20")
_SPDXID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def render_spdx_json(sbom: Sbom) -> bytes:
    return json.dumps(build_document(sbom), indent=2, ensure_ascii=False).encode() + b"\n"


def build_document(sbom: Sbom) -> dict[str, Any]:
    created = _created(sbom)
    tool = f"Tool: regwarden-{sbom.tool_version or __version__}"
    extracted: dict[str, str] = {}
    packages = [_subject(sbom, created, tool)]
    relationships = [_relationship("SPDXRef-DOCUMENT", "DESCRIBES", SUBJECT_ID)]
    for n, package in enumerate(sbom.packages):
        spdx_id = f"SPDXRef-Package-{_SPDXID_UNSAFE.sub('-', package.type.value)}-{n}"
        packages.append(_package(package, spdx_id, created, tool, extracted))
        relationships.append(_relationship(SUBJECT_ID, "CONTAINS", spdx_id))
    if sbom.operating_system is not None:
        packages.append(_operating_system(sbom.operating_system))
        relationships.append(_relationship(SUBJECT_ID, "CONTAINS", "SPDXRef-OperatingSystem"))
    document: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": sbom.source,
        "documentNamespace": f"{NAMESPACE_BASE}/{_namespace_uuid(sbom, created)}",
        "creationInfo": {"created": created, "creators": [tool]},
        "packages": packages,
        "relationships": relationships,
    }
    if extracted:
        document["hasExtractedLicensingInfos"] = [
            {"licenseId": ref, "extractedText": text, "name": text} for ref, text in sorted(extracted.items())
        ]
    return document


def _created(sbom: Sbom) -> str:
    moment = datetime.fromisoformat(sbom.created) if sbom.created else datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _namespace_uuid(sbom: Sbom, created: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE_UUID, f"{sbom.source}|{sbom.image_digest}|{created}")


def _relationship(element: str, kind: str, related: str) -> dict[str, str]:
    return {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": related}


def _subject(sbom: Sbom, created: str, tool: str) -> dict[str, Any]:
    props = [(f"{PREFIX}subject", "true"), *subject_properties(sbom)]
    subject: dict[str, Any] = {
        "SPDXID": SUBJECT_ID,
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


def _package(package: Package, spdx_id: str, created: str, tool: str, extracted: dict[str, str]) -> dict[str, Any]:
    refs = [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": package.purl}]
    refs += [
        {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": c} for c in package.cpes
    ]
    entry: dict[str, Any] = {
        "SPDXID": spdx_id,
        "name": package.name,
        "versionInfo": package.version,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": _declared(package.licenses, extracted),
        "copyrightText": "NOASSERTION",
        "externalRefs": refs,
        "primaryPackagePurpose": "LIBRARY",
        "annotations": [_annotation(package_properties(package), created, tool)],
    }
    if package.locations:
        entry["sourceInfo"] = "found in: " + ", ".join(location.path for location in package.locations)
    return entry


def _declared(licenses: tuple[str, ...], extracted: dict[str, str]) -> str:
    """All declared licences joined with AND; free text is referenced as `LicenseRef-<digest of the text>`."""
    if not licenses:
        return "NOASSERTION"
    parts = []
    for text in licenses:
        if is_expression(text):
            parts.append(f"({text})" if " " in text.strip() and len(licenses) > 1 else text)
            continue
        ref = "LicenseRef-" + hashlib.sha256(text.encode()).hexdigest()[:16]
        extracted[ref] = text
        parts.append(ref)
    return " AND ".join(parts)


def _operating_system(os_: OperatingSystem) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "SPDXID": "SPDXRef-OperatingSystem",
        "name": os_.id,
        "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False,
        "primaryPackagePurpose": "OPERATING_SYSTEM",
    }
    if os_.version_id is not None:
        entry["versionInfo"] = os_.version_id
    if os_.pretty_name is not None:
        entry["description"] = os_.pretty_name
    return entry


def _annotation(props: list[tuple[str, str]], created: str, tool: str) -> dict[str, str]:
    return {
        "annotationDate": created,
        "annotationType": "OTHER",
        "annotator": tool,
        "comment": SPDX_ANNOTATION_MARKER + json.dumps(props, ensure_ascii=False),
    }
