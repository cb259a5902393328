"""OpenVEX documents (https://github.com/openvex/spec) → VexStatement.

Reads both spellings in use: v0.2.0 (`vulnerability` and `products` are objects, subcomponents nest in the
product) and the earlier v0.0.x drafts (`vulnerability` is a string, `products` and `subcomponents` are lists of
strings). A statement that could suppress a finding must be complete: `not_affected` without a justification or
an impact statement is rejected, as the spec requires, rather than silently suppressing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from regwarden.model.errors import BadInputError
from regwarden.model.vex import VexProduct, VexStatement, VexStatus

CONTEXT_PREFIX = "https://openvex.dev/ns"
JUSTIFICATIONS = frozenset(
    {
        "component_not_present",
        "vulnerable_code_not_present",
        "vulnerable_code_not_in_execute_path",
        "vulnerable_code_cannot_be_controlled_by_adversary",
        "inline_mitigations_already_exist",
    }
)


class VexFormatError(BadInputError):
    """An OpenVEX document or statement violates the spec."""


def read_openvex_file(path: Path) -> list[VexStatement]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VexFormatError(f"cannot read OpenVEX file {path}: {error}") from error
    return parse_openvex(document, origin=str(path))


def parse_openvex(document: Any, origin: str = "") -> list[VexStatement]:
    if not isinstance(document, Mapping):
        raise VexFormatError(f"{origin}: an OpenVEX document is a JSON object")
    context = document.get("@context")
    if not isinstance(context, str) or not context.startswith(CONTEXT_PREFIX):
        raise VexFormatError(f"{origin}: not an OpenVEX document (@context must start with {CONTEXT_PREFIX})")
    statements = document.get("statements")
    if not isinstance(statements, list):
        raise VexFormatError(f"{origin}: OpenVEX document has no `statements` list")
    doc_id = document.get("@id")
    where = f"{origin} ({doc_id})" if isinstance(doc_id, str) else origin
    doc_time = _optional_text(document, "timestamp", where)
    return [_statement(item, f"{where} statement {n}", doc_time) for n, item in enumerate(statements)]


def _statement(item: Any, where: str, doc_time: str | None) -> VexStatement:
    if not isinstance(item, Mapping):
        raise VexFormatError(f"{where}: a statement is a JSON object")
    name, aliases = _vulnerability(item.get("vulnerability"), where)
    status = _status(item.get("status"), where)
    justification = _optional_text(item, "justification", where)
    impact = _optional_text(item, "impact_statement", where)
    if justification is not None and justification not in JUSTIFICATIONS:
        raise VexFormatError(f"{where}: unknown justification {justification!r}")
    if status is VexStatus.NOT_AFFECTED and justification is None and impact is None:
        raise VexFormatError(f"{where}: not_affected needs a justification or an impact_statement")
    return VexStatement(
        vulnerability=name,
        aliases=aliases,
        products=_products(item, where),
        status=status,
        justification=justification,
        impact_statement=impact,
        action_statement=_optional_text(item, "action_statement", where),
        status_notes=_optional_text(item, "status_notes", where),
        timestamp=_optional_text(item, "timestamp", where) or doc_time,
        origin=where,
    )


def _vulnerability(value: Any, where: str) -> tuple[str, tuple[str, ...]]:
    if isinstance(value, str) and value:
        return value, ()
    if isinstance(value, Mapping):
        name = value.get("name")
        aliases = value.get("aliases", [])
        if isinstance(name, str) and name and _is_text_list(aliases):
            return name, tuple(aliases)
    raise VexFormatError(f"{where}: `vulnerability` needs a name (and aliases as a list of strings)")


def _status(value: Any, where: str) -> VexStatus:
    try:
        return VexStatus(value)
    except ValueError:
        allowed = ", ".join(s.value for s in VexStatus)
        raise VexFormatError(f"{where}: status {value!r} is not one of {allowed}") from None


def _products(item: Mapping[str, Any], where: str) -> tuple[VexProduct, ...]:
    products = item.get("products")
    if not isinstance(products, list) or not products:
        raise VexFormatError(f"{where}: `products` must be a non-empty list")
    # v0.0.x put subcomponents beside the products; they then apply to every product of the statement.
    shared = tuple(_component_ids(item.get("subcomponents", []), where))
    result = []
    for product in products:
        if isinstance(product, str):
            result.append(VexProduct(_as_purl(product), shared))
        elif isinstance(product, Mapping):
            nested = tuple(_component_ids(product.get("subcomponents", []), where))
            result.append(VexProduct(_product_purl(product), nested or shared))
        else:
            raise VexFormatError(f"{where}: a product is a string or an object")
    return tuple(result)


def _product_purl(product: Mapping[str, Any]) -> str | None:
    identifiers = product.get("identifiers")
    if isinstance(identifiers, Mapping) and isinstance(identifiers.get("purl"), str):
        return str(identifiers["purl"])
    product_id = product.get("@id")
    return _as_purl(product_id) if isinstance(product_id, str) else None


def _component_ids(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise VexFormatError(f"{where}: `subcomponents` must be a list")
    ids = []
    for component in value:
        purl = _product_purl(component) if isinstance(component, Mapping) else None
        if isinstance(component, str):
            purl = _as_purl(component)
        if purl is not None:
            ids.append(purl)
    return ids


def _as_purl(identifier: str) -> str | None:
    """Only purls are matched against packages; other IRIs (CPEs, URLs) name products we cannot identify."""
    return identifier if identifier.startswith("pkg:") else None


def _optional_text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise VexFormatError(f"{where}: `{key}` must be a string")
    return value


def _is_text_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and all(isinstance(v, str) for v in value)
