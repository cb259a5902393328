"""Agreement with the anchors (PSRule for Azure, Checkov) on cases shaped like their own test inputs.

Each row names an anchor check, the rule of ours that means the same thing, one of our cases under
cases/<RULE>/ (see cases/README.md for the anchor fixture each mirrors) and the verdict the anchor gives on
that shape. A row either agrees, or records why we deliberately differ; the rule's rationale must then name
the anchor check, so a user comparing reports can find the reason. The test runs the real audit on the case:
a row that claims agreement but disagrees (or the reverse) fails, so the table cannot go stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from regwarden.collect.loader import load_registries
from regwarden.model.finding import Status
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES

CASES = Path(__file__).parent / "cases"
RULES = {rule.meta.id: rule for rule in ALL_RULES}

AGREES = {
    "fail": {Status.FAIL},
    # Checkov reports PASSED for "not applicable"; PSRule reports None. SKIPPED raises no finding either.
    "pass": {Status.PASS, Status.SKIPPED},
    "none": {Status.SKIPPED},
}
"""Which of our statuses count as agreeing with each anchor verdict."""


@dataclass(frozen=True)
class Row:
    anchor: str
    check: str
    rule: str
    case: str
    anchor_verdict: str
    """pass / fail / none, as the anchor reports it on this shape."""
    differs_because: str | None = None
    """None when we agree; otherwise the deliberate reason (also in the rule's rationale)."""


PSRULE = "PSRule"
CHECKOV = "Checkov"
AZQR = "azqr"

TABLE: tuple[Row, ...] = (
    # --- PSRule for Azure, on its Az PowerShell export shape (Resources.ACR.json)
    Row(PSRULE, "Azure.ACR.AdminUser", "RW-ACR-001", "fail-admin-enabled-psrule-export.arm.json", "fail"),
    Row(
        PSRULE,
        "Azure.ACR.AnonymousAccess",
        "RW-ACR-002",
        "fail-anonymous-standard-psrule-export.arm.json",
        "fail",
    ),
    Row(PSRULE, "Azure.ACR.AnonymousAccess", "RW-ACR-002", "skipped-basic-psrule-export.arm.json", "none"),
    Row(
        PSRULE,
        "Azure.ACR.MinSku",
        "RW-ACR-010",
        "fail-standard-psrule-export.arm.json",
        "pass",
        "production needs Premium for the network controls; MinSku accepts Standard",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Firewall",
        "RW-ACR-012",
        "fail-premium-absent-firewall-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Firewall",
        "RW-ACR-012",
        "pass-premium-deny-placeholder-ip-psrule-export.arm.json",
        "pass",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Firewall",
        "RW-ACR-012",
        "fail-standard-no-firewall-psrule-export.arm.json",
        "none",
        "a Standard registry's endpoint is open to everyone; PSRule does not apply the rule below Premium",
    ),
    Row(PSRULE, "Azure.ACR.ExportPolicy", "RW-ACR-018", "fail-export-enabled-psrule-export.arm.json", "fail"),
    Row(
        PSRULE,
        "Azure.ACR.ExportPolicy",
        "RW-ACR-018",
        "fail-export-disabled-public-enabled-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.ExportPolicy",
        "RW-ACR-018",
        "pass-export-and-public-access-disabled-psrule-export.arm.json",
        "pass",
    ),
    Row(PSRULE, "Azure.ACR.Quarantine", "RW-ACR-020", "pass-quarantine-enabled-psrule-export.arm.json", "pass"),
    Row(
        PSRULE,
        "Azure.ACR.Quarantine",
        "RW-ACR-020",
        "fail-quarantine-disabled-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Retention",
        "RW-ACR-021",
        "fail-retention-absent-premium-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Retention",
        "RW-ACR-021",
        "fail-retention-180-days-psrule-export.arm.json",
        "pass",
        "the days must also be within the configured maximum (30 by default)",
    ),
    Row(
        PSRULE,
        "Azure.ACR.ContentTrust",
        "RW-ACR-023",
        "fail-content-trust-enabled-psrule-export.arm.json",
        "pass",
        "Docker Content Trust is being retired; we flag it for migration to Notation",
    ),
    Row(
        PSRULE,
        "Azure.ACR.ImageHealth",
        "RW-ACR-026",
        "fail-unhealthy-extension-resource-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.ImageHealth",
        "RW-ACR-026",
        "pass-healthy-extension-resource-psrule-export.arm.json",
        "pass",
    ),
    Row(PSRULE, "Azure.ACR.GeoReplica", "RW-ACR-040", "pass-nested-replicas-psrule-export.arm.json", "pass"),
    Row(
        PSRULE,
        "Azure.ACR.GeoReplica",
        "RW-ACR-040",
        "fail-all-registries-exported-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.GeoReplica",
        "RW-ACR-040",
        "unknown-single-registry-without-children-psrule-export.arm.json",
        "fail",
        "absent children prove nothing unless the export collected that type",
    ),
    # registry-B: a Standard registry exported with replica sub-resources.
    Row(
        PSRULE,
        "Azure.ACR.GeoReplica",
        "RW-ACR-040",
        "fail-standard-with-replicas-psrule-export.arm.json",
        "pass",
        "a Standard registry cannot have geo-replicas, whatever the export lists",
    ),
    Row(PSRULE, "Azure.ACR.Name", "RW-ACR-051", "fail-hyphenated-name-psrule-export.arm.json", "fail"),
    Row(PSRULE, "Azure.ACR.Usage", "RW-ACR-052", "fail-listusages-wrapper-psrule-export.arm.json", "fail"),
    Row(PSRULE, "Azure.ACR.Usage", "RW-ACR-052", "pass-listusages-wrapper-psrule-export.arm.json", "pass"),
    # PSRule's newer rule reads listUsages sub-resources one per usage (`Name` == Size), as its export writes them.
    Row(
        PSRULE,
        "Azure.ACR.Usage",
        "RW-ACR-052",
        "fail-listusages-one-resource-per-usage-psrule-export.arm.json",
        "fail",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Usage",
        "RW-ACR-052",
        "pass-listusages-one-resource-per-usage-psrule-export.arm.json",
        "pass",
    ),
    Row(
        PSRULE,
        "Azure.ACR.Usage",
        "RW-ACR-052",
        "unknown-size-usage-missing.arm.json",
        "pass",
        "without usage data nothing shows the headroom",
    ),
    # --- Checkov, on its ARM template fixtures (tests/arm/checks/resource/example_ACR*)
    Row(CHECKOV, "CKV_AZURE_137", "RW-ACR-001", "pass-admin-disabled-checkov-template.template.json", "pass"),
    Row(CHECKOV, "CKV_AZURE_137", "RW-ACR-001", "fail-admin-from-parameter-default.template.json", "fail"),
    Row(
        CHECKOV,
        "CKV_AZURE_138",
        "RW-ACR-002",
        "fail-anonymous-premium-checkov-template.template.json",
        "fail",
    ),
    Row(CHECKOV, "CKV_AZURE_138", "RW-ACR-002", "skipped-basic-checkov-template.template.json", "pass"),
    Row(
        CHECKOV,
        "CKV_AZURE_138",
        "RW-ACR-002",
        "fail-anonymous-without-sku-checkov-template.template.json",
        "pass",
        "an explicit anonymousPullEnabled true fails when the SKU is absent: the setting is the risk",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_138",
        "RW-ACR-002",
        "unknown-anonymous-sku-name-not-a-string-checkov-template.template.json",
        "pass",
        "a SKU that cannot be read decides nothing: UNKNOWN, not a pass",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_139",
        "RW-ACR-011",
        "fail-public-access-enabled-checkov-template.template.json",
        "fail",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_139",
        "RW-ACR-011",
        "pass-public-access-disabled-checkov-template.template.json",
        "pass",
    ),
    # Checkov fails an absent publicNetworkAccess; the service default is Enabled, so we agree.
    Row(
        CHECKOV,
        "CKV_AZURE_139",
        "RW-ACR-011",
        "fail-public-access-absent-checkov-template.template.json",
        "fail",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_166",
        "RW-ACR-020",
        "fail-quarantine-disabled-checkov-template.template.json",
        "fail",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_166",
        "RW-ACR-020",
        "pass-quarantine-enabled-checkov-template.template.json",
        "pass",
    ),
    Row(CHECKOV, "CKV_AZURE_233", "RW-ACR-042", "fail-replica-disabled-checkov-template.template.json", "fail"),
    Row(
        CHECKOV,
        "CKV_AZURE_233",
        "RW-ACR-042",
        "pass-registry-and-replica-enabled-checkov-template.template.json",
        "pass",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_233",
        "RW-ACR-042",
        "unknown-registry-enabled-no-replicas-checkov-template.template.json",
        "pass",
        "the rule covers every replica, and replicas not in the input are not known",
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_233",
        "RW-ACR-042",
        "unknown-value-wrapped-in-list-checkov-template.template.json",
        "fail",
        'a list such as ["disabled"] is not a valid zoneRedundancy value, so it is unreadable, not a verdict',
    ),
    # Checkov's fail2/pass2: a replication alone, its registry named only by a dependsOn.
    Row(
        CHECKOV, "CKV_AZURE_233", "RW-ACR-042", "fail-replication-only-template-checkov-template.template.json", "fail"
    ),
    Row(
        CHECKOV,
        "CKV_AZURE_233",
        "RW-ACR-042",
        "unknown-replication-only-template-replica-enabled-checkov-template.template.json",
        "pass",
        "a template of replications alone does not show the registry's own zone redundancy",
    ),
    # --- Checkov, on its Terraform fixture for CKV_AZURE_165 (example_ACRGeoreplicated/main.tf)
    Row(
        CHECKOV, "CKV_AZURE_165", "RW-ACR-040", "fail-terraform-premium-no-georeplications-location-unknown.tf", "fail"
    ),
    Row(CHECKOV, "CKV_AZURE_165", "RW-ACR-040", "fail-terraform-basic-dynamic-georeplications.tf", "fail"),
    Row(
        CHECKOV,
        "CKV_AZURE_165",
        "RW-ACR-040",
        "unknown-terraform-replica-location-from-variable.tf",
        "pass",
        "a georeplications block whose region is not known is UNKNOWN here",
    ),
    # --- azqr, on the SDK objects its rules_test.go builds (properties left unset unless named)
    Row(AZQR, "cr-008", "RW-ACR-001", "pass-admin-absent-defaults-disabled.arm.json", "pass"),
    Row(
        AZQR,
        "cr-004",
        "RW-ACR-014",
        "unknown-connection-without-state-azqr.arm.json",
        "pass",
        "only an Approved connection carries traffic; a connection without a state is not known to",
    ),
)

UNCOVERED = {
    ("Checkov", "CKV_AZURE_164"): "no ARM check in Checkov (Terraform only); RW-ACR-023 rationale explains",
    ("Checkov", "CKV_AZURE_167"): "no ARM check in Checkov (Terraform only)",
    ("Checkov", "CKV_AZURE_237"): "no ARM check in Checkov (Terraform only)",
    ("Checkov", "CKV_AZURE_86"): "checks the retired Defender plan; RW-ACR-025 references it as such",
    ("Checkov", "CKV2_AZURE_30"): "a Terraform graph check; no ARM fixture",
    ("PSRule", "Azure.Defender.Containers"): "subscription-level pricing, not in the ACR fixture",
    ("PSRule", "Azure.ACR.AuditLogs"): "no diagnostic settings in the ACR fixture",
    ("PSRule", "Azure.ACR.ReplicaLocation"): "depends on configured allowed regions, not in the ACR fixture",
}
"""Anchor checks our rules reference that have no comparable anchor test input, and why."""


def outcome(row: Row) -> Status:
    path = CASES / row.rule / row.case
    registries = load_registries([path])
    results = evaluate(registries, PostureConfig(), [RULES[row.rule]], today=date(2026, 1, 15))
    statuses = {result.status for result in results}
    assert len(statuses) == 1, f"{path}: registries disagree among themselves: {statuses}"
    return statuses.pop()


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r.check}:{r.case}")
def test_audit_agrees_with_the_anchor_or_says_why_not(row: Row) -> None:
    status = outcome(row)
    assert status.name.lower() == row.case.split("-", 1)[0], "the case name states our own verdict"
    if row.differs_because is None:
        assert status in AGREES[row.anchor_verdict], f"{row.check} says {row.anchor_verdict}, we say {status}"
    else:
        assert status not in AGREES[row.anchor_verdict], f"{row.check} now agrees: drop the recorded reason"
        # A deliberate difference is documented where users read it: the rule's rationale names the check.
        assert row.check.split(" ")[0] in RULES[row.rule].meta.rationale, row.rule


@pytest.mark.parametrize("row", TABLE, ids=lambda r: f"{r.check}:{r.case}")
def test_each_row_maps_to_a_reference_the_rule_declares(row: Row) -> None:
    references = {(ref.anchor, ref.id.split(" ")[0]) for ref in RULES[row.rule].meta.references}
    assert (row.anchor, row.check) in references


def test_every_psrule_and_checkov_reference_is_compared_or_explained() -> None:
    compared = {(row.anchor, row.check) for row in TABLE}
    referenced = {
        (ref.anchor, ref.id.split(" ")[0])
        for rule in ALL_RULES
        for ref in rule.meta.references
        if ref.anchor in (PSRULE, CHECKOV)
    }
    assert referenced - compared == set(UNCOVERED)
    assert not compared & set(UNCOVERED)
