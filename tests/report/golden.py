"""Golden-file comparison: output must match the file under tests/report/golden/ byte for byte.

Regenerate after an intended change with `REGWARDEN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/report`, then
review the diff of the golden files like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_golden(name: str, actual: bytes) -> None:
    path = GOLDEN_DIR / name
    if os.environ.get("REGWARDEN_UPDATE_GOLDEN") == "1":
        path.write_bytes(actual)
    assert path.exists(), f"no golden file {path}; run with REGWARDEN_UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_bytes(), f"output differs from {path}; REGWARDEN_UPDATE_GOLDEN=1 regenerates it"
