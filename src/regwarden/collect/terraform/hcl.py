"""Terraform source (`.tf` file, or a directory of them) → `Registry` objects, parsed with python-hcl2.

Variables take their value from `*.tfvars` / `*.tfvars.json` files in the directory (`terraform.tfvars` first,
then the others in name order, later ones winning), else from their `default`; a variable with neither stays
UNRESOLVED, as does anything the small evaluator (terraform/expressions.py) does not evaluate. `dynamic` blocks
are expanded when their `for_each` is known (terraform/dynamic_blocks.py), else UNRESOLVED; resources inside
modules are not read (module calls are ignored). A resource with a literal `count = 0` is not created and is
left out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from regwarden.collect.terraform import dynamic_blocks
from regwarden.collect.terraform.common import TfResource, Unknown
from regwarden.collect.terraform.expressions import BLOCK_MARKER, Evaluator
from regwarden.collect.terraform.mapping import registries_from_tf_resources
from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.errors import BadInputError
from regwarden.model.registry import Registry

_META_ARGUMENTS = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"})


def registries_from_terraform_source(path: Path) -> list[Registry]:
    """Every `azurerm_container_registry` declared in `path` (a `.tf` file or a directory of `.tf` files)."""
    with cyclic_gc_paused():  # parsing builds hundreds of thousands of short-lived, acyclic objects
        return _from_source(path)


def _from_source(path: Path) -> list[Registry]:
    files = sorted(path.glob("*.tf")) if path.is_dir() else [path]
    if not files:
        raise BadInputError(f"{path}: no .tf files")
    documents = [parse_file(file) for file in files]
    folder = path if path.is_dir() else path.parent
    raw_resources: dict[str, tuple[str, Mapping[str, Any], str]] = {}
    for file, document in zip(files, documents, strict=True):
        raw_resources.update(_resources(document, str(file)))
    evaluator = Evaluator({}, _locals(documents), {k: body for k, (_, body, _) in raw_resources.items()})
    evaluator.variables = _variables(documents, _tfvars(folder), evaluator)
    resources = [_resource(address, *declared, evaluator) for address, declared in raw_resources.items()]
    return registries_from_tf_resources([r for r in resources if r is not None], str(path))


def parse_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read: {exc}") from None
    return _parse_with_hcl2(path, text)


def _parse_with_hcl2(path: Path, text: str) -> Mapping[str, Any]:
    # Imported here: python-hcl2 and lark take a tenth of a second to import, and only .tf inputs need them.
    import hcl2
    import lark
    from hcl2.utils import SerializationOptions

    options = SerializationOptions(with_comments=False, preserve_heredocs=False)
    try:
        return hcl2.loads(text, serialization_options=options)
    except lark.exceptions.UnexpectedInput as exc:
        raise BadInputError(f"{path}:{exc.line}:{exc.column}: HCL syntax error") from None
    except (lark.exceptions.LarkError, ValueError, TypeError) as exc:
        raise BadInputError(f"{path}: cannot parse HCL: {exc}") from None


def _unquote(label: str) -> str:
    return label[1:-1] if len(label) >= 2 and label.startswith('"') and label.endswith('"') else label


def _labelled(documents: list[Mapping[str, Any]], block: str) -> list[tuple[str, Any]]:
    """(label, body) of every `block "label" {...}` in every file."""
    found: list[tuple[str, Any]] = []
    for document in documents:
        for entry in document.get(block, []) or []:
            for label, body in entry.items() if isinstance(entry, Mapping) else ():
                if label != BLOCK_MARKER:
                    found.append((_unquote(label), body))
    return found


def _resources(document: Mapping[str, Any], file: str) -> dict[str, tuple[str, Mapping[str, Any], str]]:
    """Address → (type, body, declaring file) of every resource in one parsed file."""
    found: dict[str, tuple[str, Mapping[str, Any], str]] = {}
    for kind, named in _labelled([document], "resource"):
        for name, body in named.items() if isinstance(named, Mapping) else ():
            if name != BLOCK_MARKER and isinstance(body, Mapping):
                found[f"{kind}.{_unquote(name)}"] = (kind, body, file)
    return found


def _locals(documents: list[Mapping[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for document in documents:
        for block in document.get("locals", []) or []:
            found.update({k: v for k, v in block.items() if k != BLOCK_MARKER})
    return found


def _variables(documents: list[Mapping[str, Any]], tfvars: Mapping[str, Any], evaluator: Evaluator) -> dict[str, Any]:
    # A single .tf file may use variables declared in its siblings: tfvars values count for them too.
    variables: dict[str, Any] = dict(tfvars)
    for name, body in _labelled(documents, "variable"):
        if name in tfvars:
            variables[name] = tfvars[name]
        elif isinstance(body, Mapping) and "default" in body:
            variables[name] = evaluator.resolve(body["default"], set())
        else:
            variables[name] = Unknown(f"var.{name} has no default and no tfvars value")
    return variables


def _tfvars(folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("*.tfvars"), key=lambda p: (p.name != "terraform.tfvars", p.name))
    values: dict[str, Any] = {}
    static = Evaluator({}, {}, {})
    for file in files:
        values.update({k: static.resolve(v, set()) for k, v in parse_file(file).items()})
    for file in sorted(folder.glob("*.tfvars.json")):
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadInputError(f"{file}: cannot read variables: {exc}") from None
        if not isinstance(document, Mapping):
            raise BadInputError(f"{file}: expected a JSON object of variable values")
        values.update(document)
    return values


def _resource(address: str, kind: str, body: Mapping[str, Any], file: str, evaluator: Evaluator) -> TfResource | None:
    if evaluator.resolve(body.get("count"), set()) == 0:
        return None
    values: dict[str, Any] = {}
    references: dict[str, frozenset[str]] = {}
    for key, raw in body.items():
        if key not in _META_ARGUMENTS and key not in (BLOCK_MARKER, "dynamic"):
            refs: set[str] = set()
            values[key] = evaluator.resolve(raw, refs)
            references[key] = frozenset(refs)
    dynamic_refs: set[str] = set()
    for name, blocks in dynamic_blocks.expand(body.get("dynamic"), evaluator, dynamic_refs).items():
        values[name] = dynamic_blocks.merge(values.get(name), blocks)
        references[name] = references.get(name, frozenset()) | dynamic_refs
    return TfResource(address, kind, values, references, frozenset(values), file)
