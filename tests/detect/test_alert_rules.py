"""The detections as Azure Monitor alert rules: every query parses with a KQL grammar (kusto-query-language-parser,
an ANTLR grammar of KQL; Microsoft's own Kusto.Language needs a .NET runtime this machine does not have), names only
columns the Azure Monitor table references document, and the generated rules satisfy RW-ACR-032 when audited."""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import re
import tempfile
from pathlib import Path

import pytest
from antlr4 import InputStream
from kusto_query_language_parser.parser.kql_traverse import KqlTraverse

from regwarden.collect.azurelogs.tables import COLUMNS
from regwarden.collect.loader import load_registries
from regwarden.detect.alert_rules import AlertRuleSet, alert_rules, iso_duration
from regwarden.detect.config import LogsConfig
from regwarden.detect.detection import RunningImages
from regwarden.detect.detections import ALL_DETECTIONS
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Status
from regwarden.model.registry import Registry
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import security_alerts_exist
from regwarden.report import alert_rules_arm, alert_rules_bicep
from regwarden.service.alert_rules import render_alert_rules

CASES = Path(__file__).parents[1] / "posture" / "cases" / "RW-ACR-032"
WORKSPACE = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-monitor/providers/"
    "Microsoft.OperationalInsights/workspaces/law-central"
)
CONFIGS = {
    "defaults": LogsConfig(),
    "allow-list and admin names": LogsConfig(
        allowed_cidrs=(ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")),
        admin_identities=frozenset({"acr-admin", 'quote"d'}),
    ),
}
RUNNING = RunningImages(frozenset({"sha256:" + "a" * 64}), frozenset({"shopacr.azurecr.io/shop/web:1.4"}))
TABLES = {table.value for table in COLUMNS}
KNOWN_COLUMNS = {name for columns in COLUMNS.values() for name in columns}


def parse(query: str) -> object:
    with contextlib.redirect_stderr(io.StringIO()):  # ANTLR reports syntax errors on stderr too
        return KqlTraverse().parse(InputStream(query))


def every_query() -> list[tuple[str, str]]:
    return [
        (f"{d.meta.id} ({name})", query)
        for name, config in CONFIGS.items()
        for d in ALL_DETECTIONS
        if (query := d.query(config, RUNNING)) is not None
    ]


@pytest.mark.parametrize(("label", "query"), every_query(), ids=[label for label, _ in every_query()])
def test_every_query_parses_as_kql(label: str, query: str) -> None:
    parse(query)


def test_the_grammar_rejects_broken_queries() -> None:
    for broken in ("ContainerRegistryLoginEvents | where Identity == == 1", "AzureActivity | summarize count( by X"):
        with pytest.raises(SyntaxError):
            parse(broken)


@pytest.mark.parametrize(("label", "query"), every_query(), ids=[label for label, _ in every_query()])
def test_every_name_a_query_reads_is_a_documented_column(label: str, query: str) -> None:
    tree = parse(query)
    names = set(KqlTraverse().find(tree, "simpleNameReference"))
    functions = {name for name in names if re.search(rf"\b{re.escape(name)}\(", query)}
    bound = set(re.findall(r"\blet (\w+)", query)) | set(re.findall(r"\b(\w+) = (?![=~])", query))
    assert names - functions - bound - TABLES <= KNOWN_COLUMNS


def test_running_image_rule_needs_the_inventory_and_says_so() -> None:
    without = alert_rules(ALL_DETECTIONS, LogsConfig())
    assert [rule.detection_id for rule in without.rules] == [
        d.meta.id for d in ALL_DETECTIONS if d.meta.id != "RW-LOG-004"
    ]
    assert [d for d, _ in without.not_written] == ["RW-LOG-004"]
    assert len(alert_rules(ALL_DETECTIONS, LogsConfig(), RUNNING).rules) == 12


def test_thresholds_and_windows_come_from_the_config() -> None:
    rules = {r.detection_id: r for r in alert_rules(ALL_DETECTIONS, LogsConfig()).rules}
    assert (
        "| where Deletes >= 20" in rules["RW-LOG-003"].query and "bin(TimeGenerated, 10m)" in rules["RW-LOG-003"].query
    )
    assert (iso_duration(rules["RW-LOG-002"].window), iso_duration(rules["RW-LOG-002"].query_time_range)) == (
        "PT1H",
        "P14DT1H",
    )
    assert (rules["RW-LOG-001"].severity, rules["RW-LOG-010"].severity) == (1, 2)
    assert (
        '"acr-admin", "quote\\"d"' in alert_rules(ALL_DETECTIONS, CONFIGS["allow-list and admin names"]).rules[0].query
    )


def test_arm_template_shape() -> None:
    template = json.loads(alert_rules_arm.render(alert_rules(ALL_DETECTIONS, LogsConfig(), RUNNING), WORKSPACE))
    assert template["$schema"].endswith("deploymentTemplate.json#")
    assert template["parameters"]["workspaceId"]["defaultValue"] == WORKSPACE
    first = template["resources"][0]
    assert (first["type"], first["apiVersion"], first["kind"], first["name"]) == (
        "Microsoft.Insights/scheduledQueryRules",
        "2023-12-01",
        "LogAlert",
        "regwarden-rw-log-001-admin-account-login",
    )
    properties = first["properties"]
    assert properties["scopes"] == ["[parameters('workspaceId')]"]
    assert (properties["evaluationFrequency"], properties["windowSize"], properties["severity"]) == ("PT5M", "PT5M", 1)
    assert properties["criteria"]["allOf"][0]["operator"] == "GreaterThan"
    assert len(template["resources"]) == 12


def test_bicep_holds_every_query_verbatim_and_declares_the_parameters() -> None:
    rules = alert_rules(ALL_DETECTIONS, CONFIGS["allow-list and admin names"])
    bicep = alert_rules_bicep.render(rules).decode()
    assert bicep.count("'Microsoft.Insights/scheduledQueryRules@2023-12-01'") == len(rules.rules)
    assert "param workspaceId string\n" in bicep and "param actionGroupIds array = []" in bicep
    for rule in rules.rules:
        assert f"          query: '''\n{rule.query}\n'''" in bicep
    assert "resource rwLog001 " in bicep and "overrideQueryTimeRange: 'P14DT1H'" in bicep


def test_generated_rules_in_an_export_satisfy_rw_acr_032() -> None:
    registry_and_logs = json.loads(
        (CASES / "pass-log-alerts-on-workspace-in-another-resource-group.arm.json").read_text()
    )[:2]
    template = json.loads(render_alert_rules(alert_rules(ALL_DETECTIONS, LogsConfig()), "arm", WORKSPACE))
    deployed = [
        {
            "id": f"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-monitor/providers/"
            f"Microsoft.Insights/scheduledQueryRules/{resource['name']}",
            "name": resource["name"],
            "type": resource["type"],
            "kind": resource["kind"],
            "location": "westeurope",
            "properties": {**resource["properties"], "scopes": [WORKSPACE], "actions": {"actionGroups": []}},
        }
        for resource in template["resources"]
    ]
    [registry] = load_registries_from([*registry_and_logs, *deployed])
    [result] = evaluate([registry], PostureConfig(), [security_alerts_exist.RULE])
    assert (result.status, result.message) == (Status.PASS, "11 enabled alert rules cover every area")
    [without] = evaluate(load_registries_from(registry_and_logs), PostureConfig(), [security_alerts_exist.RULE])
    assert without.status is Status.UNKNOWN  # no alert rules in the export: not known, never a pass


def load_registries_from(resources: list[object]) -> list[Registry]:
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.json"
        export.write_text(json.dumps(resources))
        return load_registries([export])


def test_render_rejects_unknown_formats() -> None:
    with pytest.raises(BadInputError, match="expected one of: bicep, arm, json"):
        render_alert_rules(AlertRuleSet(()), "terraform")
