"""What every SARIF 2.1.0 output of regwarden shares: the log envelope and how severities map to levels and to
GitHub's `security-severity` scores."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from regwarden import __version__
from regwarden.model.finding import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

LEVEL: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub buckets security-severity as critical (>= 9.0), high (>= 7.0), medium (>= 4.0), low (> 0), none (0).
BAND_SCORE: Mapping[Severity, float] = {
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 3.0,
    Severity.INFO: 0.0,
}


def render_sarif_log(
    rules: Sequence[Mapping[str, Any]],
    results: Sequence[Mapping[str, Any]],
    *,
    properties: Mapping[str, Any] | None = None,
) -> bytes:
    """One run of regwarden with its rules and results, as SARIF 2.1.0 JSON."""
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "regwarden",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": list(rules),
            }
        },
        "results": list(results),
    }
    if properties is not None:
        run["properties"] = dict(properties)
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode() + b"\n"
