"""regwarden's own SBOM JSON: the model as plain JSON, stable key order, for scripts and `jq`.

collect/sbomfile/native.py reads it back; the two must change together.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

from regwarden.model.sbom import Sbom
from regwarden.model.sbom_properties import SBOM_JSON_SCHEMA

SCHEMA = SBOM_JSON_SCHEMA


def render_sbom_json(sbom: Sbom) -> bytes:
    document = {"schema": SCHEMA, **_plain(sbom)}
    return json.dumps(document, indent=2, ensure_ascii=False).encode() + b"\n"


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):  # Package.metadata may be any read-only mapping
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    return value
