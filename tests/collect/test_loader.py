"""The loader sniffs each file's format and dispatches; malformed input is a clear BadInputError."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regwarden.collect.loader import load_registries
from regwarden.model.errors import BadInputError
from regwarden.model.registry import ValueSource

DATA = Path(__file__).parent / "data"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
PARAMS_SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"


def write(tmp_path: Path, name: str, document: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_single_object_and_list_response() -> None:
    registries = load_registries([DATA / "az_acr_show_basic.json", DATA / "arm_list_premium.json"])
    assert [r.name for r in registries] == ["contosobuild", "contosoprod01", "contosodev01"]
    assert registries[0].origin.endswith("az_acr_show_basic.json")


def test_plain_array(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", [{"name": "one01", "type": "Microsoft.ContainerRegistry/registries"}])
    assert [r.name for r in load_registries([path])] == ["one01"]


def test_bundle_with_unavailable_types(tmp_path: Path) -> None:
    bundle = {
        "resources": [{"name": "one01", "type": "Microsoft.ContainerRegistry/registries"}],
        "unavailable": {"Microsoft.Authorization/locks": "403 Forbidden"},
    }
    (registry,) = load_registries([write(tmp_path, "bundle.json", bundle)])
    assert (registry.locks.source, registry.locks.reason) == (ValueSource.UNAVAILABLE, "403 Forbidden")


def test_template_with_parameters_file(tmp_path: Path) -> None:
    template = {
        "$schema": SCHEMA,
        "parameters": {"name": {"type": "string"}},
        "resources": [{"type": "Microsoft.ContainerRegistry/registries", "name": "[parameters('name')]"}],
    }
    parameters = {"$schema": PARAMS_SCHEMA, "parameters": {"name": {"value": "fromparams01"}}}
    paths = [write(tmp_path, "main.json", template), write(tmp_path, "main.parameters.json", parameters)]
    assert [r.name for r in load_registries(paths)] == ["fromparams01"]


def test_malformed_json_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "name": "x",\n  oops\n}', encoding="utf-8")
    with pytest.raises(BadInputError, match=r"broken\.json: malformed JSON at line 3 column 3"):
        load_registries([path])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        load_registries([tmp_path / "absent.json"])


def test_terraform_json_without_values(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="without planned_values or values"):
        load_registries([write(tmp_path, "plan.json", {"format_version": "1.2"})])


def test_directory_without_tf_files(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match=r"no \.tf files"):
        load_registries([tmp_path])


def test_scalar_document_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="expected a JSON object or array"):
        load_registries([write(tmp_path, "n.json", 42)])


@pytest.mark.parametrize("unavailable", [["Microsoft.Authorization/locks"], {"Microsoft.Authorization/locks": 403}])
def test_bundle_with_malformed_unavailable_is_bad_input(tmp_path: Path, unavailable: object) -> None:
    bundle = {"resources": [{"name": "one01", "type": "Microsoft.ContainerRegistry/registries"}]}
    path = write(tmp_path, "bundle.json", {**bundle, "unavailable": unavailable})
    with pytest.raises(BadInputError, match=r"bundle\.json: 'unavailable' must map resource types to reasons"):
        load_registries([path])
