"""CycloneDX 1.6 (JSON and XML) through cyclonedx-python-lib. Renders an Sbom; computes nothing.

Standard fields carry what CycloneDX has a place for (name, version, purl, licences, CPE, the image as the
metadata component, the OS as an `operating-system` component); the rest travels as the `regwarden:*`
properties of collect/sbomfile/properties.py, so collect/sbomfile/read.py reads the document back into an equal Sbom.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import is_expression, is_supported_id
from packageurl import PackageURL

from regwarden import __version__
from regwarden.collect.sbomfile.properties import PURL, package_properties, subject_properties
from regwarden.model.sbom import Package, Sbom

SERIAL_NAMESPACE = uuid.UUID("6b1f3b2e-8a51-4f0c-9d7e-2f4c1c9e0a11")
SUBJECT_REF = "subject"
TOOL_NAME = "regwarden"


def render_cyclonedx_json(sbom: Sbom) -> bytes:
    return _render(sbom, OutputFormat.JSON)


def render_cyclonedx_xml(sbom: Sbom) -> bytes:
    return _render(sbom, OutputFormat.XML)


def _render(sbom: Sbom, output_format: OutputFormat) -> bytes:
    outputter = make_outputter(build_bom(sbom), output_format, SchemaVersion.V1_6)
    return outputter.output_as_string(indent=2).encode() + b"\n"


def build_bom(sbom: Sbom) -> Bom:
    """The cyclonedx-python-lib Bom for an Sbom (also used by the vulnerability report to add VEX data)."""
    tools = ToolRepository(
        components=[Component(type=ComponentType.APPLICATION, name=TOOL_NAME, version=sbom.tool_version or __version__)]
    )
    subject = Component(
        name=sbom.source,
        version=sbom.image_digest,
        type=ComponentType.CONTAINER if sbom.image_digest else ComponentType.FILE,
        bom_ref=SUBJECT_REF,
        properties=_properties(subject_properties(sbom)),
    )
    components = [_component(package, ref) for package, ref in zip(sbom.packages, bom_refs(sbom.packages), strict=True)]
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
    timestamp = _timestamp(sbom.created)
    # The image contains every component; saying so also stops the library warning about a dangling subject.
    # Built directly: Bom.register_dependency searches linearly per call, quadratic on a large image.
    dependencies = [Dependency(ref=subject.bom_ref, dependencies=[Dependency(ref=c.bom_ref) for c in components])]
    dependencies += [Dependency(ref=component.bom_ref) for component in components]
    return Bom(
        components=components,
        dependencies=dependencies,
        serial_number=uuid.uuid5(SERIAL_NAMESPACE, f"{sbom.source}|{sbom.image_digest}|{timestamp.isoformat()}"),
        metadata=BomMetaData(tools=tools, component=subject, timestamp=timestamp),
    )


def _timestamp(created: str | None) -> datetime:
    if created is None:
        return datetime.now(UTC).replace(microsecond=0)
    moment = datetime.fromisoformat(created)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _component(package: Package, bom_ref: str) -> Component:
    purl = _purl(package.purl)
    props = package_properties(package)
    if purl is None or purl.to_string() != package.purl:
        props.append((PURL, package.purl))  # the library re-encodes purls; keep the one the cataloger wrote
    return Component(
        name=package.name,
        version=package.version,
        type=ComponentType.LIBRARY,
        bom_ref=bom_ref,
        purl=purl,
        licenses=_licenses(package.licenses),
        cpe=package.cpes[0] if package.cpes else None,
        properties=_properties(props),
    )


def _purl(text: str) -> PackageURL | None:
    try:
        return PackageURL.from_string(text)
    except ValueError:
        return None


def _licenses(licenses: Sequence[str]) -> list[License]:
    """A known SPDX id is written as `id`, anything else as free-text `name`: never claim an unchecked id.

    CycloneDX allows an SPDX expression only as the single licence entry, so a lone valid compound expression
    (`MIT OR Apache-2.0`) is written as `expression`; in any other combination it stays a `name`.
    """
    if len(licenses) == 1 and not is_supported_id(licenses[0]) and is_expression(licenses[0]):
        return [LicenseExpression(licenses[0])]
    return [
        DisjunctiveLicense(id=text) if is_supported_id(text) else DisjunctiveLicense(name=text) for text in licenses
    ]


def _properties(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    return [Property(name=name, value=value) for name, value in pairs]


def bom_refs(packages: Iterable[Package]) -> list[str]:
    """purl as bom-ref, made unique where two packages share one (same package in two places)."""
    seen: dict[str, int] = {}
    refs = []
    for package in packages:
        count = seen.get(package.purl, 0)
        seen[package.purl] = count + 1
        refs.append(package.purl if count == 0 else f"{package.purl}#{count}")
    return refs
