"""Which principals hold which ACR capabilities, from the role assignments that cover a registry."""

from __future__ import annotations

from regwarden.model.registry import Registry, RoleAssignment
from regwarden.posture.checks import text

ABAC_MODE = "abacrepositorypermissions"

_PUSH = {"acrpush", "contributor", "owner"}
_ABAC_PUSH = {"container registry repository writer", "container registry repository contributor"}
_DELETE = {"acrdelete", "contributor", "owner"}
_ABAC_DELETE = {"container registry repository contributor"}
_PULL = {"acrpull"}
_ABAC_PULL = {"container registry repository reader"}


def _abac(registry: Registry) -> bool:
    mode = registry.role_based_access_mode
    return mode is not None and text(mode) == ABAC_MODE


def _holding(registry: Registry, names: set[str], abac_names: set[str]) -> list[RoleAssignment]:
    # Repository-permission roles only grant anything when the registry is in ABAC mode.
    wanted = names | abac_names if _abac(registry) else names
    assignments = registry.role_assignments.value or ()
    return [a for a in assignments if a.role_name is not None and a.role_name.casefold() in wanted]


def push_holders(registry: Registry) -> list[RoleAssignment]:
    return _holding(registry, _PUSH, _ABAC_PUSH)


def delete_holders(registry: Registry) -> list[RoleAssignment]:
    return _holding(registry, _DELETE, _ABAC_DELETE)


def pull_holders(registry: Registry) -> list[RoleAssignment]:
    return _holding(registry, _PULL, _ABAC_PULL)


def describe(assignment: RoleAssignment) -> str:
    kind = assignment.principal_type.value or "unknown type"
    scope = assignment.scope or "an unknown scope"
    return f"{assignment.principal_id} ({kind}) holds {assignment.role_name} at {scope}"


def unresolved(assignment: RoleAssignment) -> bool:
    """The principal id is an unresolved expression/variable or missing: who holds the role is not known."""
    principal = assignment.principal_id
    return principal in ("", "?") or principal.startswith(("[", "${", "var."))
