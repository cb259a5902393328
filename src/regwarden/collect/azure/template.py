"""ARM deployment templates (JSON, incl. compiled Bicep and `languageVersion` 2.0) → `Registry` objects.

Parameters take their value from a parameters file when given, else their `defaultValue`; variables and
simple expressions are evaluated (see expressions.py). What cannot be known statically (a parameter without a
value, `resourceGroup().location`) stays as the expression text and becomes UNRESOLVED: its rules say UNKNOWN.
Top-level child resources are attached to their registry by `registry/child` names, or by a `dependsOn` that
names exactly one registry when the name itself cannot be resolved (an unresolvable registry name such as
`[parameters('acrName')]` is matched by its expression text); children of a registry the template does not
declare are audited under the registry their name or `dependsOn` names (template_parents). Nested deployments
(Bicep modules) are read with the parameter values passed to them; a resource or module whose `condition`
resolves to false is skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from regwarden.collect.azure.expressions import Evaluator
from regwarden.collect.azure.functions import loop_count
from regwarden.collect.azure.keys import get
from regwarden.collect.azure.resources import REGISTRY, registries_from_resources
from regwarden.collect.azure.template_parents import existing_registries, name_parent
from regwarden.collect.coerce import to_str
from regwarden.model.arm_id import is_expression, last_segment
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry

_DEPLOYMENT = "microsoft.resources/deployments"
_MAX_NESTING = 10


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
    """Every registry a template declares, with its declared child and related resources.

    Registries inside nested deployments (how Bicep compiles `module`s) are found too, with the parameter
    values the outer template passes them.
    """
    return _from_template(document, origin, parameters or {}, depth=0)


def _from_template(
    document: Mapping[str, Any], origin: str, parameters: Mapping[str, Any], depth: int
) -> list[Registry]:
    values = _parameter_defaults(document)
    values.update(parameters)
    variables = get(document, "variables")
    evaluator = Evaluator(values, variables if isinstance(variables, Mapping) else {})
    existing = existing_registries(get(document, "resources"), evaluator.resolve)
    resources: list[Any] = []
    modules: list[Mapping[str, Any]] = []
    unknowable: dict[str, str] = {}
    for resource in _declared(get(document, "resources"), origin):
        if _nested_template(resource) is not None:
            modules.append(resource)  # never resolved here: an inner template has its own parameters
            continue
        instances = _instances(resource, evaluator)
        if isinstance(instances, str):
            unknowable.setdefault(_related_kind(resource), instances)
        else:
            resources.extend(instances)
    # A condition is often a parameter (`[parameters('deployRegistry')]`): judge it after resolution.
    resources = [r for r in resources if get(r, "condition") is not False]
    for resource in resources:
        if (why := _unknowable_related(resource)) is not None:
            unknowable.setdefault(_related_kind(resource), why)
    unknowable.pop(REGISTRY, None)  # registries themselves are always read; their unknown fields say so
    resources = [name_parent(r, existing) for r in _attach_by_depends_on(resources)]
    found = registries_from_resources(resources, origin, unavailable=unknowable)
    for module in modules:
        outer = (values, variables if isinstance(variables, Mapping) else {})
        found.extend(_module_registries(module, evaluator, outer, origin, depth))
    return found


_DECISIVE = {
    "microsoft.authorization/locks": (("level",),),
    "microsoft.authorization/roleassignments": (("roleDefinitionId",), ("principalId",)),
    "microsoft.insights/diagnosticsettings": (("workspaceId",), ("storageAccountId",), ("logs",)),
}
"""Per related type, the properties its rules decide on: a template that leaves one unresolved (AVM's
`tryGet(coalesce(parameters('lock'), ...), 'kind')`) makes the whole type unknowable, not absent or empty."""


def _instances(resource: Mapping[str, Any], evaluator: Evaluator) -> list[Any] | str:
    """The resolved instances a declaration deploys (a `copy` loop deploys `count`), or why they are unknown."""
    loop = get(resource, "copy")
    if not isinstance(loop, Mapping):
        return [evaluator.resolve(resource)]
    count = loop_count(evaluator.resolve(get(loop, "count")))
    if count is None:
        return f"copy loop count not known statically: {get(loop, 'count')}"
    body = {key: value for key, value in resource.items() if key.casefold() != "copy"}
    name = to_str(get(loop, "name"))
    return [evaluator.at_index(name, index).resolve(body) for index in range(count)]


def _related_kind(resource: Mapping[str, Any]) -> str:
    """The inventory's name for a resource type (a nested `registries/providers/diagnosticSettings` too)."""
    kind = str(get(resource, "type")).casefold()
    return next((known for known in _DECISIVE if kind.endswith("/" + known.rsplit("/", 1)[1])), kind)


