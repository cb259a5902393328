"""ARM resource ids and scopes as text: how two ids are compared, the parts read from them, and scope inheritance.

ARM compares ids case-insensitively and a trailing slash does not name another resource, so every comparison of
ids goes through `fold_id`. Pure string functions, shared by the ARM and Terraform adapters and by the rules.
"""

from __future__ import annotations

_SUBSCRIPTIONS = "/subscriptions/"
_MANAGEMENT_GROUPS = "microsoft.management/managementgroups"

BUILT_IN_ROLES = {
    "8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "c2f4ef07-c644-48eb-af81-4b1b4947fb11": "AcrDelete",
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "2a1e307c-b015-4ebd-883e-5b7698a07328": "Container Registry Repository Writer",
    "b93aa761-3e63-49ed-ac28-beffa264f7ac": "Container Registry Repository Reader",
    "2efddaa5-3f1f-4df3-97df-af3f13818f4c": "Container Registry Repository Contributor",
    "bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7": "Container Registry Repository Catalog Lister",
}
"""Built-in role definition GUIDs (the last segment of a roleDefinitionId, the same in every tenant) → names."""


def fold_id(resource_id: str) -> str:
    """The form in which two ARM ids (or scopes) are compared: case-folded, without a trailing slash."""
    return resource_id.casefold().rstrip("/")


def last_segment(text: str) -> str:
    """The last `/` segment: a child's own name in `registry/child`, a role GUID in a role definition id."""
    return text.rstrip("/").rsplit("/", 1)[-1]


def id_part(resource_id: str | None, segment: str) -> str | None:
    """The name after `segment` (e.g. `resourcegroups`, matched case-insensitively) in an ARM id."""
    parts = (resource_id or "").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.casefold() == segment.casefold():
            return parts[index + 1]
    return None


def is_expression(raw: object) -> bool:
    """An ARM template expression left unresolved: `[...]` (not a `[[` escape)."""
    return isinstance(raw, str) and raw.startswith("[") and raw.endswith("]") and not raw.startswith("[[")


def scope_covers(scope: str | None, registry_id: str, registry_name: str) -> bool:
    """Whether an assignment/lock/alert at `scope` applies to the registry (RBAC inheritance is by id prefix).

    Unknown scopes and management-group scopes are taken to cover the registry: the input is assumed to hold
    only what was collected for it (we cannot see the management-group hierarchy). A template's relative scope
    (`Microsoft.ContainerRegistry/registries/x`) is matched by the registry name.
    """
    if not scope or scope == "/":
        return True
    folded = fold_id(scope)
    if f"/providers/{_MANAGEMENT_GROUPS}/" in folded or folded.startswith(_MANAGEMENT_GROUPS):
        return True
    if _same_unresolved_name(folded, registry_name):
        return True
    target = fold_id(registry_id)
    if target.startswith(_SUBSCRIPTIONS) and folded.startswith(_SUBSCRIPTIONS):
        return target == folded or target.startswith(folded + "/")
    if "registries/" in folded:
        return last_segment(folded) == registry_name.casefold()
    # A synthetic registry id (template/plan) cannot be placed in a hierarchy, so do not exclude.
    return not target.startswith(_SUBSCRIPTIONS)


def _same_unresolved_name(folded_scope: str, registry_name: str) -> bool:
    """Whether an unresolved template scope names a registry whose own name is unresolved, by the same text.

    Bicep compiles `scope: registry` to `[format('Microsoft.ContainerRegistry/registries/{0}', parameters('name'))]`
    while the registry's name stays `[parameters('name')]` when that parameter has no static value.
    """
    if not (is_expression(folded_scope) and is_expression(registry_name)):
        return False
    return registry_name[1:-1].strip().casefold() in folded_scope
