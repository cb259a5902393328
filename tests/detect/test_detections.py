"""Every detection with a case that must fire and a case that must not, through its pure `detect(events, context)`
(the engine runs the same detectors in one pass: test_engine.py)."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

from regwarden.detect.config import LogsConfig, Threshold
from regwarden.detect.detection import Detection, DetectionContext, Finding, Gap, RunningImages
from regwarden.detect.detections import (
    ALL_DETECTIONS,
    admin_account_login,
    admin_user_credentials,
    anonymous_pull_enabled,
    diagnostic_settings_changed,
    failed_login_burst,
    mass_deletion,
    network_rules_opened,
    role_assignment_changed,
    running_digest_deleted,
    tokens_scope_maps_changed,
    unexpected_source_ip,
    webhooks_changed,
)
from regwarden.model.audit import AuditEvent
from tests.detect.events import GROUP, REGISTRY, SUB, activity, at, login, repository

DIGEST = "sha256:" + "a" * 64
OTHER = "sha256:" + "b" * 64
RUNNING = RunningImages(digests=frozenset({DIGEST}), tags=frozenset({"shopacr.azurecr.io/shop/web:1.4"}))


def run(detection: Detection, events: list[AuditEvent], **context: object) -> tuple[list[Finding], list[Gap]]:
    return detection.detect(events, DetectionContext(**context))  # type: ignore[arg-type]


def keys(found: tuple[list[Finding], list[Gap]]) -> list[str]:
    return [finding.key for finding in found[0]]


def test_the_list_has_twelve_detections_with_unique_ids_and_slugs() -> None:
    ids = [d.meta.id for d in ALL_DETECTIONS]
    assert ids == [f"RW-LOG-{n:03d}" for n in range(1, 13)]
    assert len({d.meta.slug for d in ALL_DETECTIONS}) == 12


# RW-LOG-001 admin account login


def test_admin_login_fires_for_the_registry_name_and_configured_names_and_folds_repeats() -> None:
    events = [login("shopacr", minutes=0), login("SHOPACR", minutes=5, result="Failure", status="401")]
    [finding], _ = run(admin_account_login.DETECTION, events)
    assert (finding.key, finding.count, finding.first_seen, finding.last_seen) == ("shopacr|shopacr", 2, at(0), at(5))
    assert finding.message.startswith("the admin account 'shopacr' of shopacr logged in from 10.0.0.5 (succeeded)")
    assert "2 times" in finding.message and len(finding.evidence) == 2
    config = LogsConfig(admin_identities=frozenset({"acr-admin"}))
    assert keys(run(admin_account_login.DETECTION, [login("acr-admin")], config=config)) == ["shopacr|acr-admin"]


def test_admin_login_ignores_other_identities_and_empty_ones() -> None:
    assert run(admin_account_login.DETECTION, [login("ci-pipeline"), login(""), login("shopacr2")]) == ([], [])


# RW-LOG-002 unexpected source address


def test_unexpected_address_outside_the_allowed_ranges_ipv4_and_ipv6() -> None:
    config = LogsConfig(allowed_cidrs=(ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")))
    events = [login(ip="10.1.2.3"), login(ip="2001:db8::7"), login(ip="203.0.113.9"), repository(ip="2001:dead::1")]
    found, gaps = run(unexpected_source_ip.DETECTION, events, config=config)
    assert sorted(f.key for f in found) == ["2001:dead::1", "203.0.113.9"]
    assert all("outside the allowed ranges" in f.message for f in found)
    assert [g.reason for g in gaps] == [unexpected_source_ip.SHORT_HISTORY]


def test_unexpected_address_new_after_the_baseline_with_mapped_ipv4_known() -> None:
    baseline = [login(ip="198.51.100.24", days=d) for d in range(15)]
    later = [login(ip="::ffff:198.51.100.24", days=15), repository(ip="203.0.113.50", days=15), login(ip="", days=15)]
    found, gaps = run(unexpected_source_ip.DETECTION, baseline + later)
    assert [(f.key, f.count) for f in found] == [("203.0.113.50", 1)]
    assert "never seen in the 14d baseline before" in found[0].message
    assert [(g.reason, g.count) for g in gaps] == [(unexpected_source_ip.NO_ADDRESS, 1)]


def test_unexpected_address_with_since_uses_the_window_before_it_as_baseline() -> None:
    events = [login(ip="198.51.100.1", days=0), login(ip="198.51.100.1", days=2), login(ip="198.51.100.2", days=2)]
    found, _ = run(unexpected_source_ip.DETECTION, events, analysis_start=at(days=1))
    assert [f.key for f in found] == ["198.51.100.2"]


def test_unexpected_address_is_quiet_for_known_and_allowed_addresses_and_pushes() -> None:
    config = LogsConfig(allowed_cidrs=(ipaddress.ip_network("10.0.0.0/8"),))
    events = [login(ip="10.0.0.1", days=d) for d in range(20)] + [repository("Push", ip="203.0.113.1", days=19)]
    assert run(unexpected_source_ip.DETECTION, events, config=config) == ([], [])


# RW-LOG-003 mass deletion

SMALL_BURST = LogsConfig(mass_delete=Threshold(3, timedelta(minutes=10)))


def test_mass_deletion_fires_once_per_burst_with_every_delete_counted() -> None:
    events = [repository("Delete", identity="ops", minutes=m, repo=f"shop/r{m}") for m in (0, 2, 4, 6, 30)]
    [finding], gaps = run(mass_deletion.DETECTION, events, config=SMALL_BURST)
    assert (finding.key, finding.count, finding.first_seen, finding.last_seen) == ("shopacr|ops", 4, at(0), at(6))
    assert "ops deleted 4 manifests from shopacr" in finding.message and gaps == []


def test_mass_deletion_is_exact_for_exports_sorted_newest_first() -> None:
    events = [repository("Delete", identity="ops", minutes=m) for m in (30, 6, 4, 2, 0)]
    [finding], _ = run(mass_deletion.DETECTION, events, config=SMALL_BURST)
    assert (finding.count, finding.first_seen, finding.last_seen) == (4, at(0), at(6))


def test_mass_deletion_quiet_when_spread_out_split_by_identity_or_untags() -> None:
    spread = [repository("Delete", identity="ops", minutes=m) for m in (0, 11, 22, 33)]
    split = [repository("Delete", identity=name, minutes=1) for name in ("a", "b", "c")]
    untags = [repository("Untag", identity="ops", minutes=m) for m in range(5)]
    assert run(mass_deletion.DETECTION, spread + split + untags, config=SMALL_BURST) == ([], [])


# RW-LOG-004 running digest deleted


def test_running_digest_deleted_by_digest_and_running_tag_untagged() -> None:
    events = [repository("Delete", digest=DIGEST, tag=""), repository("Untag", tag="1.4")]
    found, _ = run(running_digest_deleted.DETECTION, events, running=RUNNING)
    assert sorted(f.key for f in found) == ["shopacr|shop/web:1.4", f"shopacr|shop/web@{DIGEST}"]


def test_running_digest_quiet_for_other_digests_and_says_when_no_inventory() -> None:
    events = [repository("Delete", digest=OTHER, tag=""), repository("Untag", tag="1.3")]
    assert run(running_digest_deleted.DETECTION, events, running=RUNNING) == ([], [])
    found, gaps = run(running_digest_deleted.DETECTION, events)
    assert found == [] and [(g.reason, g.count) for g in gaps] == [(running_digest_deleted.NO_INVENTORY, 2)]


# RW-LOG-005 role assignments

WRITE_ROLE = "Microsoft.Authorization/roleAssignments/write"


def test_role_assignment_on_the_registry_and_on_its_group_once_a_registry_is_seen_there() -> None:
    on_registry = activity(WRITE_ROLE, f"{REGISTRY}/providers/Microsoft.Authorization/roleAssignments/r1")
    on_group = activity(WRITE_ROLE, body={"Properties": {"Scope": GROUP}}, correlation="c1")
    on_group_again = activity(WRITE_ROLE, body={"Properties": {"Scope": GROUP}}, correlation="c1", status="Started")
    events = [on_group, on_group_again, on_registry, login()]  # the registry's group is learnt after the assignment
    found, _ = run(role_assignment_changed.DETECTION, events)
    assert {(f.key, f.count) for f in found} == {
        (f"{GROUP.lower()}|wrote|mallory@example.com", 1),  # Started and Succeeded of one operation: counted once
        (f"{REGISTRY.lower()}|wrote|mallory@example.com", 1),
    }


def test_role_assignment_quiet_elsewhere_at_subscription_scope_and_when_failed() -> None:
    events = [
        activity(WRITE_ROLE, body={"Properties": {"Scope": f"{SUB}/resourceGroups/rg-other"}}),
        activity(WRITE_ROLE, body={"Properties": {"Scope": SUB}}),
        activity(WRITE_ROLE, f"{REGISTRY}/providers/Microsoft.Authorization/roleAssignments/r1", status="Failed"),
        login(),
    ]
    assert run(role_assignment_changed.DETECTION, events) == ([], [])


# RW-LOG-006 admin user enabled, credentials listed or regenerated

REGISTRY_WRITE = "Microsoft.ContainerRegistry/registries/write"


def test_admin_user_enabled_credentials_listed_and_regenerated() -> None:
    events = [
        activity(REGISTRY_WRITE, body={"properties": {"adminUserEnabled": True}}),
        activity("MICROSOFT.CONTAINERREGISTRY/REGISTRIES/LISTCREDENTIALS/ACTION"),
        activity("Microsoft.ContainerRegistry/registries/regenerateCredential/action"),
    ]
    found, _ = run(admin_user_credentials.DETECTION, events)
    assert sorted(f.message for f in found) == [
        "mallory@example.com enabled the admin user of shopacr",
        "mallory@example.com listed the admin passwords of shopacr",
        "mallory@example.com regenerated an admin password of shopacr",
    ]


def test_admin_user_quiet_for_other_writes_failures_and_unknown_without_a_body() -> None:
    events = [
        activity(REGISTRY_WRITE, body={"properties": {"adminUserEnabled": False}}),
        activity("Microsoft.ContainerRegistry/registries/listCredentials/action", status="Failed"),
    ]
    assert run(admin_user_credentials.DETECTION, events) == ([], [])
    found, gaps = run(admin_user_credentials.DETECTION, [activity(REGISTRY_WRITE)])
    assert found == [] and [g.reason for g in gaps] == [admin_user_credentials.NO_BODY]


# RW-LOG-007 tokens and scope maps


def test_tokens_and_scope_maps_changes() -> None:
    events = [
        activity("Microsoft.ContainerRegistry/registries/tokens/write", f"{REGISTRY}/tokens/deployer"),
        activity("Microsoft.ContainerRegistry/registries/scopeMaps/delete", f"{REGISTRY}/scopeMaps/readers"),
        activity("Microsoft.ContainerRegistry/registries/generateCredentials/action"),
    ]
    found, _ = run(tokens_scope_maps_changed.DETECTION, events)
    assert sorted(f.message for f in found) == [
        "mallory@example.com created or changed token deployer (shopacr)",
        "mallory@example.com deleted scope map readers (shopacr)",
        "mallory@example.com generated token passwords in (shopacr)",
    ]


def test_tokens_quiet_for_reads_and_failures() -> None:
    events = [
        activity("Microsoft.ContainerRegistry/registries/tokens/read", f"{REGISTRY}/tokens/deployer"),
        activity("Microsoft.ContainerRegistry/registries/tokens/write", f"{REGISTRY}/tokens/x", status="Failure"),
    ]
    assert run(tokens_scope_maps_changed.DETECTION, events) == ([], [])


# RW-LOG-008 diagnostic settings

SETTING = f"{REGISTRY}/providers/Microsoft.Insights/diagnosticSettings/audit"


def test_diagnostic_setting_of_a_registry_deleted_or_changed() -> None:
    events = [activity("Microsoft.Insights/diagnosticSettings/delete", SETTING)]
    events.append(activity("MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/WRITE", SETTING.upper(), minutes=1))
    found, _ = run(diagnostic_settings_changed.DETECTION, events)
    assert sorted(f.message for f in found) == [
        "mallory@example.com changed diagnostic setting 'AUDIT' of shopacr",
        "mallory@example.com deleted diagnostic setting 'audit' of shopacr",
    ]


def test_diagnostic_settings_of_other_resources_are_not_reported() -> None:
    other = f"{GROUP}/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Insights/diagnosticSettings/audit"
    assert run(
        diagnostic_settings_changed.DETECTION, [activity("Microsoft.Insights/diagnosticSettings/delete", other)]
    ) == ([], [])


# RW-LOG-009 webhooks


def test_webhook_created_and_deleted() -> None:
    events = [
        activity("Microsoft.ContainerRegistry/registries/webhooks/write", f"{REGISTRY}/webhooks/exfil"),
        activity("Microsoft.ContainerRegistry/registries/webhooks/delete", f"{REGISTRY}/webhooks/deploy"),
    ]
    found, _ = run(webhooks_changed.DETECTION, events)
    assert sorted(f.message for f in found) == [
        "mallory@example.com created or changed webhook 'exfil' of shopacr",
        "mallory@example.com deleted webhook 'deploy' of shopacr",
    ]


def test_webhook_pings_and_failed_writes_are_not_reported() -> None:
    events = [
        activity("Microsoft.ContainerRegistry/registries/webhooks/ping/action", f"{REGISTRY}/webhooks/deploy"),
        activity("Microsoft.ContainerRegistry/registries/webhooks/write", f"{REGISTRY}/webhooks/x", status="Failed"),
    ]
    assert run(webhooks_changed.DETECTION, events) == ([], [])


# RW-LOG-010 failed login bursts

FEW_FAILURES = LogsConfig(failed_logins=Threshold(3, timedelta(minutes=5)))


def test_failed_login_burst_from_one_address_ipv6_included() -> None:
    events = [login("", "2001:db8::9", minutes=m, result="Failure", status="401") for m in (0, 1, 2)]
    events += [login("guess", "203.0.113.5", minutes=m, result="", status="403") for m in (0, 1, 2, 3)]
    found, _ = run(failed_login_burst.DETECTION, events, config=FEW_FAILURES)
    assert sorted((f.key, f.count) for f in found) == [("shopacr|2001:db8::9", 3), ("shopacr|203.0.113.5", 4)]


def test_failed_logins_spread_out_or_successful_are_quiet() -> None:
    events = [login(ip="203.0.113.5", minutes=m, result="Failure", status="401") for m in (0, 6, 12)]
    events += [login(ip="203.0.113.6", minutes=m) for m in range(10)]
    assert run(failed_login_burst.DETECTION, events, config=FEW_FAILURES) == ([], [])


# RW-LOG-011 anonymous pull


def test_anonymous_pull_turned_on() -> None:
    events = [activity(REGISTRY_WRITE, body={"Properties": {"AnonymousPullEnabled": "true"}})]
    [finding], _ = run(anonymous_pull_enabled.DETECTION, events)
    assert finding.message == "mallory@example.com turned anonymous pull on for shopacr"


def test_anonymous_pull_turned_off_is_quiet_and_a_missing_body_is_a_gap() -> None:
    off = activity(REGISTRY_WRITE, body={"properties": {"anonymousPullEnabled": False}})
    assert run(anonymous_pull_enabled.DETECTION, [off]) == ([], [])
    assert [g.count for g in run(anonymous_pull_enabled.DETECTION, [activity(REGISTRY_WRITE)] * 2)[1]] == [2]


# RW-LOG-012 network rules opened


def test_network_opened_by_public_access_default_action_or_a_wide_range() -> None:
    body = {
        "properties": {
            "publicNetworkAccess": "Enabled",
            "networkRuleSet": {"defaultAction": "Allow", "ipRules": [{"value": "0.0.0.0/0"}, {"value": "10.1.0.0/16"}]},
        }
    }
    [finding], _ = run(network_rules_opened.DETECTION, [activity(REGISTRY_WRITE, body=body)])
    assert finding.message.endswith(
        "opened network access to shopacr: publicNetworkAccess Enabled; networkRuleSet.defaultAction Allow; "
        "allow-list range 0.0.0.0/0"
    )


def test_network_narrow_rules_and_closing_are_quiet() -> None:
    body = {
        "properties": {
            "publicNetworkAccess": "Disabled",
            "networkRuleSet": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}]},
        }
    }
    assert run(network_rules_opened.DETECTION, [activity(REGISTRY_WRITE, body=body)]) == ([], [])
