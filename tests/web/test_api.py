"""The JSON API on the demo data: lists (filter, sort, page), an image and its parts, vulnerabilities and where
they run, workloads, events, registries; exports validated against their official schemas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from regwarden.model.access import Scope
from regwarden.service.api_tokens import issue_token
from tests.web.conftest import Server, serve

V10 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
V11 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
WEB = "regwardendemo.azurecr.io/shop/web"
SARIF_SCHEMA = Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json"
V10_FINDINGS = {
    ("CVE-2021-33503", "urllib3", ("1.26.5",)),
    ("CVE-2019-10906", "Jinja2", ("2.10.1",)),
    ("CVE-2019-11324", "urllib3", ("1.24.2",)),
    ("CVE-2020-8203", "lodash", ("4.17.19",)),
    ("CVE-2021-23337", "lodash", ("4.17.21",)),
    ("CVE-2023-43804", "urllib3", ("1.26.17", "2.0.6")),
    ("CVE-2018-25091", "urllib3", ("1.24.2",)),
    ("CVE-2019-11236", "urllib3", ("1.24.3",)),
    ("CVE-2020-26137", "urllib3", ("1.25.9",)),
    ("CVE-2020-28493", "Jinja2", ("2.11.3",)),
    ("CVE-2020-28500", "lodash", ("4.17.21",)),
    ("CVE-2023-45803", "urllib3", ("1.26.18", "2.0.7")),
    ("CVE-2024-22195", "Jinja2", ("3.1.3",)),
    ("CVE-2024-34064", "Jinja2", ("3.1.4",)),
    ("CVE-2024-37891", "urllib3", ("1.26.19",)),
}


def _reader(server: Server) -> dict[str, str]:
    secret = issue_token(server.store, "viewer", "api-test", frozenset({Scope.READ}), actor="test").secret
    return {"Authorization": f"Bearer {secret}"}


def _get(server: Server, path: str) -> object:
    response = server.client.get(path, headers=_reader(server))
    assert response.status_code == 200, response.text
    return response.json()


def test_images_by_risk_with_their_counts(server: Server) -> None:
    listing = _get(server, "/api/v1/images")
    assert isinstance(listing, dict)
    rows = [
        (i["name"], i["digest"], i["findings"], i["fixable"], i["running"], i["production"]) for i in listing["items"]
    ]
    assert rows == [
        (f"{WEB}:1.0", V10, {"critical": 1, "high": 5, "medium": 9, "low": 0, "info": 0}, 15, 3, 2),
        (f"{WEB}:1.1", V11, {"critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0}, 1, 3, 1),
    ]
    assert (listing["total"], listing["limit"], listing["offset"]) == (2, 50, 0)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("severity=critical", [f"{WEB}:1.0"]),
        ("severity=medium", [f"{WEB}:1.0", f"{WEB}:1.1"]),
        ("q=1.1", [f"{WEB}:1.1"]),
        (f"q={V11[:20]}", [f"{WEB}:1.1"]),
        ("running=false", []),
        ("sort=name&order=asc", [f"{WEB}:1.0", f"{WEB}:1.1"]),
        ("sort=name&order=desc", [f"{WEB}:1.1", f"{WEB}:1.0"]),
        ("sort=risk&order=asc", [f"{WEB}:1.1", f"{WEB}:1.0"]),
        ("limit=1&offset=1", [f"{WEB}:1.1"]),
        ("registry=regwardendemo.azurecr.io&repository=shop/web&limit=1", [f"{WEB}:1.0"]),
        ("repository=other", []),
    ],
)
def test_image_filters_sorts_and_pages(server: Server, query: str, names: list[str]) -> None:
    listing = _get(server, f"/api/v1/images?{query}")
    assert isinstance(listing, dict)
    assert [i["name"] for i in listing["items"]] == names


def test_an_unknown_sort_or_a_bad_page_is_a_422_not_another_order(server: Server) -> None:
    for query in ("sort=colour", "limit=0", "limit=501", "offset=-1", "severity=huge"):
        response = server.client.get(f"/api/v1/images?{query}", headers=_reader(server))
        assert response.status_code == 422, query


def test_an_image_with_its_findings_layers_places_and_workloads(server: Server) -> None:
    image = _get(server, f"/api/v1/images/{V10}")
    assert isinstance(image, dict)
    assert {(f["vuln_id"], f["package"], tuple(f["fixed"])) for f in image["findings"]} == V10_FINDINGS
    assert [(layer["index"], layer["size"]) for layer in image["layers"]] == [(0, 1226547), (1, 255614)]
    assert image["places"] == [{"registry": "regwardendemo.azurecr.io", "repository": "shop/web", "tags": ["1.0"]}]
    running = {(w["cluster"], w["namespace"], w["name"], w["environment"]) for w in image["running"]}
    assert running == {
        ("aks-prod-weu", "payments", "checkout-web", "production"),
        ("aks-prod-weu", "shop", "web", "production"),
        ("aks-dev-weu", "payments-dev", "checkout-web", "non-production"),
    }
    assert image["os"] == "Debian GNU/Linux 12 (bookworm)"


def test_packages_with_the_layer_that_added_them(server: Server) -> None:
    packages = _get(server, f"/api/v1/images/{V11}/packages")
    assert isinstance(packages, dict)
    assert {(p["name"], p["version"], p["type"], p["layer_index"]) for p in packages["items"]} == {
        ("base-files", "12.4+deb12u15", "deb", 0),
        ("busybox-static", "1:1.35.0-4+deb12u1+b1", "deb", 0),
        ("lodash", "4.17.21", "npm", 1),
        ("Jinja2", "3.1.3", "pypi", 1),
        ("MarkupSafe", "2.1.5", "pypi", 1),
        ("idna", "3.10", "pypi", 1),
        ("urllib3", "1.26.20", "pypi", 1),
    }
    found = _get(server, f"/api/v1/images/{V11}/packages?q=jinja")
    assert isinstance(found, dict)
    assert [p["name"] for p in found["items"]] == ["Jinja2"]


def test_an_unknown_image_is_404_and_a_malformed_digest_422(server: Server) -> None:
    assert server.client.get(f"/api/v1/images/sha256:{'0' * 64}", headers=_reader(server)).status_code == 404
    assert server.client.get("/api/v1/images/sha256:xyz", headers=_reader(server)).status_code == 422


def test_the_sbom_and_the_findings_export_in_official_formats(server: Server) -> None:
    headers = _reader(server)
    cyclonedx = server.client.get(f"/api/v1/images/{V10}/sbom?format=cyclonedx-json", headers=headers)
    assert cyclonedx.headers["content-type"] == "application/vnd.cyclonedx+json"
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cyclonedx.text) is None
    with_vulns = server.client.get(f"/api/v1/images/{V10}/export?format=cyclonedx-json", headers=headers)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(with_vulns.text) is None
    assert {v["id"] for v in with_vulns.json()["vulnerabilities"]} == {vuln for vuln, _, _ in V10_FINDINGS}
    sarif = server.client.get(f"/api/v1/images/{V10}/export?format=sarif", headers=headers).json()
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text())).validate(sarif)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {vuln for vuln, _, _ in V10_FINDINGS}
    spdx = server.client.get(f"/api/v1/images/{V10}/sbom?format=spdx-json", headers=headers).json()
    assert spdx["spdxVersion"] == "SPDX-2.3"


def test_vulnerabilities_worst_first_and_filtered(server: Server) -> None:
    listing = _get(server, "/api/v1/vulnerabilities?limit=100")
    assert isinstance(listing, dict)
    assert {v["id"] for v in listing["items"]} == {vuln for vuln, _, _ in V10_FINDINGS}
    assert listing["items"][0]["id"] == "CVE-2021-33503"  # the only critical
    lodash = _get(server, "/api/v1/vulnerabilities?package=lodash")
    assert isinstance(lodash, dict)
    assert {v["id"] for v in lodash["items"]} == {"CVE-2020-8203", "CVE-2021-23337", "CVE-2020-28500"}
    both = _get(server, "/api/v1/vulnerabilities?sort=images&limit=1")
    assert isinstance(both, dict)
    assert [(v["id"], v["images"], v["running"], v["production"]) for v in both["items"]] == [
        ("CVE-2024-34064", 2, 6, 3)
    ]


def test_where_a_vulnerability_runs(server: Server) -> None:
    detail = _get(server, "/api/v1/vulnerabilities/GHSA-h75v-3vvj-5mfj")  # an alias answers too
    assert isinstance(detail, dict)
    assert (detail["id"], detail["aliases"], detail["production_affected"]) == (
        "CVE-2024-34064",
        ["GHSA-h75v-3vvj-5mfj"],
        True,
    )
    counts = (detail["images"], detail["running"], detail["production"], detail["triaged"], detail["total"])
    assert counts == (2, 6, 3, 0, 2)
    rows = {
        (r["image"], r["version"], tuple(r["fixed"]), frozenset((w["cluster"], w["namespace"]) for w in r["running"]))
        for r in detail["rows"]
    }
    prod_10 = {("aks-prod-weu", "payments"), ("aks-prod-weu", "shop"), ("aks-dev-weu", "payments-dev")}
    prod_11 = {("aks-prod-weu", "shop"), ("aks-prod-weu", "shop-staging"), ("aks-dev-weu", "shop-dev")}
    assert rows == {
        (f"{WEB}:1.0", "2.10", ("3.1.4",), frozenset(prod_10)),
        (f"{WEB}:1.1", "3.1.3", ("3.1.4",), frozenset(prod_11)),
    }
    second = _get(server, "/api/v1/vulnerabilities/CVE-2024-34064?limit=1&offset=1")
    assert isinstance(second, dict)
    assert [(r["image"], len(r["running"]), r["running_total"]) for r in second["rows"]] == [(f"{WEB}:1.1", 3, 3)]
    assert server.client.get("/api/v1/vulnerabilities/CVE-1999-0000", headers=_reader(server)).status_code == 404


def test_workloads_filtered_and_one_with_its_image_findings(server: Server) -> None:
    production = _get(server, "/api/v1/workloads?environment=production&limit=100")
    assert isinstance(production, dict)
    assert production["total"] == 10
    shop = _get(server, "/api/v1/workloads?q=checkout")
    assert isinstance(shop, dict)
    assert {(w["cluster"], w["namespace"], w["findings"]["critical"]) for w in shop["items"]} == {
        ("aks-prod-weu", "payments", 1),
        ("aks-dev-weu", "payments-dev", 1),
    }
    one = _get(server, f"/api/v1/workloads/{shop['items'][0]['id']}")
    assert isinstance(one, dict)
    assert {f["vuln_id"] for f in one["image_findings"]} == {vuln for vuln, _, _ in V10_FINDINGS}
    assert server.client.get("/api/v1/workloads/999999", headers=_reader(server)).status_code == 404


def test_events_newest_first_and_paged(server: Server) -> None:
    events = _get(server, "/api/v1/events?limit=5")
    assert isinstance(events, dict)
    assert events["total"] == 31
    ids = [e["id"] for e in events["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5
    none = _get(server, "/api/v1/events?kind=workload.resolved")
    assert isinstance(none, dict)
    assert (none["total"], none["items"]) == (0, [])


def test_registries_with_score_failing_rules_and_evidence(server: Server) -> None:
    listing = _get(server, "/api/v1/registries")
    assert isinstance(listing, dict)
    assert [(r["name"], r["score"], len(r["failing"])) for r in listing["items"]] == [
        ("shopacr", 17.4, 13),
        ("platformacr", 100.0, 0),
    ]
    detail = _get(server, "/api/v1/registries/shopacr")
    assert isinstance(detail, dict)
    admin = next(r for r in detail["results"] if r["rule_id"] == "RW-ACR-001")
    assert (admin["status"], admin["severity"]) == ("FAIL", "critical")
    assert [(e["path"], e["value"], e["source"]) for e in admin["evidence"]] == [
        ("properties.adminUserEnabled", True, "explicit")
    ]
    assert [point["score"] for point in detail["history"]] == [17.4]
    assert server.client.get("/api/v1/registries/nothere", headers=_reader(server)).status_code == 404


def test_triage_from_the_api_shows_in_findings_listing_and_openvex(server: Server) -> None:
    secret = issue_token(server.store, "triager", "ci", frozenset({Scope.TRIAGE, Scope.READ}), actor="t").secret
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"vulnerability": "CVE-2020-8203", "scope": "image", "target": V10, "state": "not_affected",
            "reason": "lodash is only used at build time", "package": "lodash", "expires": "2099-01-01"}  # fmt: skip
    posted = server.client.post("/api/v1/triage", json=body, headers=headers)
    assert posted.status_code == 201, posted.text
    assert posted.json() == {"decisions": 1, "covered": 1, "images": 1, "exposures_closed": 2}
    findings = server.client.get(f"/api/v1/images/{V10}/findings", headers=headers).json()
    triaged = {(f["vuln_id"], f["triage"]["author"]) for f in findings["items"] if f["triage"]}
    assert triaged == {("CVE-2020-8203", "token:ci (triager)")}
    listing = server.client.get("/api/v1/triage?vulnerability=CVE-2020-8203", headers=headers).json()
    assert [(t["state"], t["package"], t["expires"]) for t in listing["items"]] == [
        ("not_affected", "lodash", "2099-01-01")
    ]
    vex = server.client.get("/api/v1/exports/openvex", headers=headers).json()
    assert [(s["vulnerability"]["name"], s["status"]) for s in vex["statements"]] == [("CVE-2020-8203", "not_affected")]


def test_bad_triage_is_a_clear_400_or_422(server: Server) -> None:
    secret = issue_token(server.store, "admin", "ci", frozenset({Scope.TRIAGE}), actor="t").secret
    headers = {"Authorization": f"Bearer {secret}"}
    base = {"vulnerability": "CVE-2020-8203", "scope": "all", "state": "fixed", "reason": "x"}
    assert server.client.post("/api/v1/triage", json={**base, "state": "gone"}, headers=headers).status_code == 422
    past = server.client.post("/api/v1/triage", json={**base, "expires": "2001-01-01"}, headers=headers)
    assert (past.status_code, "in the past" in past.json()["detail"]) == (400, True)
    unknown = server.client.post("/api/v1/triage", json={**base, "vulnerability": "CVE-1999-1"}, headers=headers)
    assert unknown.status_code == 404
    assert server.store.triage.decisions() == []


def test_csv_exports_quote_formulas(server: Server) -> None:
    text = server.client.get("/api/v1/exports/images.csv", headers=_reader(server)).text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["image", "digest", "critical"]
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [(f"{WEB}:1.0", "1", "5"), (f"{WEB}:1.1", "0", "0")]
    vulns = list(
        csv.reader(io.StringIO(server.client.get("/api/v1/exports/vulnerabilities.csv", headers=_reader(server)).text))
    )
    assert len(vulns) == 16
    from regwarden.web.api_triage import _cell

    assert [_cell(v) for v in ("=1+1", "+x", "-2", "@sum", "plain")] == ["'=1+1", "'+x", "'-2", "'@sum", "plain"]


def test_search_finds_a_cve_a_package_and_an_image(server: Server) -> None:
    hits = _get(server, "/api/v1/search?q=cve-2024-34064")
    assert isinstance(hits, dict)
    assert [(h["kind"], h["url"]) for h in hits["hits"]] == [("vulnerability", "/vulnerabilities/CVE-2024-34064")]
    package = _get(server, "/api/v1/search?q=urllib3")
    assert isinstance(package, dict)
    assert [(h["kind"], h["label"]) for h in package["hits"]] == [("package", "urllib3 (2 versions)")]
    image = _get(server, "/api/v1/search?q=shop/web:1.1")
    assert isinstance(image, dict)
    assert [(h["kind"], h["url"]) for h in image["hits"]] == [("image", f"/images/{V11}")]


def test_the_audit_trail_is_for_admins(server: Server) -> None:
    viewer = server.client.get("/api/v1/audit", headers=_reader(server))
    assert viewer.status_code == 403
    secret = issue_token(server.store, "admin", "audit", frozenset({Scope.READ}), actor="t").secret
    trail = server.client.get("/api/v1/audit?limit=3", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [e["action"] for e in trail["items"]] == ["token.create", "token.create", "user.add"]
    assert trail["total"] == 6  # posture.record, three users, the two tokens


def test_lists_on_postgresql(pg_demo_db: str) -> None:
    for server in serve(pg_demo_db):
        images = _get(server, "/api/v1/images?sort=name&order=asc")
        assert isinstance(images, dict)
        assert [i["name"] for i in images["items"]] == [f"{WEB}:1.0", f"{WEB}:1.1"]
        detail = _get(server, "/api/v1/vulnerabilities/CVE-2024-34064")
        assert isinstance(detail, dict)
        assert detail["production_affected"] is True
        workloads = _get(server, "/api/v1/workloads?environment=production")
        assert isinstance(workloads, dict)
        assert workloads["total"] == 10
