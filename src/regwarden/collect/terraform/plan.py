"""`terraform show -json` output (a saved plan, or state) → `Registry` objects.

A plan holds `planned_values.root_module` (resources and `child_modules`, recursively), `resource_changes`
whose `change.after_unknown` marks values known only after apply (they are absent from `planned_values`), and
`configuration`, whose expressions name the resources each attribute refers to: since ids are unknown before
apply, children are linked to their registry through these references. A state holds `values.root_module`
with every value known, and children are linked by literal ids and names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from regwarden.collect.terraform.common import TfResource, Unknown, base_address, resource_reference
from regwarden.collect.terraform.mapping import registries_from_tf_resources
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry

AFTER_APPLY = "known only after apply"


def registries_from_terraform_json(document: Mapping[str, Any], origin: str) -> list[Registry]:
    """Every `azurerm_container_registry` in a plan or state document, with related resources attached."""
    root = _root_module(document, origin)
    unknowns = _after_unknown(document)
    expressions = _configuration(document.get("configuration"))
    resources = []
    for resource in _walk(root, origin):
        if resource.get("mode", "managed") != "managed":
            continue
        address = str(resource["address"])
        values = resource.get("values")
        merged = _merge_unknown(values if isinstance(values, Mapping) else {}, unknowns.get(address))
        references, configured = expressions.get(base_address(address), ({}, None))
        resources.append(TfResource(address, str(resource["type"]), merged, references, configured))
    return registries_from_tf_resources(resources, origin)


def _root_module(document: Mapping[str, Any], origin: str) -> Mapping[str, Any]:
    for key in ("planned_values", "values"):
        section = document.get(key)
        if isinstance(section, Mapping):
            root = section.get("root_module", {})
            if isinstance(root, Mapping):
                return root
            raise BadInputError(f"{origin}: {key}.root_module is not an object")
    raise BadInputError(f"{origin}: Terraform JSON without planned_values or values")


def _walk(module: Mapping[str, Any], origin: str) -> Iterator[Mapping[str, Any]]:
    for resource in module.get("resources", []) or []:
        if not isinstance(resource, Mapping) or not {"address", "type"} <= resource.keys():
            raise BadInputError(f"{origin}: a resource in module {module.get('address', 'root')} lacks address/type")
        yield resource
    for child in module.get("child_modules", []) or []:
        if isinstance(child, Mapping):
            yield from _walk(child, origin)


def _after_unknown(document: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for change in document.get("resource_changes", []) or []:
        if isinstance(change, Mapping) and isinstance(change.get("change"), Mapping):
            found[str(change.get("address"))] = change["change"].get("after_unknown")
    return found


def _merge_unknown(values: Any, unknown: Any) -> Any:
    """Overlay `after_unknown` (true where a value is unknown) on the planned values."""
    if unknown is True:
        return Unknown(AFTER_APPLY)
    if isinstance(unknown, Mapping) and isinstance(values, Mapping | None):
        merged = dict(values or {})
        for key, marker in unknown.items():
            merged[key] = _merge_unknown(merged.get(key), marker)
        return merged
    if isinstance(unknown, list) and isinstance(values, list | None):
        items = list(values or [])
        items.extend([None] * (len(unknown) - len(items)))
        return [_merge_unknown(v, u) for v, u in zip(items, unknown, strict=False)] + items[len(unknown) :]
    return values


_Expressions = dict[str, tuple[dict[str, frozenset[str]], frozenset[str] | None]]


def _configuration(configuration: Any) -> _Expressions:
    """Base address → (attribute → referenced resources, attributes written in the configuration)."""
    found: _Expressions = {}
    if isinstance(configuration, Mapping):
        _config_module(configuration.get("root_module"), "", found)
    return found


def _config_module(module: Any, prefix: str, found: _Expressions) -> None:
    if not isinstance(module, Mapping):
        return
    for resource in module.get("resources", []) or []:
        if not isinstance(resource, Mapping) or not isinstance(resource.get("address"), str):
            continue
        expressions = resource.get("expressions")
        expressions = expressions if isinstance(expressions, Mapping) else {}
        references = {key: frozenset(_references(value, prefix)) for key, value in expressions.items()}
        found[prefix + resource["address"]] = (references, frozenset(expressions))
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, Mapping):
            _config_module(call.get("module"), f"{prefix}module.{name}.", found)


def _references(expression: Any, prefix: str) -> Iterator[str]:
    """Every resource named by an expression, including those in nested block expressions."""
    if isinstance(expression, list):
        for item in expression:
            yield from _references(item, prefix)
    elif isinstance(expression, Mapping):
        for key, value in expression.items():
            if key == "references" and isinstance(value, list):
                for reference in value:
                    address = resource_reference(str(reference), prefix)
                    if address is not None:
                        yield address
            elif key != "constant_value":
                yield from _references(value, prefix)