def _unknowable_related(resource: Mapping[str, Any]) -> str | None:
    kind = _related_kind(resource)
    if kind == REGISTRY:
        return None
    condition = get(resource, "condition")
    if condition is not None and not isinstance(condition, bool):
        return f"deployment condition not known statically: {condition}"
    for keys in _DECISIVE.get(kind, ()):
        value = get(resource, "properties", *keys)
        if is_expression(value) or (isinstance(value, list) and any(_holds_expression(v) for v in value)):
            return f"{keys[-1]} not known statically: {value}"
    return None


def _holds_expression(node: Any) -> bool:
    if isinstance(node, Mapping):
        return any(_holds_expression(v) for v in node.values())
    return is_expression(node)


def _nested_template(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    if str(get(resource, "type")).casefold() != _DEPLOYMENT:
        return None
    inner = get(resource, "properties", "template")
    return inner if isinstance(inner, Mapping) and isinstance(get(inner, "resources"), list | Mapping) else None


def _module_registries(
    module: Mapping[str, Any],
    evaluator: Evaluator,
    outer: tuple[Mapping[str, Any], Mapping[str, Any]],
    origin: str,
    depth: int,
) -> list[Registry]:
    """`outer` holds the outer template's parameter values and variables."""
    if depth >= _MAX_NESTING:
        raise BadInputError(f"{origin}: nested deployments deeper than {_MAX_NESTING} levels")
    if evaluator.resolve(get(module, "condition")) is False:
        return []
    inner = _nested_template(module) or {}
    scope = to_str(get(module, "properties", "expressionEvaluationOptions", "scope")) or "outer"
    if scope.casefold() != "inner":
        # Outer scope: the nested template's expressions read the outer template's parameters and variables.
        own = get(inner, "variables")
        merged = {**inner, "variables": {**outer[1], **(own if isinstance(own, Mapping) else {})}}
        return _from_template(merged, origin, outer[0], depth + 1)
    passed = evaluator.resolve(get(module, "properties", "parameters"))
    values = {
        name: entry["value"]
        for name, entry in (passed.items() if isinstance(passed, Mapping) else ())
        if isinstance(entry, Mapping) and "value" in entry
    }
    return _from_template(inner, origin, values, depth + 1)


def _parameter_defaults(document: Mapping[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    parameters = get(document, "parameters")
    for name, spec in (parameters or {}).items() if isinstance(parameters, Mapping) else ():
        if isinstance(spec, Mapping) and "defaultValue" in spec:
            defaults[name] = spec["defaultValue"]
        elif isinstance(spec, Mapping) and get(spec, "nullable") is True:
            defaults[name] = None  # languageVersion 2.0: a nullable parameter left out is null
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
    """Nest a child whose name is unresolved under the one registry its dependsOn (or name) names."""
    registries = {_registry_key(get(r, "name")): r for r in resources if str(get(r, "type")).casefold() == REGISTRY}
    kept: list[Any] = []
    for resource in resources:
        kind = str(get(resource, "type")).casefold()
        name = get(resource, "name")
        unresolved = not isinstance(name, str) or is_expression(name)
        parent = _parent_registry(resource, registries) if kind.startswith(REGISTRY + "/") else None
        if parent is not None and unresolved:
            child = dict(resource)
            child["name"] = _child_name(name)
            parent.setdefault("resources", []).append(child)
        else:
            kept.append(resource)
    return kept


def _registry_key(name: Any) -> str:
    """How children refer to a registry: its name, or for `[parameters('x')]` the inner `parameters('x')`."""
    text = str(name)
    return (text[1:-1] if is_expression(text) else text).casefold()


def _parent_registry(resource: Mapping[str, Any], registries: dict[str, Any]) -> dict[str, Any] | None:
    named = set()
    references = [str(entry).casefold() for entry in get(resource, "dependsOn") or []]
    references.append(str(get(resource, "name")).casefold())
    for text in references:
        for key in registries:
            # A resolved name appears as `.../registries/<name>`; an unresolvable one as the same
            # expression text (`parameters('acrName')`) inside resourceId(), concat() or format().
            if text.endswith("registries/" + key) or text == key or ("(" in key and key in text):
                named.add(key)
    return registries[named.pop()] if len(named) == 1 else None


def _child_name(name: Any) -> str:
    """The child's own name: the last `/` segment, or the last argument of an unresolved concat/format."""
    text = str(name)
    if not is_expression(text):
        return last_segment(text)
    inner = text[1:-1].strip()
    tail = inner.removesuffix(")").rsplit(",", 1)[-1].strip()
    return f"[{tail}]" if tail else text
