"""CycloneDX 1.6 XML through cyclonedx-python-lib: the library's model of an Sbom, written by its XML outputter.

The JSON writer (report/cyclonedx.py) writes the same document without the library; the identifiers, serial
number, timestamp and bom-refs come from there, so both formats of one SBOM agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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
from regwarden.model.errors import BadInputError
from regwarden.model.sbom import Package, Sbom
from regwarden.model.sbom_properties import PURL
from regwarden.report.cyclonedx import (
    SUBJECT_REF,
    TOOL_NAME,
    bom_refs,
    bom_timestamp,
    os_bom_ref,
    serial_number,
)
from regwarden.report.sbom_properties import package_properties, subject_properties


def render_xml(sbom: Sbom) -> bytes:
    from xml.parsers.expat import ExpatError

    outputter = make_outputter(build_bom(sbom), OutputFormat.XML, SchemaVersion.V1_6)
    try:
        return outputter.output_as_string(indent=2).encode() + b"\n"
    except (UnicodeEncodeError, ExpatError) as error:
        # XML 1.0 has no way to write control characters or text that is not Unicode (a tar name that was not
        # UTF-8 is kept with surrogate escapes); the JSON formats keep both.
        raise BadInputError(
            "this SBOM holds text CycloneDX XML cannot represent (a control character, or a file name that is "
            f"not UTF-8 in its layer): {error}; write cyclonedx-json, spdx-json or json instead"
        ) from error


def build_bom(sbom: Sbom) -> Bom:
    """The cyclonedx-python-lib Bom for an Sbom."""
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
                bom_ref=os_bom_ref(os_),
                description=os_.pretty_name,
            )
        )
    timestamp = bom_timestamp(sbom.created)
    # The image contains every component; saying so also stops the library warning about a dangling subject.
    # Built directly: Bom.register_dependency searches linearly per call, quadratic on a large image.
    dependencies = [Dependency(ref=subject.bom_ref, dependencies=[Dependency(ref=c.bom_ref) for c in components])]
    dependencies += [Dependency(ref=component.bom_ref) for component in components]
    return Bom(
        components=components,
        dependencies=dependencies,
        serial_number=serial_number(sbom, timestamp),
        metadata=BomMetaData(tools=tools, component=subject, timestamp=timestamp),
    )


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
    """The rules of report/cyclonedx_licenses.py, in the library's model."""
    if len(licenses) == 1 and not is_supported_id(licenses[0]) and is_expression(licenses[0]):
        return [LicenseExpression(licenses[0])]
    return [
        DisjunctiveLicense(id=text) if is_supported_id(text) else DisjunctiveLicense(name=text) for text in licenses
    ]


def _properties(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    return [Property(name=name, value=value) for name, value in pairs]
