"""ARM deployment templates (JSON, incl. compiled Bicep and `languageVersion` 2.0) → `Registry` objects.

Parameters take their value from a parameters file when given, else their `defaultValue`; variables and
simple expressions are evaluated (see arm_expressions). What cannot be known statically (a parameter without a
value, `resourceGroup().location`) stays as the expression text and becomes UNRESOLVED: its rules say UNKNOWN.
Top-level child resources are attached to their registry by `registry/child` names, or by a `dependsOn` that
names exactly one registry when the name itself cannot be resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regwarden.collect.arm_expressions import Evaluator
from regwarden.collect.arm_keys import get, is_expression, last_segment, to_str
from regwarden.collect.azure_arm import REGISTRY, registries_from_resources
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry


def is_template(document: Any) -> bool:
    schema = to_str(get(document, "$schema")) or ""
    return isinstance(document, Mapping) and "deploymenttemplate" in schema.casefold()


def is_parameters_file(document: Any) -> bool:
    schema = to_str(get(document, "$schema")) or ""
    return isinstance(document, Mapping) and "deploymentparameters" in schema.casefold()


def parameter_values(document: Mapping[str, Any]) -> dict[str, Any]:
    """The `value`s of a deployment parameters file (Key Vault references have no static value)."""
    values: dict[str, Any] = {}
    parameters = get(document, "parameters")
    for name, entry in (parameters or {}).items() if isinstance(parameters, Mapping) else ():
        if isinstance(entry, Mapping) and "value" in entry:
            values[name] = entry["value"]
    return values


def registries_from_template(
    document: Mapping[str, Any], origin: str, parameters: Mapping[str, Any] | None = None
) -> list[Registry]:
    """Every registry a template declares, with its declared child and related resources."""
    values = _parameter_defaults(document)
    values.update(parameters or {})
    variables = get(document, "variables")
    evaluator = Evaluator(values, variables if isinstance(variables, Mapping) else {})
    resources = [evaluator.resolve(r) for r in _declared(get(document, "resources"), origin)]
    return registries_from_resources(_attach_by_depends_on(resources), origin)


def _parameter_defaults(document: Mapping[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    parameters = get(document, "parameters")
    for name, spec in (parameters or {}).items() if isinstance(parameters, Mapping) else ():
        if isinstance(spec, Mapping) and "defaultValue" in spec:
            defaults[name] = spec["defaultValue"]
    return defaults


def _declared(resources: Any, origin: str) -> list[Mapping[str, Any]]:
    """Resources as a list (languageVersion 2.0 uses an object keyed by symbolic name), minus `existing` "
    "ones."""
    if isinstance(resources, Mapping):
        resources = list(resources.values())
    if resources is None:
        return []
    if not isinstance(resources, list) or not all(isinstance(r, Mapping) for r in resources):
        raise BadInputError(f"{origin}: template 'resources' must be a list or object of resources")
    # `existing` resources are references to something deployed elsewhere, not declarations.
    return [r for r in resources if get(r, "existing") is not True and get(r, "condition") is not False]


def _attach_by_depends_on(resources: list[Any]) -> list[Any]:
    """Nest a child whose name is unresolved under the one registry its dependsOn names."""
    registries = {
        str(get(r, "name")).casefold(): r
        for r in resources
        if str(get(r, "type")).casefold() == REGISTRY and not is_expression(get(r, "name"))
    }
    kept: list[Any] = []
    for resource in resources:
        kind = str(get(resource, "type")).casefold()
        name = get(resource, "name")
        parent = _depends_on_registry(resource, registries) if kind.startswith(REGISTRY + "/") else None
        if parent is not None and (not isinstance(name, str) or is_expression(name)):
            child = dict(resource)
            child["name"] = last_segment(str(name))
            parent.setdefault("resources", []).append(child)
        else:
            kept.append(resource)
    return kept


def _depends_on_registry(resource: Mapping[str, Any], registries: dict[str, Any]) -> dict[str, Any] | None:
    named = set()
    for entry in get(resource, "dependsOn") or []:
        text = str(entry).casefold()
        for name in registries:
            if text.endswith("registries/" + name) or text == name:
                named.add(name)
    return registries[named.pop()] if len(named) == 1 else None
