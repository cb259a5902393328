"""`lock` / `unlock` results: each tag and manifest changed, with the attributes ACR reported afterwards."""

from __future__ import annotations

import json

from regwarden.model.locks import LockReport


def render_lock_json(report: LockReport) -> bytes:
    document = {
        "registry": report.registry,
        "action": report.action,
        "attributes": list(report.attributes),
        "targets": [
            {
                "kind": target.kind,
                "repository": target.repository,
                "name": target.name,
                "deleteEnabled": target.delete_enabled,
                "writeEnabled": target.write_enabled,
            }
            for target in report.targets
        ],
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def render_lock_table(report: LockReport) -> bytes:
    done = "locked" if report.action == "lock" else "unlocked"
    lines = [f"{report.registry}: {done} ({', '.join(report.attributes)})"]
    for target in report.targets:
        separator = ":" if target.kind == "tag" else "@"
        state = f"deleteEnabled={_flag(target.delete_enabled)} writeEnabled={_flag(target.write_enabled)}"
        lines.append(f"  {target.kind:<8} {target.repository}{separator}{target.name}  {state}")
    return ("\n".join(lines) + "\n").encode()


def _flag(value: bool | None) -> str:
    return "?" if value is None else str(value).lower()
