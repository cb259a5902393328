"""The official schemas in tests/schemas/ are intact: valid JSON, draft-07 schemas, and they still judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SCHEMAS = Path(__file__).parents[1] / "schemas"


def _load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize(
    ("name", "schema_id"),
    [
        ("spdx-schema-2.3.json", "http://spdx.org/rdf/terms/2.3"),
        (
            "sarif-schema-2.1.0.json",
            "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json",
        ),
        ("cyclonedx/bom-1.6.schema.json", "http://cyclonedx.org/schema/bom-1.6.schema.json"),
        ("cyclonedx/spdx.schema.json", "http://cyclonedx.org/schema/spdx.schema.json"),
        ("cyclonedx/jsf-0.82.schema.json", "http://cyclonedx.org/schema/jsf-0.82.schema.json"),
    ],
)
def test_schema_is_a_draft_07_schema(name: str, schema_id: str) -> None:
    schema = _load(name)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == schema_id
    jsonschema.Draft7Validator.check_schema(schema)


def test_sarif_schema_accepts_a_minimal_log_and_rejects_a_broken_one() -> None:
    validator = jsonschema.Draft7Validator(_load("sarif-schema-2.1.0.json"))
    log: dict[str, Any] = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "regwarden", "rules": [{"id": "RW-ACR-001"}]}},
                "results": [{"ruleId": "RW-ACR-001", "level": "error", "message": {"text": "admin user enabled"}}],
            }
        ],
    }
    assert list(validator.iter_errors(log)) == []
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]
    assert len(list(validator.iter_errors(log))) == 2


def test_spdx_schema_requires_the_document_fields() -> None:
    validator = jsonschema.Draft7Validator(_load("spdx-schema-2.3.json"))
    missing = {error.message for error in validator.iter_errors({"spdxVersion": "SPDX-2.3"})}
    assert missing == {
        f"'{field}' is a required property" for field in ("SPDXID", "creationInfo", "dataLicense", "name")
    }


def test_cyclonedx_schema_requires_the_format_fields_and_resolves_its_spdx_reference() -> None:
    from tests.report.cyclonedx_schema import schema_errors

    assert schema_errors(b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}') == []
    licence = {"license": {"id": "NOT-AN-SPDX-ID"}}
    document = {"bomFormat": "CycloneDX", "components": [{"type": "library", "name": "x", "licenses": [licence]}]}
    assert set(schema_errors(json.dumps(document).encode())) == {
        "components/0/licenses: [{'license': {'id': 'NOT-AN-SPDX-ID'}}] is not valid under any of the given schemas",
        ": 'specVersion' is a required property",
    }
