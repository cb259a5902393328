"""How a template names the registry of a child resource it does not declare.

A template may deploy only children (`registries/replications`, tokens, ...) of a registry deployed elsewhere. Its
name is then written in the child's name (`[format('{0}/{1}', parameters('acrName'), 'westus')]`, `concat(...)`),
in a `dependsOn` (`[resourceId('Microsoft.ContainerRegistry/registries', parameters('acrName'))]`), or, in
`languageVersion` 2.0, through the symbolic name of an `existing` registry. `name_parent` records it the way an
Az PowerShell export does (`parentResource: registries/NAME`, an unresolved name kept as its expression text) and
gives the child its own name, so `parents` can place it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from regwarden.collect.azure.inventory import CHILD_KINDS, REGISTRY
from regwarden.collect.azure.keys import get
from regwarden.model.arm_id import is_expression

_CALL = re.compile(r"^\s*(\w+)\s*\((.*)\)\s*$", re.DOTALL)
_PARENT_CHILD_FORMATS = ("'{0}/{1}'",)
_CHILD_TYPES = frozenset((*CHILD_KINDS, f"{REGISTRY}/listusages", f"{REGISTRY}/privateendpointconnections"))


def existing_registries(declared: Any, resolve: Callable[[Any], Any]) -> dict[str, str]:
    """Folded symbolic name → name (resolved by `resolve` when it can be) of each `existing` registry of a
    languageVersion 2.0 template."""
    if not isinstance(declared, Mapping):
        return {}
    return {
        str(symbol).casefold(): str(resolve(get(resource, "name")))
        for symbol, resource in declared.items()
        if get(resource, "existing") is True and str(get(resource, "type")).casefold() == REGISTRY
    }


def name_parent(resource: Mapping[str, Any], existing: Mapping[str, str]) -> Mapping[str, Any]:
    """The child with its parent registry named in `parentResource`, when only the template's text names it."""
    name = get(resource, "name")
    named = isinstance(name, str) and "/" in name and not is_expression(name)  # `registry/child`: read as it is
    if str(get(resource, "type")).casefold() not in _CHILD_TYPES or named or get(resource, "parentResource"):
        return resource
    parts = _name_parts(name)
    parent = parts[0] if parts else _parent_in_depends_on(resource, existing)
    if parent is None:
        return resource
    return {**resource, "name": parts[1] if parts else name, "parentResource": f"registries/{parent}"}


def _name_parts(name: Any) -> tuple[str, str] | None:
    """(registry, child) of an unresolved `registry/child` name built by `format('{0}/{1}', ...)` or `concat`."""
    call = _call(name[1:-1]) if is_expression(name) else None
    if call is None:
        return None
    function, args = call
    if function == "format" and len(args) == 3 and args[0].replace(" ", "") in _PARENT_CHILD_FORMATS:
        return _as_name(args[1]), _as_name(args[2])
    if function == "concat" and len(args) == 3 and args[1] == "'/'":
        return _as_name(args[0]), _as_name(args[2])
    if function == "concat" and len(args) == 2 and args[1].startswith("'/"):
        return _as_name(args[0]), _as_name("'" + args[1][2:])
    return None


def _parent_in_depends_on(resource: Mapping[str, Any], existing: Mapping[str, str]) -> str | None:
    """The one registry the child's dependsOn names, if exactly one."""
    found: set[str] = set()
    entries = get(resource, "dependsOn")
    for entry in entries if isinstance(entries, list) else []:
        text = str(entry)
        if text.casefold() in existing:
            found.add(existing[text.casefold()])
        elif (named := _registry_in_resource_id(text)) is not None:
            found.add(named)
    return found.pop() if len(found) == 1 else None


def _registry_in_resource_id(text: str) -> str | None:
    """`Microsoft.ContainerRegistry/registries/NAME` (a resolved resourceId) or the name argument of an
    unresolved `resourceId('Microsoft.ContainerRegistry/registries', NAME)`."""
    if not is_expression(text):
        marker = text.casefold().find("microsoft.containerregistry/registries/")
        rest = text[marker + len("microsoft.containerregistry/registries/") :].strip("/") if marker >= 0 else ""
        return rest.split("/", 1)[0] or None
    call = _call(text[1:-1])
    if call is None or call[0] != "resourceid":
        return None
    args = call[1]
    # The name argument after the type: the registry's, also for a child type (`…/registries/replications`).
    position = next((i for i, a in enumerate(args) if _is_registry_type(a)), len(args))
    return _as_name(args[position + 1]) if position + 1 < len(args) else None


def _is_registry_type(argument: str) -> bool:
    folded = argument.strip("'").strip("/").casefold()
    return folded == REGISTRY or folded.startswith(REGISTRY + "/")


def _call(text: str) -> tuple[str, list[str]] | None:
    """`f(a, g(b, c), 'd')` → ("f", ["a", "g(b, c)", "'d'"]): the top-level arguments of one call, as text."""
    match = _CALL.match(text)
    if match is None:
        return None
    args, current, depth, quoted = [], "", 0, False
    for char in match.group(2):
        if char == "'":
            quoted = not quoted  # an escaped '' toggles twice
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            args.append(current.strip())
            current = ""
            continue
        current += char
    return match.group(1).casefold(), [*args, current.strip()]


def _as_name(argument: str) -> str:
    """A literal argument as its text (`'westus'` → westus); any other expression kept bracketed."""
    inner = argument[1:-1]
    literal = len(argument) >= 2 and argument[0] == argument[-1] == "'" and "'" not in inner.replace("''", "")
    return inner.replace("''", "'") if literal else f"[{argument}]"
