"""Writing KQL safely: literals quoted and escaped, durations as KQL timespans, shared query fragments.

Values from the config (identities, CIDR ranges) and the inventory (digests, tags) only ever enter a query
through `string` / `strings`, so no value can end a literal and change the query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

ACTIVITY_NOT_FAILED = '| where ActivityStatusValue !in~ ("Failed", "Failure")'
"""Activity Log records of operations that did not fail (a failed change changed nothing)."""


def string(value: str) -> str:
    """A KQL string literal: double-quoted, backslash and quote escaped, control characters as escapes."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped.replace(chr(9), chr(92) + "t")}"'


def strings(values: Iterable[str]) -> str:
    """`("a", "b")`: a list for `in` / `in~` (an empty list matches nothing)."""
    return "(" + ", ".join(string(v) for v in values) + ")"


def dynamic_strings(values: Iterable[str]) -> str:
    """`dynamic(["a", "b"])`: an array value (for ipv4_is_in_any_range and `let` lists)."""
    return "dynamic([" + ", ".join(string(v) for v in values) + "])"


def timespan(duration: timedelta) -> str:
    """A KQL timespan literal in the largest whole unit: `14d`, `1h`, `10m`, `30s`."""
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 1)}s"


def operations_filter(operations: Iterable[str]) -> str:
    """Activity Log records of these operations (`OperationNameValue`, compared case-insensitively)."""
    return f"| where OperationNameValue in~ {strings(sorted(operations))}"


def request_body_field(*path: str) -> str:
    """The text of a field of the logged ARM request body (`Properties_d.requestbody` holds JSON text)."""
    steps = "".join(f"[{string(step)}]" for step in path)
    return f"tostring(parse_json(tostring(Properties_d.requestbody)){steps})"
