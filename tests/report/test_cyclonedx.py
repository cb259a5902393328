"""CycloneDX 1.6 output: valid against the official schemas, the document cyclonedx-python-lib writes, stable, honest.

JSON is written without the library; XML still goes through it. The JSON of every SBOM here is compared with the
library's own JSON of the same SBOM (built as report/cyclonedx_xml.py builds it) and validated against the official
JSON schema in tests/schemas/cyclonedx/.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast
from xml.etree import ElementTree

import pytest
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.validation.xml import XmlValidator

from regwarden.model.errors import BadInputError
from regwarden.model.sbom import Package, PackageType, Sbom
from regwarden.report.cyclonedx import render_cyclonedx_json, render_cyclonedx_xml
from regwarden.report.cyclonedx_licenses import spdx_license_ids
from regwarden.report.cyclonedx_xml import build_bom
from tests.report.cyclonedx_edge_cases import EDGE_CASES, UNDECODABLE_PATH
from tests.report.cyclonedx_schema import schema_errors
from tests.report.golden import assert_golden
from tests.report.sbom_fixture import SBOM

CDX = "{http://cyclonedx.org/schema/bom/1.6}"
MINIMAL = Sbom(source="dir:/srv/app", packages=(), created="2024-05-01T12:00:00+00:00")
SHAPES = [SBOM, MINIMAL, EDGE_CASES]
SHAPE_IDS = ["image", "minimal", "edge-cases"]


def _library_json(sbom: Sbom) -> bytes:
    """What cyclonedx-python-lib writes for the Bom the XML writer builds."""
    return make_outputter(build_bom(sbom), OutputFormat.JSON, SchemaVersion.V1_6).output_as_string(indent=2).encode()


def _json(sbom: Sbom) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(render_cyclonedx_json(sbom)))


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    (component,) = [c for c in document["components"] if c["name"] == name]
    return cast(dict[str, Any], component)


@pytest.mark.parametrize("sbom", SHAPES, ids=SHAPE_IDS)
def test_json_is_valid_against_the_official_cyclonedx_1_6_schema(sbom: Sbom) -> None:
    assert schema_errors(render_cyclonedx_json(sbom)) == []


@pytest.mark.parametrize("sbom", SHAPES, ids=SHAPE_IDS)
def test_json_is_the_document_cyclonedx_python_lib_writes(sbom: Sbom) -> None:
    assert json.loads(render_cyclonedx_json(sbom)) == json.loads(_library_json(sbom))


@pytest.mark.parametrize("sbom", [SBOM, MINIMAL], ids=["image", "minimal"])
def test_json_of_ascii_text_is_byte_for_byte_the_library_output(sbom: Sbom) -> None:
    assert render_cyclonedx_json(sbom) == _library_json(sbom) + b"\n"


def test_text_is_written_as_utf8_and_undecodable_names_as_escapes() -> None:
    accented = dataclasses.replace(EDGE_CASES, unknowns=())
    assert "Ænima-ö".encode() in render_cyclonedx_json(accented)
    output = render_cyclonedx_json(EDGE_CASES)  # a path that was not UTF-8 in the tar: the stdlib writes it
    assert output == _library_json(EDGE_CASES) + b"\n"
    properties = json.loads(output)["metadata"]["component"]["properties"]
    assert {"name": "regwarden:unknown:0:path", "value": UNDECODABLE_PATH} in properties


# XML 1.0 cannot hold a name that was not UTF-8 in its layer: refused with a clear error (see the test below).
@pytest.mark.parametrize("sbom", [SBOM, MINIMAL, dataclasses.replace(EDGE_CASES, unknowns=())], ids=SHAPE_IDS)
def test_xml_is_valid_cyclonedx_1_6(sbom: Sbom) -> None:
    error = XmlValidator(SchemaVersion.V1_6).validate_str(render_cyclonedx_xml(sbom).decode())
    assert error is None, error


def test_json_matches_golden() -> None:
    assert_golden("sbom.cdx.json", render_cyclonedx_json(SBOM))


def test_xml_matches_golden() -> None:
    assert_golden("sbom.cdx.xml", render_cyclonedx_xml(SBOM))


def test_output_is_stable_and_without_a_clock_when_created_is_set() -> None:
    assert render_cyclonedx_json(SBOM) == render_cyclonedx_json(SBOM)
    document = _json(SBOM)
    assert document["metadata"]["timestamp"] == "2024-05-01T12:00:00+00:00"
    assert document["serialNumber"] == _json(dataclasses.replace(SBOM, packages=()))["serialNumber"]


def test_image_is_the_metadata_component_and_regwarden_the_tool() -> None:
    metadata = _json(SBOM)["metadata"]
    assert (
        metadata["component"]["type"],
        metadata["component"]["name"],
        metadata["component"]["version"],
    ) == (
        "container",
        SBOM.source,
        SBOM.image_digest,
    )
    assert [(t["name"], t["version"]) for t in metadata["tools"]["components"]] == [("regwarden", "0.1.0")]


def test_every_package_is_a_component_and_the_os_is_one_too() -> None:
    components = _json(SBOM)["components"]
    assert {(c["name"], c["version"], c.get("purl")) for c in components if c["type"] == "library"} == {
        (p.name, p.version, p.purl) for p in SBOM.packages
    }
    assert [(c["name"], c["version"]) for c in components if c["type"] == "operating-system"] == [("debian", "12")]


def test_bom_refs_are_unique_and_the_image_depends_on_every_component() -> None:
    document = _json(SBOM)
    refs = [c["bom-ref"] for c in document["components"]]
    assert len(refs) == len(set(refs)) == len(SBOM.packages) + 1
    (subject,) = [d for d in document["dependencies"] if d["ref"] == "subject"]
    assert set(subject["dependsOn"]) == set(refs)


def test_licences_spdx_ids_as_id_free_text_as_name_a_lone_expression_as_expression() -> None:
    document = _json(SBOM)
    assert _component(document, "libc6")["licenses"] == [
        {"license": {"id": "GPL-2.0-or-later"}},
        {"license": {"id": "LGPL-2.1-or-later"}},
    ]
    assert _component(document, "passwd")["licenses"] == [
        {"license": {"name": "BSD-like (see /usr/share/doc/passwd/copyright)"}},
        {"license": {"name": "GPL-2+"}},
    ]
    assert _component(document, "serde")["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert "licenses" not in _component(document, "github.com/gorilla/mux")


def test_first_cpe_in_the_standard_field_all_in_order_as_properties() -> None:
    libc = _component(_json(SBOM), "libc6")
    assert libc["cpe"] == "cpe:2.3:a:gnu:glibc:2.36:*:*:*:*:*:*:*"
    props = {p["name"]: p["value"] for p in libc["properties"]}
    assert [props["regwarden:cpe:0"], props["regwarden:cpe:1"]] == list(SBOM.packages[0].cpes)


def test_a_purl_the_library_would_re_encode_is_kept_verbatim_in_a_property() -> None:
    verbatim = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2+b1?arch=amd64"
    package = Package("libssl3", "3.0.11-1~deb12u2+b1", PackageType.DEB, verbatim, "dpkg")
    component = _component(_json(dataclasses.replace(SBOM, packages=(package,))), "libssl3")
    assert component["purl"] != verbatim  # the library percent-encodes '+'
    assert {"name": "regwarden:purl", "value": verbatim} in component["properties"]


def test_xml_carries_the_same_components_as_json() -> None:
    root = ElementTree.fromstring(render_cyclonedx_xml(SBOM))
    xml_purls = {c.findtext(f"{CDX}purl") for c in root.iterfind(f"{CDX}components/{CDX}component")}
    assert xml_purls == {c.get("purl") for c in _json(SBOM)["components"]}


def test_spdx_ids_are_the_ones_the_library_checks_licences_against() -> None:
    import cyclonedx.spdx

    ids = spdx_license_ids()
    assert len(ids) > 500
    assert ids == cyclonedx.spdx.__dict__["__IDS"]  # the module's private set, so the XML writer agrees
    assert all(cyclonedx.spdx.is_supported_id(text) for text in ids)


@pytest.mark.parametrize("text", ["tab\x01", UNDECODABLE_PATH], ids=["control-character", "not-utf8"])
def test_xml_refuses_text_it_cannot_represent_with_a_clear_error_and_json_keeps_it(text: str) -> None:
    package = Package(f"name{text}", "1.0", PackageType.NPM, "pkg:npm/name@1.0", "npm-package")
    sbom = dataclasses.replace(MINIMAL, packages=(package,))
    with pytest.raises(BadInputError, match="CycloneDX XML cannot represent"):
        render_cyclonedx_xml(sbom)
    assert _component(_json(sbom), f"name{text}")["purl"] == "pkg:npm/name@1.0"
