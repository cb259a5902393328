"""The impact commands end to end through the CLI, on the bundled samples: real advisories, the two real demo
images, and the two sample clusters. Expected sets come from samples/README.md and samples/cluster/README.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_support import invoke

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
DEMO_1_0 = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1 = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
REPOSITORY = "regwardendemo.azurecr.io/shop/web"


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("impact") / "inventory.db")
    steps = [
        ["db", "import", str(SAMPLES / "advisories")],
        ["db", "import", str(SAMPLES / "advisory-update")],
        ["inventory", "add", f"oci-archive:{SAMPLES / 'demo.oci.tar'}", "--repo", REPOSITORY, "--tag", "1.0"],
        ["inventory", "add", f"oci-archive:{SAMPLES / 'demo-1.1.oci.tar'}", "--repo", REPOSITORY, "--tag", "1.1"],
        # --no-catalog: the other sample workloads run made-up digests of a registry that does not exist.
        [
            "sync",
            "k8s",
            "--from",
            str(SAMPLES / "cluster" / "aks-prod.json"),
            "--cluster",
            "aks-prod-weu",
            "--no-catalog",
        ],
        [
            "sync",
            "k8s",
            "--from",
            str(SAMPLES / "cluster" / "aks-dev.json"),
            "--cluster",
            "aks-dev-weu",
            "--no-catalog",
        ],
    ]
    for args in steps:
        outcome = invoke([*args, "--db", db])
        assert outcome.code == 0, (args, outcome.stdout, outcome.stderr)
    return db


def test_affected_lists_running_production_first_and_exits_1(inventory: str) -> None:
    outcome = invoke(["affected", "GHSA-q2q7-5pp4-w6pg", "--db", inventory, "-o", "json"])
    assert outcome.code == 1
    document = json.loads(outcome.stdout)
    assert document["vulnerability"]["id"] == "CVE-2021-33503"
    assert set(document["vulnerability"]["aliases"]) == {"GHSA-q2q7-5pp4-w6pg", "PYSEC-2021-108"}
    running = [
        (
            r["cluster"],
            r["namespace"],
            r["kind"],
            r["workload"],
            r["environment"],
            r["package"],
            r["version"],
            r["fixed"],
        )
        for r in document["running"]
    ]
    assert running == [
        ("aks-prod-weu", "payments", "Deployment", "checkout-web", "production", "urllib3", "1.24.1", ["1.26.5"]),
        ("aks-prod-weu", "shop", "Deployment", "web", "production", "urllib3", "1.24.1", ["1.26.5"]),
        (
            "aks-dev-weu",
            "payments-dev",
            "Deployment",
            "checkout-web",
            "non-production",
            "urllib3",
            "1.24.1",
            ["1.26.5"],
        ),
    ]
    assert all(r["digest"] == DEMO_1_0 for r in document["running"])
    assert "'payments-dev' holds the word 'dev'" in document["running"][2]["environment_rule"]
    assert document["not_running"] == []


def test_every_runner_of_either_build_is_listed(inventory: str) -> None:
    # CVE-2024-34064 (Jinja2 < 3.1.4) is in both builds: 2.10 in 1.0 and 3.1.3 in 1.1.
    outcome = invoke(["affected", "CVE-2024-34064", "--db", inventory, "-o", "json"])
    assert outcome.code == 1
    document = json.loads(outcome.stdout)
    assert {(r["namespace"], r["environment"], r["version"]) for r in document["running"]} == {
        ("shop", "production", "2.10"),
        ("shop", "production", "3.1.3"),
        ("payments", "production", "2.10"),
        ("shop-staging", "non-production", "3.1.3"),
        ("payments-dev", "non-production", "2.10"),
        ("shop-dev", "non-production", "3.1.3"),
    }


def test_an_unknown_id_is_not_found_not_nothing_affected(inventory: str) -> None:
    outcome = invoke(["affected", "CVE-1999-0001", "--db", inventory])
    assert outcome.code == 7
    assert "no advisory or finding answers to 'CVE-1999-0001'" in outcome.stderr


def test_affected_markdown_and_table_name_the_verdict(inventory: str) -> None:
    markdown = invoke(["affected", "CVE-2021-33503", "--db", inventory, "-o", "markdown"])
    assert markdown.stdout.startswith(
        "## CVE-2021-33503: affects 2 production workload(s), 1 other workload(s), 1 image(s)"
    )
    assert "| aks-prod-weu | payments | Deployment/checkout-web | checkout-web |" in markdown.stdout
    table = invoke(["affected", "CVE-2021-33503", "--db", inventory])
    assert "CVE-2021-33503  affects 2 production workload(s)" in table.stdout


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("urllib3", {("urllib3", "1.24.1", DEMO_1_0), ("urllib3", "1.26.20", DEMO_1_1)}),
        ("urllib3@<1.26.5", {("urllib3", "1.24.1", DEMO_1_0)}),
        ("urllib3@>=1.25,<2", {("urllib3", "1.26.20", DEMO_1_1)}),
        ("URLLIB3@1.26.20", {("urllib3", "1.26.20", DEMO_1_1)}),
        ("lodash@vers:npm/>=4.0.0|<4.17.21", {("lodash", "4.17.15", DEMO_1_0)}),
        ("pkg:npm/lodash@4.17.21", {("lodash", "4.17.21", DEMO_1_1)}),
        ("pkg:pypi/lodash", set()),
        ("jinja2@>=3", {("Jinja2", "3.1.3", DEMO_1_1)}),
        ("left-pad", set()),
    ],
)
def test_where_finds_packages_by_name_purl_and_range(inventory: str, query: str, expected: set[object]) -> None:
    outcome = invoke(["where", query, "--db", inventory, "-o", "json"])
    assert outcome.code == 0, outcome.stderr
    found = {(i["package"], i["version"], i["digest"]) for i in json.loads(outcome.stdout)["images"]}
    assert found == expected


def test_where_shows_who_runs_it(inventory: str) -> None:
    document = json.loads(invoke(["where", "urllib3@1.24.1", "--db", inventory, "-o", "json"]).stdout)
    [image] = document["images"]
    assert image["image"] == f"{REPOSITORY}:1.0"
    assert {(w["cluster"], w["namespace"], w["workload"]) for w in image["running"]} == {
        ("aks-prod-weu", "payments", "checkout-web"),
        ("aks-prod-weu", "shop", "web"),
        ("aks-dev-weu", "payments-dev", "checkout-web"),
    }


def test_inventory_list_counts_findings_and_runners(inventory: str) -> None:
    document = json.loads(invoke(["inventory", "list", "--db", inventory, "-o", "json"]).stdout)
    by_digest = {image["digest"]: image for image in document["images"]}
    assert set(by_digest) == {DEMO_1_0, DEMO_1_1}
    assert by_digest[DEMO_1_1]["findings"] == {"critical": 0, "high": 0, "medium": 1, "low": 0, "info": 0}
    assert by_digest[DEMO_1_0]["places"] == [
        {"registry": "regwardendemo.azurecr.io", "repository": "shop/web", "tags": ["1.0"]}
    ]
    assert len(by_digest[DEMO_1_0]["running"]) == 3
    narrowed = json.loads(invoke(["inventory", "list", "--repo", "^nothing/", "--db", inventory, "-o", "json"]).stdout)
    assert narrowed == {"images": []}


@pytest.mark.parametrize("query", ["urllib3@<", "pkg:npm", "lodash@vers:npm", "@"])
def test_bad_where_queries_are_usage_errors(inventory: str, query: str) -> None:
    outcome = invoke(["where", query, "--db", inventory])
    assert outcome.code == 3, outcome.stdout
