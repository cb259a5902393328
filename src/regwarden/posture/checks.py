"""Small helpers rules share to build Checks with evidence; a value that is not known gives UNKNOWN."""

from __future__ import annotations

from typing import Any

from regwarden.model.finding import Status
from regwarden.model.registry import Registry, Value, ValueSource
from regwarden.posture.rule import Check, Evidence


def evidence(*values: Value[Any]) -> tuple[Evidence, ...]:
    return tuple(Evidence.of(v) for v in values)


def passed(message: str, *values: Value[Any]) -> Check:
    return Check(Status.PASS, message, evidence(*values))


def failed(message: str, *values: Value[Any]) -> Check:
    return Check(Status.FAIL, message, evidence(*values))


def skipped(message: str, *values: Value[Any]) -> Check:
    return Check(Status.SKIPPED, message, evidence(*values))


def unknown_unless_known(*values: Value[Any]) -> Check | None:
    """UNKNOWN naming the first value that is unresolved or unavailable; None when all are known."""
    for value in values:
        if not value.known:
            reason = value.reason or value.source.value
            return Check(Status.UNKNOWN, f"{value.path} is {value.source.value}: {reason}", evidence(*values))
    return None


def sku_unreadable(registry: Registry) -> Check | None:
    """UNKNOWN when the registry's SKU is in the input but cannot be read (malformed, or an expression without a
    value): a rule that depends on the SKU neither passes nor fails on a SKU it cannot read."""
    sku = registry.sku
    if sku.source is not ValueSource.UNRESOLVED:
        return None
    return Check(Status.UNKNOWN, f"the SKU decides this rule and cannot be read: {sku.reason}", evidence(sku))


def text(value: Value[Any]) -> str:
    """The value as folded text for comparisons ("Enabled" == "enabled")."""
    return str(value.value).casefold()


def describe(value: Value[Any]) -> str:
    """`path = value` with `(default)` when the service default applies, for messages."""
    suffix = " (service default)" if value.source is ValueSource.DEFAULT else ""
    return f"{value.path} = {value.value!r}{suffix}"


def region(name: str) -> str:
    """Normalise a region: `West Europe` and `westeurope` are the same region."""
    return name.replace(" ", "").casefold()
