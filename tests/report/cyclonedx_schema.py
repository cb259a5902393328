"""The official CycloneDX 1.6 JSON schema (tests/schemas/cyclonedx/), with the SPDX and JSF schemas it refers to."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parents[1] / "schemas" / "cyclonedx"
BOM_SCHEMA = "bom-1.6.schema.json"
REFERENCED = ("spdx.schema.json", "jsf-0.82.schema.json")


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return schema


@cache
def cyclonedx_validator() -> jsonschema.Draft7Validator:
    """A draft-07 validator of CycloneDX 1.6 JSON that also checks the formats jsonschema can check here."""
    resources = [Resource.from_contents(load_schema(name)) for name in (BOM_SCHEMA, *REFERENCED)]
    registry: Registry[Any] = Registry().with_resources((resource.id(), resource) for resource in resources)
    return jsonschema.Draft7Validator(
        load_schema(BOM_SCHEMA), registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def schema_errors(output: bytes) -> list[str]:
    """Every violation of the official schema, as `path: message` (empty when the document is valid)."""
    errors = cyclonedx_validator().iter_errors(json.loads(output))
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]
