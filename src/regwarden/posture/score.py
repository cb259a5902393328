"""A registry's posture score: the severity-weighted share of evaluated rules that pass.

score = 100 × Σ weight(PASS) / Σ weight(PASS or unsuppressed FAIL), with weights critical 10, high 5, medium 3,
low 1, info 0.5. UNKNOWN and SKIPPED results are not evaluated and count for neither side (a value that could
not be read must not raise or lower the score); a suppressed FAIL is an accepted risk, shown apart, and counts
for neither side either. None when nothing was evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable

WEIGHTS = {"critical": 10.0, "high": 5.0, "medium": 3.0, "low": 1.0, "info": 0.5}


def posture_score(results: Iterable[tuple[str, str, bool]]) -> float | None:
    """`results`: (severity, status, suppressed) per rule; the score rounded to one decimal."""
    passed = evaluated = 0.0
    for severity, status, suppressed in results:
        weight = WEIGHTS.get(severity.lower(), 1.0)
        if status == "PASS":
            passed += weight
            evaluated += weight
        elif status == "FAIL" and not suppressed:
            evaluated += weight
    return None if evaluated == 0 else round(100.0 * passed / evaluated, 1)
