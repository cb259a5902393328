"""`make demo` end to end: scripts/demo.sh runs offline to completion with this venv's regwarden.

Offline is enforced, not assumed: every proxy variable points at a closed local port and the OSV base URL too, so
any HTTP request regwarden made would fail the demo. HOME, XDG_DATA_HOME and TMPDIR point into the test's own
directory, which shows that the demo neither touches the user's default database nor leaves files behind.

The 30 s budget is checked on the CPU time the demo used, not on the wall clock: on a quiet machine the two agree
(the demo does no I/O waits worth counting), and on a loaded one only the CPU time says what the demo costs.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from tests.samples.snapshot import REPO

DEMO = REPO / "scripts" / "demo.sh"
BUDGET_S = 30.0  # the demo's promise once the venv exists
CLOSED_PORT = "http://127.0.0.1:9"
KEY_LINES = (
    "== Load the bundled advisory snapshot into a demo database",
    "imported 31 advisories from samples/advisories (PyPI, npm); rejected 0",
    "regwarden: gate failed: 6 finding(s) at or above high",
    "The scan gate would have failed a CI run (exit 1): 13 findings, 6 of them counted at or above high.",
    "1 added, 0 removed, 3 changed",
    "gate passed: --fail-on high",
    "The upgrade fixed all 13 findings and the gate passes (exit 0)",
    "The audit gate would have failed a CI run (exit 1): shopacr has high and critical findings.",
    "catalogued sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3: 6 packages, 13 new findings",
    "aks-prod-weu (samples/cluster/aks-prod.json): 11 workload containers, 10 production",
    "imported 2 advisories from samples/advisory-update (PyPI); rejected 0",
    "inventory: 2 new or changed advisories re-matched 4 stored packages: 3 new and 0 resolved findings in 2 images; "
    "production workloads newly affected: 5 (no longer: 0); 5 events",
    "CVE-2024-34064  affects 2 production workload(s), 3 other workload(s), 2 image(s)",
    "Exit 1: production is affected",
    "urllib3@<1.26.19: 1 image(s), 3 running workload(s)",
    "    make serve-demo          # then sign in as demo / regwarden-demo",
    "108 records read (ContainerRegistryLoginEvents 29, ContainerRegistryRepositoryEvents 73, AzureActivity 6)",
    "recorded: 13 new, 0 updated, 0 already known; 13 events raised",
    "Exit 1: a digest that runs in aks-prod-weu was deleted",
    "resource rwLog004 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {",
    "jobs: 0 queued, 0 running, 0 retrying, 1 succeeded, 0 failed (in-process)",
    "1 repositories: 0 manifests to delete, 0 tags to remove, 2 manifests kept, 2 held back (2 running)",
)


def offline_env(home: Path) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith("REGWARDEN_") and "PROXY" not in k.upper()}
    proxies = dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"), CLOSED_PORT)
    (home / "tmp").mkdir()
    return {
        **kept,
        **proxies,
        "REGWARDEN_OSV_URL": CLOSED_PORT,
        "RW": str(Path(sys.executable).parent / "regwarden"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "TMPDIR": str(home / "tmp"),
    }


def test_demo_runs_offline_to_completion_within_its_budget(tmp_path: Path) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(
        ["bash", str(DEMO)],
        env=offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=4 * BUDGET_S,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr
    missing = [line for line in KEY_LINES if line not in completed.stdout + completed.stderr]
    assert missing == []
    assert 0 < cpu_s < BUDGET_S
    assert not (tmp_path / "data").exists()  # the default database was never created
    assert list((tmp_path / "tmp").iterdir()) == []  # the demo database went away with its directory
