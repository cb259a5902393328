"""The demo's vulnerability steps on the bundled data: import the snapshot, scan 1.0, diff 1.0 -> 1.1, scan 1.1.

The expected findings are those listed in samples/README.md; they follow from the records in samples/advisories
and the package versions of the two sample images, so any change to either shows up here first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.cli_support import invoke
from tests.samples.snapshot import ADVISORIES, DEMO_1_0, DEMO_1_1

FINDINGS_1_0 = {
    ("urllib3", "CVE-2018-25091"),
    ("urllib3", "CVE-2019-11236"),
    ("urllib3", "CVE-2019-11324"),
    ("urllib3", "CVE-2020-26137"),
    ("urllib3", "CVE-2021-33503"),
    ("urllib3", "CVE-2023-43804"),
    ("urllib3", "CVE-2023-45803"),
    ("Jinja2", "CVE-2019-10906"),
    ("Jinja2", "CVE-2020-28493"),
    ("Jinja2", "CVE-2024-22195"),
    ("lodash", "CVE-2020-8203"),
    ("lodash", "CVE-2020-28500"),
    ("lodash", "CVE-2021-23337"),
}
# The shipped records that match 1.0; the other ten (older or newer ranges) must not.
MATCHED_1_0 = {
    "PYSEC-2019-132",
    "PYSEC-2019-133",
    "PYSEC-2020-148",
    "PYSEC-2021-108",
    "PYSEC-2023-192",
    "PYSEC-2023-207",
    "PYSEC-2023-212",
    "PYSEC-2019-217",
    "PYSEC-2021-66",
    "GHSA-g4mx-q9vg-27p4",
    "GHSA-gwvm-45gx-3cf8",
    "GHSA-mh33-7rrq-662w",
    "GHSA-r64q-w8jr-g9qp",
    "GHSA-v845-jxx5-vc9f",
    "GHSA-wqvq-5m8c-6g24",
    "GHSA-462w-v97r-4m45",
    "GHSA-g3rq-g295-4j3m",
    "GHSA-h5c8-rqwp-cp95",
    "GHSA-29mw-wpgm-hmr9",
    "GHSA-35jh-r3h4-6jhm",
    "GHSA-p6mc-m468-83gw",
}
AT_OR_ABOVE_HIGH_1_0 = {
    ("urllib3", "CVE-2021-33503"),  # unrated: PYSEC-2021-108 alone matches and has no severity; counted as critical
    ("urllib3", "CVE-2019-11324"),
    ("urllib3", "CVE-2023-43804"),
    ("Jinja2", "CVE-2019-10906"),
    ("lodash", "CVE-2020-8203"),
    ("lodash", "CVE-2021-23337"),
}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database holding the snapshot, imported exactly as the demo does it."""
    db = str(tmp_path_factory.mktemp("demo-db") / "advisories.db")
    outcome = invoke(["db", "import", str(ADVISORIES), "--db", db])
    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout == f"imported 31 advisories from {ADVISORIES} (PyPI, npm); rejected 0\n"
    return db


@pytest.fixture(autouse=True)
def _no_ignore_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a .regwarden-ignore.yaml in the developer's checkout must not hide findings


def scan(image: Path, database: str, expected_code: int) -> dict[str, Any]:
    outcome = invoke(["scan", f"oci-archive:{image}", "--db", database, "--fail-on", "high", "-o", "json"])
    assert outcome.code == expected_code, outcome.stderr
    document: dict[str, Any] = json.loads(outcome.stdout)
    return document


def findings(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(finding["package"]["name"], finding["id"]) for finding in document["findings"]}


def test_scan_of_1_0_finds_the_documented_vulnerabilities_and_fails_the_gate(database: str) -> None:
    document = scan(DEMO_1_0, database, expected_code=1)
    assert findings(document) == FINDINGS_1_0
    assert {e["advisory_id"] for f in document["findings"] for e in f["evidence"]} == MATCHED_1_0
    high = {(f["package"]["name"], f["id"]) for f in document["findings"] if f["severity"] in {"high", "critical"}}
    assert high == AT_OR_ABOVE_HIGH_1_0
    assert document["gate"] == {"fail_on": "high", "failed": True}


def test_scan_of_1_0_says_the_debian_packages_were_not_checked(database: str) -> None:
    warnings = scan(DEMO_1_0, database, expected_code=1)["warnings"]
    assert any("no Debian advisories: 2 Debian package name(s) were not checked" in w for w in warnings), warnings


def test_scan_of_1_1_shows_what_the_upgrade_fixed(database: str) -> None:
    document = scan(DEMO_1_1, database, expected_code=0)
    assert findings(document) == set()
    assert document["gate"] == {"fail_on": "high", "failed": False}


def test_diff_of_the_two_builds_is_the_documented_upgrade() -> None:
    outcome = invoke(["diff", f"oci-archive:{DEMO_1_0}", f"oci-archive:{DEMO_1_1}", "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    changes = {
        (c["kind"], c["type"], c["name"], tuple(c["before"]), tuple(c["after"]), c["layer_after"]["index"])
        for c in json.loads(outcome.stdout)["changes"]
    }
    assert changes == {
        ("changed", "pypi", "urllib3", ("1.24.1",), ("1.26.20",), 1),
        ("changed", "pypi", "Jinja2", ("2.10",), ("3.1.3",), 1),
        ("changed", "npm", "lodash", ("4.17.15",), ("4.17.21",), 1),
        ("added", "pypi", "idna", (), ("3.10",), 1),
    }
