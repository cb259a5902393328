"""The `db` formats render the results they are given, exactly; ages are relative to the `now` passed in."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from regwarden.model.advisory_database import (
    DatabaseStatus,
    EcosystemStatus,
    EcosystemUpdate,
    ImportReport,
    RejectedRecord,
    RematchReport,
    UpdateReport,
)
from regwarden.model.errors import UnreachableError
from regwarden.report import db_report

NOW = datetime(2024, 7, 10, 12, 0, tzinfo=UTC)
STATUS = DatabaseStatus(
    url="sqlite:////data/vulns.db",
    ecosystems=(
        EcosystemStatus("PyPI", 3, NOW - timedelta(hours=5), "https://osv/PyPI/all.zip"),
        EcosystemStatus("Debian", 2, NOW - timedelta(days=9), None),
        EcosystemStatus("npm", 0, None, None),
    ),
    age=timedelta(days=9),
)
REJECTED = (RejectedRecord("MISSING-MODIFIED", "no `modified` field"),)
UPDATE = UpdateReport(
    updated=(EcosystemUpdate("PyPI", "incremental", 2, REJECTED, "https://osv/PyPI"),),
    failed=(("npm", UnreachableError("https://osv/npm/all.zip: HTTP 503")),),
)
IMPORT = ImportReport("osv-all.zip", 5, REJECTED, ("GHSA-1",), ("PyPI", "npm"))


def test_status_table() -> None:
    assert db_report.render_status_table(STATUS, NOW).splitlines() == [
        "database: sqlite:////data/vulns.db   oldest ecosystem: 9 d",
        "┏━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
        "┃ Ecosystem ┃ Advisories ┃ Last update          ┃ Age   ┃ Source                   ┃",
        "┡━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━┩",
        "│ PyPI      │ 3          │ 2024-07-10 07:00 UTC │ 5 h   │ https://osv/PyPI/all.zip │",
        "│ Debian    │ 2          │ 2024-07-01 12:00 UTC │ 9 d   │ -                        │",
        "│ npm       │ 0          │ never                │ never │ -                        │",
        "└───────────┴────────────┴──────────────────────┴───────┴──────────────────────────┘",
    ]


def test_status_json() -> None:
    assert json.loads(db_report.render_status_json(STATUS, NOW)) == {
        "database": "sqlite:////data/vulns.db",
        "age_seconds": 9 * 86400,
        "ecosystems": [
            {
                "ecosystem": "PyPI",
                "advisories": 3,
                "last_updated": "2024-07-10T07:00:00+00:00",
                "age_seconds": 5 * 3600,
                "source": "https://osv/PyPI/all.zip",
            },
            {
                "ecosystem": "Debian",
                "advisories": 2,
                "last_updated": "2024-07-01T12:00:00+00:00",
                "age_seconds": 9 * 86400,
                "source": None,
            },
            {"ecosystem": "npm", "advisories": 0, "last_updated": None, "age_seconds": None, "source": None},
        ],
    }


def test_update_table_lists_failures_too() -> None:
    assert db_report.render_update_table(UPDATE).splitlines()[3:5] == [
        "│ PyPI      │ incremental │ 2       │ 1        │",
        "│ npm       │ failed      │ -       │ -        │",
    ]


def test_update_json() -> None:
    assert json.loads(db_report.render_update_json(UPDATE)) == {
        "updated": [
            {
                "ecosystem": "PyPI",
                "mode": "incremental",
                "written": 2,
                "rejected": [{"id": "MISSING-MODIFIED", "reason": "no `modified` field"}],
                "source": "https://osv/PyPI",
            }
        ],
        "failed": [{"ecosystem": "npm", "error": "https://osv/npm/all.zip: HTTP 503"}],
        "inventory": None,
    }


def test_import_text_and_json() -> None:
    assert db_report.render_import_text(IMPORT) == (
        "imported 5 advisories from osv-all.zip (PyPI, npm); rejected 1; kept 1 newer stored\n"
    )
    assert json.loads(db_report.render_import_json(IMPORT)) == {
        "source": "osv-all.zip",
        "written": 5,
        "ecosystems": ["PyPI", "npm"],
        "rejected": [{"id": "MISSING-MODIFIED", "reason": "no `modified` field"}],
        "kept_newer": ["GHSA-1"],
        "changed": [],
        "inventory": None,
    }


def test_an_update_that_changed_the_inventory_says_what_it_did() -> None:
    rematch = RematchReport(
        advisories=2,
        packages=4,
        new_findings=3,
        resolved_findings=1,
        images=2,
        exposures_opened=5,
        exposures_closed=1,
        events=6,
    )
    report = replace(IMPORT, changed=("GHSA-1", "GHSA-2"), rematch=rematch)
    assert db_report.render_import_text(report).splitlines()[1] == (
        "inventory: 2 new or changed advisories re-matched 4 stored packages: 3 new and 1 resolved findings in 2 "
        "images; production workloads newly affected: 5 (no longer: 1); 6 events"
    )
    assert json.loads(db_report.render_import_json(report))["inventory"] == {
        "advisories": 2,
        "packages": 4,
        "new_findings": 3,
        "resolved_findings": 1,
        "images": 2,
        "exposures_opened": 5,
        "exposures_closed": 1,
        "events": 6,
    }
    no_inventory = replace(rematch, packages=0)
    assert db_report.render_import_text(replace(IMPORT, rematch=no_inventory)).count("\n") == 1


def test_rejected_warning_shows_ten_and_counts_the_rest() -> None:
    assert db_report.render_rejected_warning(()) == ""
    many = tuple(RejectedRecord(f"BAD-{n}", "not JSON") for n in range(12))
    lines = db_report.render_rejected_warning(many).splitlines()
    assert lines[0] == "regwarden: warning: 12 record(s) rejected (not stored):"
    assert lines[1:11] == [f"  BAD-{n}: not JSON" for n in range(10)]
    assert lines[11:] == ["  … and 2 more (see -o json)"]
