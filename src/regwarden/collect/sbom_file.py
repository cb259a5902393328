"""Read an SBOM file (CycloneDX JSON or XML, SPDX 2.3 JSON) back into an `Sbom`.

regwarden's own output round-trips without loss through the `regwarden:*` properties; SBOMs from other tools are read
from their standard fields (name, version, purl, licences, CPE), the package type taken from the purl.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from regwarden.collect.sbom_properties import PREFIX, layer_from_properties, package_from_properties
from regwarden.model.errors import BadInputError
from regwarden.model.sbom import LayerRef, OperatingSystem, Package, Sbom, Unknown

SPDX_ANNOTATION_MARKER = "regwarden-properties:"
_CDX_NS = "{http://cyclonedx.org/schema/bom/"


def read_sbom_file(path: Path) -> Sbom:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInputError(f"cannot read SBOM file {path}: {error.strerror}") from error
    text = data.lstrip()
    if text.startswith(b"<"):
        return _from_cyclonedx_xml(data, str(path))
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadInputError(f"{path} is not valid JSON or XML: {error}") from error
    if not isinstance(document, dict):
        raise BadInputError(f"{path}: an SBOM document must be a JSON object")
    if document.get("bomFormat") == "CycloneDX":
        return _from_cyclonedx(document, str(path))
    if str(document.get("spdxVersion", "")).startswith("SPDX-"):
        return _from_spdx(document, str(path))
    raise BadInputError(f"{path}: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON")


def _from_cyclonedx(document: Mapping[str, Any], origin: str) -> Sbom:
    metadata = document.get("metadata") or {}
    subject = metadata.get("component") or {}
    subject_props = _cdx_props(subject.get("properties"))
    packages = []
    for component in _walk_components(document.get("components") or []):
        if component.get("type") == "operating-system" or not component.get("purl"):
            continue
        packages.append(_cdx_package(component, origin))
    return Sbom(
        source=str(subject.get("name") or origin),
        packages=tuple(packages),
        unknowns=_unknowns(subject_props),
        operating_system=_operating_system(subject_props),
        image_digest=_digest_or_none(subject.get("version")),
        layers=_image_layers(subject_props),
        created=metadata.get("timestamp"),
    )


def _walk_components(components: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])


def _cdx_package(component: Mapping[str, Any], origin: str) -> Package:
    licenses = []
    for entry in component.get("licenses") or []:
        license_ = entry.get("license") or {}
        text = entry.get("expression") or license_.get("id") or license_.get("name")
        if text:
            licenses.append(str(text))
    try:
        return package_from_properties(
            name=str(component["name"]),
            version=str(component.get("version") or ""),
            purl=str(component["purl"]),
            licenses=licenses,
            cpes=[component["cpe"]] if component.get("cpe") else [],
            props=_cdx_props(component.get("properties")),
        )
    except (KeyError, ValueError) as error:
        raise BadInputError(f"{origin}: component {component.get('bom-ref', '?')}: {error}") from error


def _cdx_props(properties: Iterable[Mapping[str, Any]] | None) -> dict[str, str]:
    return {str(p["name"]): str(p.get("value", "")) for p in properties or [] if "name" in p}


def _from_cyclonedx_xml(data: bytes, origin: str) -> Sbom:
    import defusedxml.ElementTree as SafeET  # entity-expansion and external-entity safe

    try:
        root = SafeET.fromstring(data)
    except Exception as error:  # defusedxml raises several unrelated types for hostile or broken XML
        raise BadInputError(f"{origin} is not a valid XML document: {error}") from error
    if not root.tag.startswith(_CDX_NS):
        raise BadInputError(f"{origin}: XML but not a CycloneDX bom")
    return _from_cyclonedx(_xml_to_cdx_json(root), origin)


def _xml_to_cdx_json(root: Any) -> dict[str, Any]:
    """Convert the parts of a CycloneDX XML bom we read into the JSON shape, so one reader serves both."""
    ns = root.tag[: root.tag.index("}") + 1]

    def component(node: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"type": node.get("type"), "bom-ref": node.get("bom-ref")}
        for field in ("name", "version", "purl", "cpe"):
            child = node.find(ns + field)
            if child is not None and child.text is not None:
                out[field] = child.text
        out["properties"] = [
            {"name": p.get("name"), "value": p.text or ""}
            for p in node.findall(f"{ns}properties/{ns}property")
        ]
        out["licenses"] = [
            {"license": {"id": lic.findtext(ns + "id"), "name": lic.findtext(ns + "name")}}
            for lic in node.findall(f"{ns}licenses/{ns}license")
        ] + [{"expression": e.text} for e in node.findall(f"{ns}licenses/{ns}expression")]
        out["components"] = [component(c) for c in node.findall(f"{ns}components/{ns}component")]
        return out

    subject = root.find(f"{ns}metadata/{ns}component")
    return {
        "metadata": {
            "timestamp": root.findtext(f"{ns}metadata/{ns}timestamp"),
            "component": component(subject) if subject is not None else {},
        },
        "components": [component(c) for c in root.findall(f"{ns}components/{ns}component")],
    }


def _from_spdx(document: Mapping[str, Any], origin: str) -> Sbom:
    described = {
        rel.get("relatedSpdxElement")
        for rel in document.get("relationships") or []
        if rel.get("relationshipType") == "DESCRIBES"
    } | set(document.get("documentDescribes") or [])
    subject: Mapping[str, Any] = {}
    packages = []
    for entry in document.get("packages") or []:
        props = _spdx_props(entry)
        if entry.get("SPDXID") in described or props.get(f"{PREFIX}subject") == "true":
            subject = entry
            continue
        purl = next(
            (
                r["referenceLocator"]
                for r in entry.get("externalRefs") or []
                if r.get("referenceType") == "purl"
            ),
            None,
        )
        if purl is None:
            continue
        packages.append(_spdx_package(entry, purl, props, origin))
    subject_props = _spdx_props(subject)
    return Sbom(
        source=str(subject.get("name") or document.get("name") or origin),
        packages=tuple(packages),
        unknowns=_unknowns(subject_props),
        operating_system=_operating_system(subject_props),
        image_digest=_digest_or_none(subject.get("versionInfo")),
        layers=_image_layers(subject_props),
        created=(document.get("creationInfo") or {}).get("created"),
    )


def _spdx_package(entry: Mapping[str, Any], purl: str, props: Mapping[str, str], origin: str) -> Package:
    licenses = [v for k, v in sorted(props.items(), key=_license_order) if k.startswith(f"{PREFIX}license:")]
    declared = entry.get("licenseDeclared")
    if not licenses and declared and declared not in ("NOASSERTION", "NONE"):
        licenses = [str(declared)]
    cpes = [
        r["referenceLocator"]
        for r in entry.get("externalRefs") or []
        if r.get("referenceType", "").startswith("cpe")
    ]
    try:
        return package_from_properties(
            name=str(entry["name"]),
            version=str(entry.get("versionInfo") or ""),
            purl=purl,
            licenses=licenses,
            cpes=cpes,
            props=props,
        )
    except (KeyError, ValueError) as error:
        raise BadInputError(f"{origin}: package {entry.get('SPDXID', '?')}: {error}") from error


def _license_order(item: tuple[str, str]) -> tuple[int, str]:
    key = item[0]
    suffix = key.rsplit(":", 1)[-1]
    return (int(suffix), key) if suffix.isdigit() else (0, key)


def _spdx_props(entry: Mapping[str, Any]) -> dict[str, str]:
    for annotation in entry.get("annotations") or []:
        comment = str(annotation.get("comment", ""))
        if comment.startswith(SPDX_ANNOTATION_MARKER):
            try:
                pairs = json.loads(comment[len(SPDX_ANNOTATION_MARKER) :])
            except json.JSONDecodeError as error:
                raise BadInputError(
                    f"corrupt regwarden annotation on {entry.get('SPDXID')}: {error}"
                ) from error
            return {str(name): str(value) for name, value in pairs}
    return {}


def _unknowns(props: Mapping[str, str]) -> tuple[Unknown, ...]:
    unknowns = []
    n = 0
    while f"{PREFIX}unknown:{n}:path" in props:
        unknowns.append(
            Unknown(
                path=props[f"{PREFIX}unknown:{n}:path"],
                reason=props.get(f"{PREFIX}unknown:{n}:reason", ""),
                cataloger=props.get(f"{PREFIX}unknown:{n}:cataloger"),
            )
        )
        n += 1
    return tuple(unknowns)


def _image_layers(props: Mapping[str, str]) -> tuple[LayerRef, ...]:
    layers = []
    n = 0
    while (layer := layer_from_properties(f"{PREFIX}image:layer:{n}:", props)) is not None:
        layers.append(layer)
        n += 1
    return tuple(layers)


def _operating_system(props: Mapping[str, str]) -> OperatingSystem | None:
    if f"{PREFIX}os:id" not in props:
        return None
    return OperatingSystem(
        id=props[f"{PREFIX}os:id"],
        version_id=props.get(f"{PREFIX}os:versionID"),
        pretty_name=props.get(f"{PREFIX}os:prettyName"),
        version_codename=props.get(f"{PREFIX}os:codename"),
        id_like=tuple(props.get(f"{PREFIX}os:idLike", "").split()),
    )


def _digest_or_none(value: object) -> str | None:
    text = str(value) if value else ""
    return text if text.startswith(("sha256:", "sha512:")) else None
