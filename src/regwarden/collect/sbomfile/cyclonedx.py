"""CycloneDX (JSON, or XML converted by collect/cyclonedx_xml.py) read into an `Sbom`.

regwarden's own documents decode exactly through the `regwarden:*` properties; other tools' documents from the
standard fields. The image is `metadata.component`; nested components are walked; an `operating-system`
component gives the OS of a foreign document.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
from regwarden.collect.sbomfile.foreign import qualified_name
from regwarden.collect.sbomfile.properties import (
    image_layers_from_properties,
    operating_system_from_properties,
    unknowns_from_properties,
)
from regwarden.model.sbom import Package, Sbom, Unknown
from regwarden.model.sbom_properties import PURL

# Component types that describe a package; one of these without a purl is reported, not silently dropped.
_PACKAGE_COMPONENT_TYPES = ("library", "framework")


def sbom_from_cyclonedx(document: Mapping[str, Any], origin: str) -> Sbom:
    metadata = json_object(document.get("metadata"), "metadata")
    subject = json_object(metadata.get("component"), "metadata.component")
    subject_props = _cdx_props(subject.get("properties"))
    packages: list[Package] = []
    unknowns: list[Unknown] = []
    operating_system = None
    for component in _walk(json_objects(document.get("components"), "components")):
        props = _cdx_props(component.get("properties"))
        if component.get("type") == "operating-system":
            operating_system = operating_system or foreign_os(component.get("name"), component)
        elif component.get("purl") or PURL in props:
            packages.append(_cdx_package(component, props))
        elif component.get("type") in _PACKAGE_COMPONENT_TYPES:
            unknowns.append(no_purl_unknown(component.get("name"), component.get("bom-ref")))
    return Sbom(
        source=json_text(subject.get("name")) or origin,
        packages=tuple(packages),
        unknowns=unknowns_from_properties(subject_props) + tuple(unknowns),
        operating_system=operating_system_from_properties(subject_props) or operating_system,
        image_digest=digest_or_none(subject.get("version")),
        layers=image_layers_from_properties(subject_props),
        tool_version=_cdx_tool_version(metadata.get("tools")),
        created=utc_timestamp(metadata.get("timestamp")),
    )


def _walk(components: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from _walk(json_objects(component.get("components"), "components"))


def _cdx_package(component: Mapping[str, Any], props: Mapping[str, str]) -> Package:
    where = f"component {component.get('bom-ref') or component.get('name')!r}"
    licenses = []
    for entry in json_objects(component.get("licenses"), f"{where} licenses"):
        license_ = json_object(entry.get("license"), f"{where} license")
        text = json_text(entry.get("expression")) or json_text(license_.get("id")) or json_text(license_.get("name"))
        if text:
            licenses.append(text)
    # regwarden keeps a purl the library could not parse only as a property, so the component has none.
    purl = json_text(component.get("purl")) or props[PURL]
    return decode_package(
        where,
        name=qualified_name(json_text(component.get("name")), json_text(component.get("group")), purl),
        version=json_text(component.get("version")),
        purl=purl,
        licenses=licenses,
        cpes=[json_text(component.get("cpe"))] if component.get("cpe") else [],
        props=props,
    )


def _cdx_props(properties: object) -> dict[str, str]:
    return {
        json_text(p.get("name")): json_text(p.get("value"))
        for p in json_objects(properties, "properties")
        if p.get("name")
    }


def _cdx_tool_version(tools: object) -> str | None:
    """regwarden's version from `metadata.tools` (CycloneDX 1.5+ object, or the older list of tools)."""
    if isinstance(tools, dict):
        tools = tools.get("components")
    for tool in json_objects(tools, "metadata.tools"):
        if tool.get("name") == TOOL_NAME:
            return json_text(tool.get("version")) or None
    return None
