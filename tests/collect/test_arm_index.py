"""The ARM inventory's indexes give exactly the answers of comparing every resource with every registry.

The reference below is that pairwise comparison, written with the same exact rules (`_belongs`,
`scope_covers`) the inventory applies to its candidates; the input mixes every way a child or an extension
resource can name its registry, including look-alikes that must not match.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from regwarden.collect.azure.index import prefixes
from regwarden.collect.azure.inventory import CHILD, REGISTRY, Inventory, _belongs
from regwarden.collect.azure.keys import get
from regwarden.collect.azure.related import scope_of
from regwarden.collect.coerce import to_str
from regwarden.model.arm_id import scope_covers

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
OTHER_SUB = "/subscriptions/00000000-0000-0000-0000-000000000002"
ACR = "providers/Microsoft.ContainerRegistry/registries"
ROLE = "Microsoft.Authorization/roleAssignments"
TOKENS = CHILD + "tokens"


def registry(group: str, name: str, subscription: str = SUB, **nested: Any) -> dict[str, Any]:
    rid = f"{subscription}/resourceGroups/{group}/{ACR}/{name}"
    return {"id": rid, "name": name, "type": "Microsoft.ContainerRegistry/registries", **nested}


def token(**fields: Any) -> dict[str, Any]:
    return {"type": "Microsoft.ContainerRegistry/registries/tokens", **fields}


def assignment(scope: str | None, name: str, *, by_id: bool = False) -> dict[str, Any]:
    if by_id:
        return {"id": f"{scope}/providers/{ROLE}/{name}", "name": name, "type": ROLE, "properties": {}}
    properties = {} if scope is None else {"scope": scope}
    return {"id": f"/providers/{ROLE}/{name}", "name": name, "type": ROLE, "properties": properties}


def mixed_input() -> list[dict[str, Any]]:
    app = f"{SUB}/resourceGroups/rg-app/{ACR}/app"
    return [
        registry("rg-app", "app", tokens=[{"name": "nested"}]),
        registry("rg-app", "app2"),  # a name that extends another registry's name
        registry("RG-OPS", "ops"),
        registry("rg-app", "app", subscription=OTHER_SUB),  # same name, other subscription
        token(id=f"{app}/tokens/by-id"),
        token(id=f"{app.upper()}/tokens/by-id-upper-case"),
        token(id=f"{app}2/tokens/of-app2"),
        token(name="ops/by-name"),
        token(name="APP/by-name-upper-case"),
        token(name="loose"),  # no id, name or scope: belongs nowhere when there are several registries
        token(name="scoped", properties={"scope": f"{SUB}/resourceGroups/RG-OPS/{ACR}/OPS"}),
        assignment(SUB, "at-subscription"),
        assignment(f"{SUB}/resourceGroups/rg-app", "at-app-group"),
        assignment(f"{SUB}/resourcegroups/rg-ops/", "at-ops-group-lower-case-trailing-slash"),
        assignment(app, "at-app"),
        assignment(app, "at-app-by-id", by_id=True),
        assignment(f"{app}2", "at-app2"),
        assignment(OTHER_SUB, "at-other-subscription"),
        assignment("/providers/Microsoft.Management/managementGroups/root", "at-management-group"),
        assignment("/", "at-root"),
        assignment(None, "no-scope-known"),
        assignment("Microsoft.ContainerRegistry/registries/ops", "template-relative"),
        assignment("[parameters('scope')]", "unresolved-expression"),
    ]


def names(resources: list[Mapping[str, Any]]) -> list[str]:
    return [to_str(get(r, "name")) or str(r["id"]).rsplit("/", 1)[-1] for r in resources]


EMPTY_ID = {"id": "", "name": "no-id", "type": "Microsoft.ContainerRegistry/registries"}


@pytest.mark.parametrize(
    "resources", [mixed_input(), mixed_input()[:1] + mixed_input()[4:], [EMPTY_ID, *mixed_input()[4:]]]
)
def test_indexes_agree_with_comparing_every_pair(resources: list[dict[str, Any]]) -> None:
    inventory = Inventory.of(resources, "test", {})
    single = len(inventory.registries()) == 1
    for body in inventory.registries():
        rid, name = str(body["id"]), str(body["name"])
        expected_children = [i.body for i in inventory.items if i.kind == TOKENS and _belongs(i, rid, name, single)]
        expected_covering = [r for r in inventory.all_of(ROLE.casefold()) if scope_covers(scope_of(r, ROLE), rid, name)]
        assert names(inventory.children_of(TOKENS, rid, name)) == names(expected_children)
        assert names(inventory.covering(ROLE.casefold(), ROLE, rid, name)) == names(expected_covering)


def test_what_the_first_registry_sees() -> None:
    """The agreement above is not vacuous: the lists are the expected, non-trivial ones."""
    inventory = Inventory.of(mixed_input(), "test", {})
    app = f"{SUB}/resourceGroups/rg-app/{ACR}/app"
    assert names(inventory.children_of(TOKENS, app, "app")) == [
        "nested",
        "by-id",
        "by-id-upper-case",
        "APP/by-name-upper-case",
    ]
    assert names(inventory.covering(ROLE.casefold(), ROLE, app, "app")) == [
        "at-subscription",
        "at-app-group",
        "at-app",
        "at-app-by-id",
        "at-management-group",
        "at-root",
        "no-scope-known",
    ]
    ops = f"{SUB}/resourceGroups/RG-OPS/{ACR}/ops"
    assert names(inventory.children_of(TOKENS, ops, "ops")) == ["ops/by-name", "scoped"]
    assert "at-ops-group-lower-case-trailing-slash" in names(inventory.covering(ROLE.casefold(), ROLE, ops, "ops"))


def test_a_synthetic_registry_id_is_covered_by_relative_and_unknown_scopes() -> None:
    resources = [
        {"name": "tmpl", "type": "Microsoft.ContainerRegistry/registries"},
        assignment("Microsoft.ContainerRegistry/registries/tmpl", "relative-to-it"),
        assignment("Microsoft.ContainerRegistry/registries/other", "relative-to-another"),
        assignment("[parameters('scope')]", "unresolved-expression"),
        assignment(f"{SUB}/resourceGroups/rg", "absolute"),
    ]
    inventory = Inventory.of(resources, "template", {})
    assert inventory.registries() == [resources[0]]
    found = names(inventory.covering(ROLE.casefold(), ROLE, "Microsoft.ContainerRegistry/registries/tmpl", "tmpl"))
    assert found == ["relative-to-it", "unresolved-expression", "absolute"]


def test_prefixes_are_the_ancestor_ids() -> None:
    assert list(prefixes("/subscriptions/s/resourcegroups/g")) == [
        "",
        "/subscriptions",
        "/subscriptions/s",
        "/subscriptions/s/resourcegroups",
    ]
    assert list(prefixes("plain")) == []
    assert REGISTRY == "microsoft.containerregistry/registries"
