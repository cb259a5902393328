"""The shape of an OpenVEX v0.2.0 document as the specification states it, written down as a JSON Schema for the
export tests: required document fields, the four statuses and five justification labels, `not_affected` needing
a justification or an impact statement, `affected` needing an action statement, and products or subcomponents
identified by an `@id` or `identifiers`. Our own reading of the spec text, not a copy of a published schema."""

from __future__ import annotations

from typing import Any

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_IDENTIFIED: dict[str, Any] = {
    "anyOf": [{"required": ["@id"]}, {"required": ["identifiers"]}],
}
_COMPONENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "@id": _TEXT,
        "identifiers": {
            "type": "object",
            "properties": {"purl": _TEXT, "cpe22": _TEXT, "cpe23": _TEXT},
            "additionalProperties": False,
            "minProperties": 1,
        },
        "hashes": {"type": "object", "additionalProperties": _TEXT},
    },
    **_IDENTIFIED,
}
_PRODUCT: dict[str, Any] = {
    **_COMPONENT,
    "properties": {
        **_COMPONENT["properties"],
        "subcomponents": {"type": "array", "items": {**_COMPONENT, "additionalProperties": False}},
    },
    "additionalProperties": False,
}
_STATEMENT: dict[str, Any] = {
    "type": "object",
    "required": ["vulnerability", "status", "products"],
    "properties": {
        "@id": _TEXT,
        "version": {"type": "integer", "minimum": 1},
        "vulnerability": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "@id": _TEXT,
                "name": _TEXT,
                "description": {"type": "string"},
                "aliases": {"type": "array", "items": _TEXT, "uniqueItems": True},
            },
            "additionalProperties": False,
        },
        "timestamp": {"type": "string", "format": "date-time"},
        "last_updated": {"type": "string", "format": "date-time"},
        "products": {"type": "array", "minItems": 1, "items": _PRODUCT},
        "status": {"enum": ["not_affected", "affected", "fixed", "under_investigation"]},
        "supplier": {"type": "string"},
        "status_notes": {"type": "string"},
        "justification": {
            "enum": [
                "component_not_present",
                "vulnerable_code_not_present",
                "vulnerable_code_not_in_execute_path",
                "vulnerable_code_cannot_be_controlled_by_adversary",
                "inline_mitigations_already_exist",
            ]
        },
        "impact_statement": _TEXT,
        "action_statement": _TEXT,
        "action_statement_timestamp": {"type": "string", "format": "date-time"},
    },
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"status": {"const": "not_affected"}}},
            "then": {"anyOf": [{"required": ["justification"]}, {"required": ["impact_statement"]}]},
        },
        {"if": {"properties": {"status": {"const": "affected"}}}, "then": {"required": ["action_statement"]}},
    ],
}
OPENVEX_SHAPE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["@context", "@id", "author", "timestamp", "version", "statements"],
    "properties": {
        "@context": {"const": "https://openvex.dev/ns/v0.2.0"},
        "@id": {"type": "string", "pattern": "^https://"},
        "author": _TEXT,
        "role": {"type": "string"},
        "timestamp": {"type": "string", "format": "date-time"},
        "last_updated": {"type": "string", "format": "date-time"},
        "version": {"type": "integer", "minimum": 1},
        "tooling": {"type": "string"},
        "statements": {"type": "array", "minItems": 1, "items": _STATEMENT},
    },
    "additionalProperties": False,
}
