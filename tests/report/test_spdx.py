"""SPDX 2.3 JSON output: valid against the official SPDX schema, stable, honest about licences."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest

from regwarden.model.sbom import Sbom
from regwarden.report.spdx import render_spdx_json
from tests.report.golden import assert_golden
from tests.report.sbom_fixture import SBOM

SCHEMA_PATH = Path(__file__).parents[1] / "schemas" / "spdx-schema-2.3.json"
MINIMAL = Sbom(source="dir:/srv/app", packages=(), created="2024-05-01T12:00:00+00:00")


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def _document(sbom: Sbom) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads(render_spdx_json(sbom)))


def _package(document: dict[str, Any], name: str) -> dict[str, Any]:
    (package,) = [p for p in document["packages"] if p["name"] == name]
    return cast(dict[str, Any], package)


@pytest.mark.parametrize("sbom", [SBOM, MINIMAL], ids=["image", "minimal"])
def test_valid_against_the_official_spdx_2_3_schema(validator: jsonschema.Draft7Validator, sbom: Sbom) -> None:
    errors = [error.message for error in validator.iter_errors(_document(sbom))]
    assert errors == []


def test_the_validator_catches_a_broken_document(validator: jsonschema.Draft7Validator) -> None:
    document = _document(SBOM)
    del document["packages"][1]["downloadLocation"]
    document["relationships"][0]["relationshipType"] = "IS_INSIDE"
    assert len(list(validator.iter_errors(document))) == 2


def test_matches_golden() -> None:
    assert_golden("sbom.spdx.json", render_spdx_json(SBOM))


def test_stable_creation_info_and_namespace() -> None:
    document = _document(SBOM)
    assert document["creationInfo"] == {
        "created": "2024-05-01T12:00:00Z",
        "creators": ["Tool: regwarden-0.1.0"],
    }
    assert document["documentNamespace"] == _document(dataclasses.replace(SBOM, packages=()))["documentNamespace"]
    assert render_spdx_json(SBOM) == render_spdx_json(SBOM)


def test_the_image_is_described_and_contains_every_package_and_the_os() -> None:
    document = _document(SBOM)
    ids = {p["name"]: p["SPDXID"] for p in document["packages"]}
    subject = _package(document, SBOM.source)
    assert (subject["primaryPackagePurpose"], subject["versionInfo"]) == ("CONTAINER", SBOM.image_digest)
    assert subject["checksums"] == [{"algorithm": "SHA256", "checksumValue": str(SBOM.image_digest).split(":")[1]}]
    relationships = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in document["relationships"]
    }
    contained = {related for element, kind, related in relationships if kind == "CONTAINS"}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", subject["SPDXID"]) in relationships
    assert contained == {p["SPDXID"] for p in document["packages"]} - {subject["SPDXID"]}
    assert len(contained) == len(SBOM.packages) + 1
    assert _package(document, "debian")["primaryPackagePurpose"] == "OPERATING_SYSTEM"
    assert ids["debian"] == "SPDXRef-OperatingSystem"


def test_spdx_expressions_kept_and_free_text_licences_become_license_refs() -> None:
    document = _document(SBOM)
    assert _package(document, "libc6")["licenseDeclared"] == "LGPL-2.1-or-later AND GPL-2.0-or-later"
    assert _package(document, "serde")["licenseDeclared"] == "MIT OR Apache-2.0"
    assert _package(document, "github.com/gorilla/mux")["licenseDeclared"] == "NOASSERTION"
    extracted = {info["licenseId"]: info["extractedText"] for info in document["hasExtractedLicensingInfos"]}
    assert set(extracted.values()) == {"GPL-2+", "BSD-like (see /usr/share/doc/passwd/copyright)", "ASL 2.0"}
    passwd_refs = _package(document, "passwd")["licenseDeclared"].split(" AND ")
    assert [extracted[ref] for ref in passwd_refs] == [
        "GPL-2+",
        "BSD-like (see /usr/share/doc/passwd/copyright)",
    ]


def test_a_compound_expression_among_several_licences_is_parenthesised() -> None:
    serde = dataclasses.replace(SBOM.packages[12], licenses=("MIT OR Apache-2.0", "Unicode-DFS-2016"))
    document = _document(dataclasses.replace(SBOM, packages=(serde,)))
    assert _package(document, "serde")["licenseDeclared"] == "(MIT OR Apache-2.0) AND Unicode-DFS-2016"


def test_purl_and_every_cpe_are_external_refs() -> None:
    refs = _package(_document(SBOM), "libc6")["externalRefs"]
    assert [(r["referenceCategory"], r["referenceType"], r["referenceLocator"]) for r in refs] == [
        ("PACKAGE-MANAGER", "purl", SBOM.packages[0].purl),
        ("SECURITY", "cpe23Type", SBOM.packages[0].cpes[0]),
        ("SECURITY", "cpe23Type", SBOM.packages[0].cpes[1]),
    ]
