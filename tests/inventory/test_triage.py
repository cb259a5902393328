"""Triage on both databases, over the real sample builds: recording (id, target and package resolved and checked,
production exposures closed with their events), honoured by `affected`, listed with its history, and exported as
OpenVEX that regwarden's own reader accepts and that `scan --vex` applies to the real images."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from regwarden.collect.sbomfile.openvex import parse_openvex
from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.inventory import TriageDecision, TriageScope, TriageState
from regwarden.model.workload import Environment
from regwarden.report.triage_openvex import render_triage_openvex
from regwarden.service.exposure import refresh_exposures
from regwarden.service.impact import affected
from regwarden.service.scan import ScanOptions, scan
from regwarden.service.triage import TriageRequest, list_triage, record_triage
from regwarden.service.triage_export import export_triage
from regwarden.store import Store, open_store
from regwarden.store.exposures import ExposureScope
from regwarden.store.inventory_schema import exposures, packages
from tests.inventory.scenario import (
    DEMO,
    DEMO_1_1,
    DEMO_1_1_DIGEST,
    DEMO_DIGEST,
    REGISTRY,
    REPOSITORY,
    T3,
    V1_DEMO_FINDINGS,
    catalog_builds,
    import_v1,
    record_cluster,
    workload,
)
from tests.inventory.vex_shape import OPENVEX_SHAPE

WEB = f"{REGISTRY}/{REPOSITORY}"
INDEX_DIGEST = "sha256:" + "d" * 64
LATER = T3 + timedelta(hours=1)


def request(identifier: str, scope: TriageScope, target: str, state: str, **more: Any) -> TriageRequest:
    return TriageRequest(identifier, scope, target, TriageState(state), more.pop("reason", "checked"), "ana", **more)


@pytest.fixture
def inventory(db_url: str) -> str:
    import_v1(db_url)
    with open_store(db_url) as store:
        catalog_builds(store)
        store.catalog.record_children(INDEX_DIGEST, [(DEMO_1_1_DIGEST, "linux/amd64")])
        record_cluster(
            store,
            [
                (workload("shop", "api", DEMO_DIGEST), Environment.PRODUCTION),
                (workload("shop-dev", "api", DEMO_DIGEST), Environment.NON_PRODUCTION),
            ],
            T3,
        )
        refresh_exposures(store, ExposureScope(), now=T3)  # as a cluster sync does
        assert open_exposures(store) == {(vuln, package) for vuln, package, _ in V1_DEMO_FINDINGS}
    return db_url


def open_exposures(store: Store) -> set[tuple[str, str]]:
    """(vulnerability, package) of the exposures open now."""
    with store.engine.connect() as conn:
        query = sa.select(exposures.c.vuln_id, packages.c.name).join(packages, packages.c.id == exposures.c.package_id)
        return {(row.vuln_id, row.name) for row in conn.execute(query.where(exposures.c.closed_at.is_(None)))}


def test_a_decision_closes_the_production_exposure_and_affected_lists_it_apart(inventory: str) -> None:
    with open_store(inventory) as store:
        decision = request("GHSA-p6mc-m468-83gw", TriageScope.IMAGE, DEMO_DIGEST, "not_affected", reason="unused")
        outcome = record_triage(store, decision, endpoints=["ops"], now=LATER)
        assert [(d.vuln_id, d.scope, d.target, d.author) for d in outcome.decisions] == [
            ("CVE-2020-8203", TriageScope.IMAGE, DEMO_DIGEST, "ana")
        ]
        assert (outcome.covered, outcome.images, outcome.exposures_closed, outcome.events) == (1, 1, 1, 1)
        [event] = store.events.recent(limit=1)
        assert (event.kind, event.payload["vulnerability"]["id"], event.deliveries) == (  # type: ignore[index]
            "workload.resolved",
            "CVE-2020-8203",
            (("ops", "pending", 0),),
        )
        report = affected(store, "CVE-2020-8203", LATER)
        assert [(row.component.digest, row.triage and row.triage.reason) for row in report.triaged] == [
            (DEMO_DIGEST, "unused")
        ]
        assert report.running == [] and report.not_running == []


@pytest.mark.parametrize(
    ("target", "digests"),
    [
        (f"{WEB}:1.1", [DEMO_1_1_DIGEST]),
        (f"{WEB}@{DEMO_DIGEST}", [DEMO_DIGEST]),
        (INDEX_DIGEST, [DEMO_1_1_DIGEST]),  # an index stands for the platform manifest catalogued from it
    ],
)
def test_images_are_named_by_digest_reference_or_index(inventory: str, target: str, digests: list[str]) -> None:
    with open_store(inventory) as store:
        outcome = record_triage(store, request("DEBIAN-CVE-2022-48174", TriageScope.IMAGE, target, "accepted"))
    assert [d.target for d in outcome.decisions] == digests


def test_repository_and_package_scopes(inventory: str) -> None:
    with open_store(inventory) as store:
        by_repo = record_triage(store, request("CVE-2019-11324", TriageScope.REPOSITORY, WEB, "accepted"), now=LATER)
        assert (by_repo.decisions[0].target, by_repo.covered, by_repo.exposures_closed) == (WEB, 1, 1)
        everywhere = request("DEBIAN-CVE-2022-48174", TriageScope.ALL, "", "fixed", package="BusyBox-Static")
        outcome = record_triage(store, everywhere, now=LATER)
        assert (outcome.decisions[0].package, outcome.covered, outcome.images) == ("BusyBox-Static", 2, 2)
        assert open_exposures(store) == {("CVE-2019-10906", "Jinja2"), ("CVE-2020-8203", "lodash")}


@pytest.mark.parametrize(
    ("triage", "error", "message"),
    [
        (request("CVE-1999-0001", TriageScope.ALL, "", "accepted"), NotFoundError, "no advisory or finding"),
        (request("CVE-2020-8203", TriageScope.IMAGE, "sha256:" + "f" * 64, "fixed"), NotFoundError, "not catalogued"),
        (request("CVE-2020-8203", TriageScope.IMAGE, f"{WEB}:9.9", "fixed"), NotFoundError, "not a tag the inventory"),
        (request("CVE-2020-8203", TriageScope.REPOSITORY, f"{REGISTRY}/shop/none", "fixed"), NotFoundError, "not in"),
        (request("CVE-2020-8203", TriageScope.REPOSITORY, "shop", "fixed"), BadInputError, "REGISTRY/REPOSITORY"),
        (request("CVE-2020-8203", TriageScope.ALL, "", "fixed", package="urllib3"), BadInputError, "found in lodash"),
        (request("CVE-2020-8203", TriageScope.ALL, "", "fixed", reason=" "), BadInputError, "--reason"),
        (
            request("CVE-2020-8203", TriageScope.ALL, "", "fixed", expires=date(2020, 1, 1)),
            BadInputError,
            "in the past",
        ),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_written(
    inventory: str, triage: TriageRequest, error: type[Exception], message: str
) -> None:
    with open_store(inventory) as store:
        with pytest.raises(error, match=message):
            record_triage(store, triage, now=LATER)
        assert store.triage.decisions() == []


def test_list_marks_history_superseded_and_expired(inventory: str) -> None:
    with open_store(inventory) as store:
        record_triage(store, request("CVE-2020-8203", TriageScope.ALL, "", "accepted"), now=LATER)
        record_triage(store, request("GHSA-p6mc-m468-83gw", TriageScope.ALL, "", "not_affected"), now=LATER)
        short = request("CVE-2019-11324", TriageScope.ALL, "", "accepted", expires=LATER.date())
        record_triage(store, short, now=LATER)
        assert [(e.decision.state.value, e.status) for e in list_triage(store, now=LATER).entries] == [
            ("accepted", "superseded"),
            ("not_affected", "active"),
            ("accepted", "active"),
        ]
        tomorrow = LATER + timedelta(days=1)
        assert [e.status for e in list_triage(store, now=tomorrow).entries] == ["superseded", "active", "expired"]
        assert [e.decision.vuln_id for e in list_triage(store, "GHSA-p6mc-m468-83gw", now=LATER).entries] == [
            "CVE-2020-8203",
            "CVE-2020-8203",
        ]


def record_export_decisions(store: Store) -> None:
    decisions = [
        request("GHSA-p6mc-m468-83gw", TriageScope.IMAGE, DEMO_DIGEST, "not_affected", reason="merge() is unused"),
        request("PYSEC-2019-132", TriageScope.ALL, "", "false_positive", package="urllib3", reason="patched"),
        request("CVE-2019-10906", TriageScope.REPOSITORY, WEB, "accepted", reason="upgrade in sprint 12"),
        request("DEBIAN-CVE-2022-48174", TriageScope.IMAGE, DEMO_1_1_DIGEST, "fixed", package="busybox-static"),
    ]
    for decision in decisions:
        record_triage(store, decision, now=LATER)
    nowhere = "sha256:" + "9" * 64  # an image catalogued from an SBOM file: it lives in no known repository
    store.triage.add(TriageDecision("CVE-2019-10906", TriageScope.IMAGE, nowhere, TriageState.FIXED, "x", "ana", LATER))


def test_export_is_openvex_that_regwarden_reads_and_scan_applies(inventory: str, tmp_path: Path) -> None:
    with open_store(inventory) as store:
        record_export_decisions(store)
        export = export_triage(store, "Platform Security <sec@example.com>", now=LATER)
    assert [(d.vuln_id, why) for d, why in export.skipped] == [
        ("CVE-2019-10906", "the image lives in no known repository, and an OCI purl needs the repository's name")
    ]
    document = json.loads(render_triage_openvex(export))
    jsonschema.Draft202012Validator(OPENVEX_SHAPE).validate(document)
    statements = parse_openvex(document, origin="export")
    web_1_0 = f"pkg:oci/web@sha256%3A{DEMO_DIGEST[7:]}?repository_url={WEB}"
    web_1_1 = f"pkg:oci/web@sha256%3A{DEMO_1_1_DIGEST[7:]}?repository_url={WEB}"
    busybox = "pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1%2Bb1?arch=amd64&distro=debian-12"
    assert {
        (s.vulnerability, s.status.value, s.justification, tuple((p.purl, p.subcomponents) for p in s.products))
        for s in statements
    } == {
        ("CVE-2020-8203", "not_affected", None, ((web_1_0, ()),)),
        ("CVE-2019-11324", "not_affected", "vulnerable_code_not_present", (("pkg:pypi/urllib3", ()),)),
        ("CVE-2019-10906", "affected", None, ((f"pkg:oci/web?repository_url={WEB}", ()),)),
        ("DEBIAN-CVE-2022-48174", "fixed", None, ((web_1_1, (busybox,)),)),
    }
    by_id = {s.vulnerability: s for s in statements}
    assert (by_id["CVE-2020-8203"].impact_statement, by_id["CVE-2020-8203"].aliases) == (
        "merge() is unused",
        ("GHSA-p6mc-m468-83gw",),
    )
    assert by_id["CVE-2019-10906"].action_statement == "upgrade in sprint 12"
    vex = tmp_path / "triage.openvex.json"
    vex.write_bytes(render_triage_openvex(export))
    assert suppressed(DEMO, vex, inventory) == {"CVE-2020-8203", "CVE-2019-11324"}
    assert suppressed(DEMO_1_1, vex, inventory) == {"DEBIAN-CVE-2022-48174"}


def suppressed(image: str, vex: Path, db_url: str) -> set[str]:
    report = scan(image, ScanOptions(db_url=db_url, vex_files=(vex,)), cwd=vex.parent)
    return {finding.id for finding in report.suppressed}
