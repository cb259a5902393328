"""Loose JSON/HCL scalars to typed values, shared by every adapter. A value of the wrong shape is None (the
caller turns that into UNKNOWN with a reason), never a guess."""

from __future__ import annotations

from typing import Any


def to_bool(raw: Any) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.casefold() in ("true", "false"):
        return raw.casefold() == "true"
    return None


def to_str(raw: Any) -> str | None:
    return raw if isinstance(raw, str) else None


def to_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw)
    return None


def to_float(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)
