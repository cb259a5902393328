"""CycloneDX XML → the CycloneDX JSON shape, so one reader (collect/sbomfile/read.py) serves both encodings.

Only the parts regwarden reads are converted: metadata (timestamp, tools, subject component) and components
with their name, version, description, purl, CPE, licences, properties and nested components. Parsing goes
through defusedxml with DTDs forbidden: a CycloneDX document never needs one, and refusing it stops
entity-expansion bombs and external entities before any expansion happens.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

CYCLONEDX_NAMESPACE_PREFIX = "{http://cyclonedx.org/schema/bom/"


def cyclonedx_xml_to_json(data: bytes) -> dict[str, Any]:
    """Raise ValueError for XML that is malformed, hostile (DTD, entities) or not a CycloneDX bom."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise ValueError(f"refused hostile XML ({type(error).__name__}): {error}") from None
    except ParseError as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    if not (root.tag.startswith(CYCLONEDX_NAMESPACE_PREFIX) and root.tag.endswith("}bom")):
        raise ValueError(f"XML root element {root.tag!r} is not a CycloneDX bom")
    ns = root.tag[: root.tag.index("}") + 1]
    metadata = root.find(f"{ns}metadata")
    return {
        "bomFormat": "CycloneDX",
        "metadata": _metadata(metadata, ns) if metadata is not None else {},
        "components": [_component(c, ns) for c in root.findall(f"{ns}components/{ns}component")],
    }


def _metadata(metadata: Element, ns: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    timestamp = metadata.findtext(f"{ns}timestamp")
    if timestamp is not None:
        out["timestamp"] = timestamp.strip()
    tools = metadata.find(f"{ns}tools")
    if tools is not None:
        # CycloneDX 1.5+ nests tool components; 1.4 and older list <tool> elements.
        legacy = [_fields(tool, ns, ("vendor", "name", "version")) for tool in tools.findall(f"{ns}tool")]
        components = [_component(c, ns) for c in tools.findall(f"{ns}components/{ns}component")]
        out["tools"] = {"components": components} if components else legacy
    subject = metadata.find(f"{ns}component")
    if subject is not None:
        out["component"] = _component(subject, ns)
    return out


def _component(node: Element, ns: str) -> dict[str, Any]:
    out: dict[str, Any] = {"type": node.get("type"), "bom-ref": node.get("bom-ref")}
    out.update(_fields(node, ns, ("name", "version", "description", "purl", "cpe")))
    out["properties"] = [
        {"name": p.get("name"), "value": p.text or ""} for p in node.findall(f"{ns}properties/{ns}property")
    ]
    licenses: list[dict[str, Any]] = []
    for choice in node.findall(f"{ns}licenses/*"):
        if choice.tag == f"{ns}license":
            licenses.append({"license": _fields(choice, ns, ("id", "name"))})
        elif choice.tag == f"{ns}expression" and choice.text:
            licenses.append({"expression": choice.text.strip()})
    out["licenses"] = licenses
    out["components"] = [_component(c, ns) for c in node.findall(f"{ns}components/{ns}component")]
    return out


def _fields(node: Element, ns: str, names: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for name in names:
        child = node.find(ns + name)
        if child is not None and child.text is not None:
            out[name] = child.text
    return out
