"""CycloneDX 1.6 output: valid against the official schemas (from cyclonedx-python-lib), stable, honest."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, cast
from xml.etree import ElementTree

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator

from regwarden.model.sbom import Package, PackageType, Sbom
from regwarden.report.cyclonedx import render_cyclonedx_json, render_cyclonedx_xml
from tests.report.golden import assert_golden
from tests.report.sbom_fixture import SBOM

CDX = "{http://cyclonedx.org/schema/bom/1.6}"
MINIMAL = Sbom(source="dir:/srv/app", packages=(), created="2024-05-01T12:00:00+00:00")


def _json(sbom: Sbom) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(render_cyclonedx_json(sbom)))


def _component(document: dict[str, Any], name: str) -> dict[str, Any]:
    (component,) = [c for c in document["components"] if c["name"] == name]
    return cast(dict[str, Any], component)


@pytest.mark.parametrize("sbom", [SBOM, MINIMAL], ids=["image", "minimal"])
def test_json_is_valid_cyclonedx_1_6_strict(sbom: Sbom) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(render_cyclonedx_json(sbom).decode())
    assert error is None, error


@pytest.mark.parametrize("sbom", [SBOM, MINIMAL], ids=["image", "minimal"])
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
