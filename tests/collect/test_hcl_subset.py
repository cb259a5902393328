"""The fast HCL reader returns exactly what python-hcl2 returns, or gives up (Unsupported) on the whole file.

Parity is checked against python-hcl2 itself on every Terraform file in the test data, and on small snippets
whose python-hcl2 result is also written out here so a reader can see the serialization being matched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from regwarden.collect.hcl_subset import Unsupported, parse_subset
from regwarden.collect.terraform_hcl import registries_from_terraform_source

TESTS = Path(__file__).resolve().parents[1]
TERRAFORM_FILES = sorted(
    path
    for folder in ("collect", "posture")
    for pattern in ("*.tf", "*.tfvars")
    for path in (TESTS / folder).rglob(pattern)
)
OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)


def reference(text: str) -> dict[str, Any]:
    return dict(hcl2.loads(text, serialization_options=OPTIONS))


def same(left: Any, right: Any) -> bool:
    """Equal including key order (python-hcl2's order is what the Terraform adapter walks)."""
    return json.dumps(left) == json.dumps(right)


@pytest.mark.parametrize("path", TERRAFORM_FILES, ids=lambda p: str(p.relative_to(TESTS)))
def test_every_test_file_reads_as_python_hcl2_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        mine = parse_subset(text)
    except Unsupported:
        return  # handed to python-hcl2 by the adapter; the set below keeps this from being the norm
    assert same(mine, reference(text)), path


def test_most_test_files_take_the_fast_path() -> None:
    """The files given up on are exactly those using functions, operators, heredocs, directives or errors."""
    gave_up = set()
    for path in TERRAFORM_FILES:
        try:
            parse_subset(path.read_text(encoding="utf-8"))
        except Unsupported:
            gave_up.add(str(path.relative_to(TESTS)))
    assert gave_up == {
        "collect/testdata/terraform/bad-hcl/main.tf",
        "collect/testdata/terraform/hcl/access.tf",
        "collect/testdata/terraform/hcl/main.tf",
        "collect/testdata/terraform/hcl/variables.tf",
        "posture/cases/RW-ACR-022/pass-terraform-weekly-purge-task.tf",
        "posture/cases/RW-ACR-032/pass-terraform-activity-and-log-alerts.tf",
    }


SNIPPETS: list[tuple[str, dict[str, Any]]] = [
    ('a = "x\\ny\\"z"', {"a": '"x\\ny\\"z"'}),
    ('a = "${var.x}/scopeMaps/_p"', {"a": '"${var.x}/scopeMaps/_p"'}),
    ("a = -1\nb = 007\nc = true\nd = null", {"a": -1, "b": 7, "c": True, "d": None}),
    ("a = tags\nb = var.x\nc = b.0", {"a": "tags", "b": "${var.x}", "c": "${b.0}"}),
    ('a = [1, "b",\n  c.d, # note\n]', {"a": [1, '"b"', "${c.d}"]}),
    ('a = { b = 1, "c" = 2 }\nd = {\n  e = [1]\n}', {"a": {"b": 1, '"c"': 2}, "d": {"e": [1]}}),
    ("b {\n}\nb {\n  x = 1\n}", {"b": [{"__is_block__": True}, {"x": 1, "__is_block__": True}]}),
    (
        'x "l1" "l2" {\n  a = 1 /* why */\n}\nx l1 { a = 2 }',
        {"x": [{'"l1"': {'"l2"': {"a": 1, "__is_block__": True}}}, {"l1": {"a": 2, "__is_block__": True}}]},
    ),
    ("", {}),
    ('r "t" {\r\n  a = "x"\r\n}\r\n', {"r": [{'"t"': {"a": '"x"', "__is_block__": True}}]}),
    ('a = "${azurerm_x.my-name.id}/x"', {"a": '"${azurerm_x.my-name.id}/x"'}),
]


@pytest.mark.parametrize(("text", "expected"), SNIPPETS)
def test_snippets_match_python_hcl2(text: str, expected: dict[str, Any]) -> None:
    assert same(reference(text), expected)  # the serialization being matched, written out
    assert same(parse_subset(text), expected)


UNSUPPORTED = [
    "a = foo(1)",
    "a = var.x[0]",
    "a = 1.5",
    "a = 1e3",
    "a = -b",
    "a = true ? 1 : 2",
    'a = "%{if x}y%{endif}"',
    'a = "${ var.x }"',
    'a = "${foo(1)}"',
    'a = "$${x}"',
    "a = <<EOT\nhello\nEOT\n",
    "a = 1\na = 2",
    'a = "x" b = 2',
    "a = 1 /* spans\nlines */",
    "resource {",
    "a = [1 2]",
    "é = 1",
    "true = 1",
]


@pytest.mark.parametrize("text", UNSUPPORTED)
def test_anything_else_is_handed_to_python_hcl2(text: str) -> None:
    with pytest.raises(Unsupported):
        parse_subset(text)


def test_a_directory_mixing_both_paths_reads_as_before(tmp_path: Path) -> None:
    """One file the fast reader takes, one it gives up on (a function call): both feed the same registry."""
    (tmp_path / "registry.tf").write_text(
        'resource "azurerm_container_registry" "acr" {\n'
        '  name                = "acrmixed01"\n'
        '  resource_group_name = "rg"\n'
        '  location            = "westeurope"\n'
        '  sku                 = "Premium"\n'
        "  admin_enabled       = false\n"
        "}\n"
    )
    (tmp_path / "tokens.tf").write_text(
        'resource "azurerm_container_registry_scope_map" "pull" {\n'
        '  name                    = lower("APP-PULL")\n'
        "  container_registry_name = azurerm_container_registry.acr.name\n"
        '  resource_group_name     = "rg"\n'
        '  actions                 = ["repositories/app/content/read"]\n'
        "}\n"
    )
    with pytest.raises(Unsupported):
        parse_subset((tmp_path / "tokens.tf").read_text())
    (registry,) = registries_from_terraform_source(tmp_path)
    assert registry.name == "acrmixed01"
    assert registry.admin_user_enabled.value is False
    assert registry.scope_maps.value is not None
    assert [m.actions.value for m in registry.scope_maps.value] == [("repositories/app/content/read",)]
