"""CycloneDX 1.6: JSON written directly, XML through cyclonedx-python-lib. Renders an Sbom; computes nothing.

Standard fields carry what CycloneDX has a place for (name, version, purl, licences, CPE, the image as the
metadata component, the OS as an `operating-system` component); the rest travels as the `regwarden:*`
properties of report/sbom_properties.py, so collect/sbomfile/read.py reads the document back into an equal Sbom.

The JSON document is built from plain dicts and encoded by orjson. It is the document cyclonedx-python-lib
wrote (report/cyclonedx_xml.py still builds that library's model for XML): the same keys in the same order,
the same sort orders and de-duplication, empty values left out, the purl as packageurl re-encodes it. The
library's model cost as much as the whole image analysis (every component and property sorted through
comparison tuples, then validated and serialised by reflection); the tests compare both writers' documents and
validate every shape against the official CycloneDX 1.6 schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from packageurl import PackageURL

from regwarden import __version__
from regwarden.model.sbom import OperatingSystem, Package, Sbom
from regwarden.model.sbom_properties import PURL
from regwarden.report.cyclonedx_licenses import license_entries
from regwarden.report.sbom_properties import package_properties, subject_properties

SERIAL_NAMESPACE = uuid.UUID("6b1f3b2e-8a51-4f0c-9d7e-2f4c1c9e0a11")
SUBJECT_REF = "subject"
TOOL_NAME = "regwarden"
SPEC_VERSION = "1.6"
SCHEMA_URL = "http://cyclonedx.org/schema/bom-1.6.schema.json"

Document = dict[str, Any]


def render_cyclonedx_json(sbom: Sbom) -> bytes:
    return encode_json(bom_document(sbom))


def render_cyclonedx_xml(sbom: Sbom) -> bytes:
    from regwarden.report.cyclonedx_xml import render_xml

    return render_xml(sbom)


def bom_document(sbom: Sbom, vulnerabilities: Sequence[Document] = ()) -> Document:
    """The CycloneDX BOM of `sbom` as JSON-ready dicts; `vulnerabilities` are added as they are given."""
    refs = bom_refs(sbom.packages)
    components = [_component(package, ref) for package, ref in zip(sbom.packages, refs, strict=True)]
    components.sort(key=lambda c: (c["name"], c["version"], c["bom-ref"]))  # the library's order, per type
    if sbom.operating_system is not None:
        components.append(_os_component(sbom.operating_system))  # `operating-system` sorts after `library`
    timestamp = bom_timestamp(sbom.created)
    document: Document = {"components": components} if components else {}
    document["dependencies"] = _dependencies([c["bom-ref"] for c in components])
    document["metadata"] = {
        "component": _omit_empty(
            {
                "bom-ref": SUBJECT_REF,
                "name": sbom.source,
                "properties": _properties(subject_properties(sbom)),
                "type": "container" if sbom.image_digest else "file",
                "version": sbom.image_digest,
            }
        ),
        "timestamp": timestamp.isoformat(),
        "tools": {
            "components": [{"name": TOOL_NAME, "type": "application", "version": sbom.tool_version or __version__}]
        },
    }
    document["serialNumber"] = serial_number(sbom, timestamp).urn
    document["version"] = 1
    if vulnerabilities:
        document["vulnerabilities"] = list(vulnerabilities)
    document |= {"$schema": SCHEMA_URL, "bomFormat": "CycloneDX", "specVersion": SPEC_VERSION}
    return document


def encode_json(document: Document) -> bytes:
    """Indented like `json.dumps(indent=2)`; text is written as UTF-8 rather than `\\u` escapes."""
    import orjson

    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        # orjson refuses strings that are not valid Unicode: tar names undecodable as UTF-8 reach the SBOM as
        # surrogate escapes. The stdlib writes them as `\udcXX`, as the library-built document always did.
        import json

        return json.dumps(document, indent=2).encode() + b"\n"


def bom_timestamp(created: str | None) -> datetime:
    if created is None:
        return datetime.now(UTC).replace(microsecond=0)
    moment = datetime.fromisoformat(created)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def serial_number(sbom: Sbom, timestamp: datetime) -> uuid.UUID:
    """Stable for the same image at the same time, so re-rendering an SBOM gives the same document."""
    return uuid.uuid5(SERIAL_NAMESPACE, f"{sbom.source}|{sbom.image_digest}|{timestamp.isoformat()}")


def bom_refs(packages: Iterable[Package]) -> list[str]:
    """purl as bom-ref, made unique where two packages share one (same package in two places)."""
    seen: dict[str, int] = {}
    refs = []
    for package in packages:
        count = seen.get(package.purl, 0)
        seen[package.purl] = count + 1
        refs.append(package.purl if count == 0 else f"{package.purl}#{count}")
    return refs


def os_bom_ref(os_: OperatingSystem) -> str:
    return f"os:{os_.id}@{os_.version_id or ''}"


def _component(package: Package, bom_ref: str) -> Document:
    purl = canonical_purl(package.purl)
    props = package_properties(package)
    if purl != package.purl:
        props.append((PURL, package.purl))  # packageurl re-encodes purls; keep the one the cataloger wrote
    component: Document = {"bom-ref": bom_ref}
    if package.cpes:
        component["cpe"] = package.cpes[0]
    if package.licenses:
        component["licenses"] = license_entries(package.licenses)
    component["name"] = package.name
    component["properties"] = _properties(props)  # never empty: the package type is always one
    if purl is not None:
        component["purl"] = purl
    component["type"] = "library"
    component["version"] = package.version
    return component


def _os_component(os_: OperatingSystem) -> Document:
    return _omit_empty(
        {
            "bom-ref": os_bom_ref(os_),
            "description": os_.pretty_name,
            "name": os_.id,
            "type": "operating-system",
            "version": os_.version_id,
        }
    )


def canonical_purl(text: str) -> str | None:
    """The purl as packageurl writes it after parsing (what the library wrote), None when it does not parse."""
    try:
        return str(PackageURL.from_string(text).to_string())
    except ValueError:
        return None


def _properties(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Unique (name, value) pairs, sorted by name then value."""
    return [{"name": name, "value": value} for name, value in sorted(set(pairs))]


def _dependencies(component_refs: list[str]) -> list[Document]:
    """The image contains every component; each component depends on nothing it declares."""
    ordered = sorted(component_refs)
    subject: Document = {"dependsOn": ordered, "ref": SUBJECT_REF} if ordered else {"ref": SUBJECT_REF}
    entries = [{"ref": ref} for ref in ordered]
    entries.append(subject)
    entries.sort(key=lambda entry: entry["ref"])
    return entries


def _omit_empty(fields: Document) -> Document:
    """The library leaves out absent values and empty lists (an empty string is a value)."""
    return {key: value for key, value in fields.items() if value is not None and value != []}
