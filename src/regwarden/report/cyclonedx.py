"""CycloneDX 1.6 (JSON and XML) through cyclonedx-python-lib. Renders an Sbom; computes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from packageurl import PackageURL

from regwarden import __version__
from regwarden.collect.sbom_properties import PREFIX, layer_properties, package_properties
from regwarden.model.sbom import Package, Sbom

SERIAL_NAMESPACE = uuid.UUID("6b1f3b2e-8a51-4f0c-9d7e-2f4c1c9e0a11")


def render_cyclonedx_json(sbom: Sbom) -> bytes:
    return _render(sbom, "json")


def render_cyclonedx_xml(sbom: Sbom) -> bytes:
    return _render(sbom, "xml")


def _render(sbom: Sbom, kind: str) -> bytes:
    output_format = OutputFormat.JSON if kind == "json" else OutputFormat.XML
    outputter = make_outputter(build_bom(sbom), output_format, SchemaVersion.V1_6)
    return outputter.output_as_string(indent=2).encode() + b"\n"


def build_bom(sbom: Sbom) -> Bom:
    """The cyclonedx-python-lib Bom for an Sbom (also used by the vulnerability report to add VEX data)."""
    tools = ToolRepository(components=[Component(name="regwarden", version=__version__)])
    subject = Component(
        name=sbom.source,
        version=sbom.image_digest,
        type=ComponentType.CONTAINER if sbom.image_digest else ComponentType.FILE,
        bom_ref="subject",
        properties=_properties(_subject_properties(sbom)),
    )
    components = [_component(package, ref) for package, ref in zip(sbom.packages, _bom_refs(sbom.packages))]
    if sbom.operating_system is not None:
        os_ = sbom.operating_system
        components.append(
            Component(
                name=os_.id,
                version=os_.version_id,
                type=ComponentType.OPERATING_SYSTEM,
                bom_ref=f"os:{os_.id}@{os_.version_id or ''}",
                description=os_.pretty_name,
            )
        )
    timestamp = datetime.fromisoformat(sbom.created) if sbom.created else datetime.now(UTC)
    return Bom(
        components=components,
        serial_number=uuid.uuid5(SERIAL_NAMESPACE, f"{sbom.source}|{sbom.image_digest}|{timestamp.isoformat()}"),
        metadata=BomMetaData(tools=tools, component=subject, timestamp=timestamp),
    )


def _subject_properties(sbom: Sbom) -> list[tuple[str, str]]:
    props: list[tuple[str, str]] = []
    for layer in sbom.layers:
        props += layer_properties(f"{PREFIX}image:layer:{layer.index}:", layer)
    for n, unknown in enumerate(sbom.unknowns):
        props.append((f"{PREFIX}unknown:{n}:path", unknown.path))
        props.append((f"{PREFIX}unknown:{n}:reason", unknown.reason))
        if unknown.cataloger:
            props.append((f"{PREFIX}unknown:{n}:cataloger", unknown.cataloger))
    if sbom.operating_system is not None:
        os_ = sbom.operating_system
        props.append((f"{PREFIX}os:id", os_.id))
        if os_.version_id:
            props.append((f"{PREFIX}os:versionID", os_.version_id))
        if os_.version_codename:
            props.append((f"{PREFIX}os:codename", os_.version_codename))
        if os_.pretty_name:
            props.append((f"{PREFIX}os:prettyName", os_.pretty_name))
        if os_.id_like:
            props.append((f"{PREFIX}os:idLike", " ".join(os_.id_like)))
    return props


def _component(package: Package, bom_ref: str) -> Component:
    return Component(
        name=package.name,
        version=package.version,
        type=ComponentType.LIBRARY,
        bom_ref=bom_ref,
        purl=PackageURL.from_string(package.purl),
        licenses=_licenses(package.licenses),
        cpe=package.cpes[0] if package.cpes else None,
        properties=_properties(package_properties(package)),
    )


def _licenses(licenses: Iterable[str]) -> list[DisjunctiveLicense]:
    # Declared licence strings are kept as names: claiming an SPDX id we did not validate would be wrong.
    return [DisjunctiveLicense(name=text) for text in licenses]


def _properties(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    return [Property(name=name, value=value) for name, value in pairs]


def _bom_refs(packages: Iterable[Package]) -> list[str]:
    """purl as bom-ref, made unique where two packages share one (same package in two places)."""
    seen: dict[str, int] = {}
    refs = []
    for package in packages:
        count = seen.get(package.purl, 0)
        seen[package.purl] = count + 1
        refs.append(package.purl if count == 0 else f"{package.purl}#{count}")
    return refs
