"""Load registries from files, sniffing each file's format and dispatching to the right adapter.

Formats: az/ARM JSON (one object, a list, or a `{"value": [...]}` list response), a bundle
`{"resources": [...], "unavailable": {type: reason}}`, ARM deployment templates (with an optional deployment
parameters file among the paths, applied to every template of the same call), Terraform plan/state JSON
(`format_version` + `planned_values`/`values`), and Terraform source (a `.tf` file or a directory of them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from regwarden.collect.azure.keys import get
from regwarden.collect.azure.resources import registries_from_resources
from regwarden.collect.azure.template import (
    is_parameters_file,
    is_template,
    parameter_values,
    registries_from_template,
)
from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry


def load_registries(paths: Sequence[Path]) -> list[Registry]:
    """Every registry described by `paths`, in path order."""
    with cyclic_gc_paused():
        return _load(paths)


def _load(paths: Sequence[Path]) -> list[Registry]:
    documents: list[tuple[Path, Any]] = []
    parameters: dict[str, Any] = {}
    registries: list[Registry] = []
    for path in paths:
        if path.is_dir() or path.suffix == ".tf":
            registries.extend(_terraform_source(path))
            continue
        document = read_json(path)
        if is_parameters_file(document):
            parameters.update(parameter_values(document))
        else:
            documents.append((path, document))
    for path, document in documents:
        registries.extend(registries_from_document(document, str(path), parameters))
    return registries


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(f"{path}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def registries_from_document(document: Any, origin: str, parameters: Mapping[str, Any] | None = None) -> list[Registry]:
    """Dispatch one parsed JSON document by its shape."""
    if is_template(document):
        return registries_from_template(document, origin, parameters)
    if isinstance(document, Mapping) and "format_version" in document:
        if "planned_values" in document or "values" in document:
            # Deferred like the .tf path below: only Terraform inputs pay for the Terraform adapters.
            from regwarden.collect.terraform.plan import registries_from_terraform_json

            return registries_from_terraform_json(document, origin)
        raise BadInputError(f"{origin}: Terraform JSON without planned_values or values")
    if isinstance(document, list):
        return registries_from_resources(document, origin)
    if isinstance(document, Mapping):
        return _from_mapping(document, origin)
    raise BadInputError(f"{origin}: expected a JSON object or array of Azure resources")


def _from_mapping(document: Mapping[str, Any], origin: str) -> list[Registry]:
    listed = get(document, "value")
    if isinstance(listed, list) and get(document, "type") is None:
        return registries_from_resources(listed, origin)
    bundle = get(document, "resources")
    if isinstance(bundle, list) and get(document, "type") is None:
        unavailable = get(document, "unavailable") or {}
        if not isinstance(unavailable, Mapping) or not all(isinstance(v, str) for v in unavailable.values()):
            raise BadInputError(f"{origin}: 'unavailable' must map resource types to reasons")
        return registries_from_resources(bundle, origin, unavailable=unavailable)
    return registries_from_resources([document], origin)


def _terraform_source(path: Path) -> list[Registry]:
    if not path.exists():
        raise BadInputError(f"{path}: no such file or directory")
    if path.is_dir() and not any(path.glob("*.tf")):
        raise BadInputError(f"{path}: directory holds no .tf files")
    from regwarden.collect.terraform.hcl import registries_from_terraform_source

    return registries_from_terraform_source(path)
