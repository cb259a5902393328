"""Reading a job's arguments back: JSON values that crossed a broker, checked before any work starts."""

from __future__ import annotations

from collections.abc import Mapping

from regwarden.model.errors import BadInputError


def text(args: Mapping[str, object], name: str) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value:
        raise BadInputError(f"job argument {name!r}: expected text, got {value!r}")
    return value


def optional_text(args: Mapping[str, object], name: str) -> str | None:
    value = args.get(name)
    return None if value is None else text(args, name)


def flag(args: Mapping[str, object], name: str, default: bool = False) -> bool:
    value = args.get(name, default)
    if not isinstance(value, bool):
        raise BadInputError(f"job argument {name!r}: expected true or false, got {value!r}")
    return value


def texts(args: Mapping[str, object], name: str) -> list[str]:
    value = args.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise BadInputError(f"job argument {name!r}: expected a list of text, got {value!r}")
    return list(value)
