"""The live collector, driven through the real Azure SDK clients against a local fake ARM (fake_arm.py).

The subscription in testdata/live/subscription.json holds three registries: acrweak01 (admin user on,
HTTP webhook, admin-scoped token), acrhardened01 (private, replicated, locked, logged) in resource group
rg-app, and acrother01 in rg-other, on which reading role assignments answers 403 AuthorizationFailed. The
registry list is split over two pages by nextLink.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from regwarden.collect.azure.live import collect_registries
from regwarden.model.errors import AuthError, NotFoundError, UnreachableError
from regwarden.model.finding import Status
from regwarden.model.registry import Registry, ValueSource
from regwarden.posture.config import PostureConfig
from regwarden.posture.engine import evaluate
from regwarden.posture.rules import ALL_RULES
from tests.collect.fake_arm import FakeArm, load_routes, serve

LIVE = Path(__file__).parent / "testdata" / "live"
SUB = "3f2a1b0c-5d4e-4f6a-8b7c-9d0e1f2a3b4c"
S = f"/subscriptions/{SUB}"
_ACR = "providers/microsoft.containerregistry/registries"
REGISTRIES = {
    "acrweak01": f"{S}/resourcegroups/rg-app/{_ACR}/acrweak01",
    "acrhardened01": f"{S}/resourcegroups/rg-app/{_ACR}/acrhardened01",
    "acrother01": f"{S}/resourcegroups/rg-other/{_ACR}/acrother01",
}
PER_REGISTRY = {
    ("GET", "/replications", "2025-11-01"),
    ("GET", "/tokens", "2025-11-01"),
    ("GET", "/scopemaps", "2025-11-01"),
    ("GET", "/webhooks", "2025-11-01"),
    ("GET", "/listusages", "2025-11-01"),
    ("GET", "/tasks", "2019-06-01-preview"),
    ("GET", "/providers/microsoft.insights/diagnosticsettings", "2021-05-01-preview"),
    ("GET", "/providers/microsoft.authorization/roleassignments", "2022-04-01"),
    ("GET", "/providers/microsoft.authorization/locks", "2016-09-01"),
    ("GET", "/providers/microsoft.security/assessments", "2021-06-01"),
}
SUBSCRIPTION_WIDE = {
    ("GET", f"{S}/providers/microsoft.security/pricings/containers", "2024-01-01"),
    ("GET", f"{S}/providers/microsoft.insights/activitylogalerts", "2020-10-01"),
    ("GET", f"{S}/providers/microsoft.insights/scheduledqueryrules", "2023-12-01"),
    ("GET", f"{S}/providers/microsoft.insights/metricalerts", "2018-03-01"),
}
ARM_SCOPE = "https://management.azure.com/.default"


class FakeCredential:
    """A TokenCredential: what azure-identity's credentials look like to the SDK pipeline."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken("fake-arm-token", int(time.time()) + 3600)


@pytest.fixture
def arm(tmp_path: Path) -> Iterator[FakeArm]:
    with serve(load_routes(LIVE / "subscription.json"), tmp_path) as fake:
        yield fake


def collect(fake: FakeArm, **kwargs: Any) -> tuple[list[Registry], FakeCredential]:
    credential = FakeCredential()
    registries = collect_registries(
        credential, SUB, base_url=fake.base_url, connection_verify=str(fake.certificate), **kwargs
    )
    return registries, credential


def statuses(registries: list[Registry], rule_ids: set[str]) -> dict[tuple[str, str], Status]:
    rules = [r for r in ALL_RULES if r.meta.id in rule_ids]
    config = PostureConfig(ci_principal_ids=("aa11bb22-cc33-4d44-8e55-ff6677889900",))
    results = evaluate(registries, config, rules, today=date(2026, 1, 15))
    return {(r.registry_name, r.rule.id): r.status for r in results}


def test_collects_every_registry_across_pages_with_the_documented_requests(arm: FakeArm) -> None:
    progress: list[str] = []
    registries, credential = collect(arm, on_progress=progress.append)

    assert [r.name for r in registries] == ["acrweak01", "acrhardened01", "acrother01"]
    assert {r.origin for r in registries} == {"azure:live"}
    listing = ("GET", f"{S}/providers/microsoft.containerregistry/registries", "2025-11-01")
    expected = {listing, *SUBSCRIPTION_WIDE}
    for registry_id in REGISTRIES.values():
        expected |= {(method, registry_id + suffix, version) for method, suffix, version in PER_REGISTRY}
    expected |= {
        ("POST", REGISTRIES["acrweak01"] + "/webhooks/buildhook/getcallbackconfig", "2025-11-01"),
        ("POST", REGISTRIES["acrhardened01"] + "/webhooks/deployhook/getcallbackconfig", "2025-11-01"),
        (
            "GET",
            f"{S}/resourcegroups/rg-network/providers/microsoft.network/privateendpoints/pe-acrhardened01",
            "2026-03-01",
        ),
        (
            "GET",
            f"{S}/resourcegroups/rg-monitor/providers/microsoft.operationalinsights/workspaces/law-security",
            "2022-10-01",
        ),
    }
    assert arm.seen() == expected
    # The second page was fetched through nextLink (which carries the api-version itself).
    assert sum(1 for r in arm.requests if r.path.casefold() == listing[1]) == 2
    assert {r.authorization for r in arm.requests} == {"Bearer fake-arm-token"}
    assert set(credential.scopes) == {(ARM_SCOPE,)}
    assert progress == [
        f"listing registries in subscription {SUB}",
        "reading acrweak01",
        "reading acrhardened01",
        "reading acrother01",
    ]


def test_sdk_models_become_the_neutral_model(arm: FakeArm) -> None:
    weak, hardened, other = collect(arm)[0]

    assert weak.admin_user_enabled.value is True
    assert weak.resource_group == "rg-app" and other.resource_group == "rg-other"
    assert {(w.name, w.service_uri.value) for w in weak.webhooks.value or ()} == {
        ("buildhook", "http://ci.contoso.example/hooks/acr")
    }
    assert {r.location.value for r in hardened.replications.value or ()} == {"westeurope", "northeurope"}
    assert [(c.status.value, c.location) for c in hardened.private_endpoint_connections.value or ()] == [
        ("Approved", "westeurope")
    ]
    assert {w.retention_in_days.value for w in hardened.workspaces.value or ()} == {400}
    assert {(lock.name, lock.level.value) for lock in hardened.locks.value or ()} == {("no-delete", "CanNotDelete")}
    assert "acr purge" in str((hardened.tasks.value or ())[0].command.value)
    assert {(u.name, u.current.value) for u in other.usages.value or ()} == {("Size", 1073741824.0)}


def test_forbidden_role_assignments_make_only_that_registry_unknown(arm: FakeArm) -> None:
    registries = collect(arm)[0]
    other = registries[2]

    assert other.role_assignments.source is ValueSource.UNAVAILABLE
    assert other.role_assignments.reason == "403 Forbidden: AuthorizationFailed"
    assert [r.role_assignments.source for r in registries[:2]] == [ValueSource.EXPLICIT] * 2
    assert statuses(registries, {"RW-ACR-004"}) == {
        ("acrweak01", "RW-ACR-004"): Status.FAIL,
        ("acrhardened01", "RW-ACR-004"): Status.PASS,
        ("acrother01", "RW-ACR-004"): Status.UNKNOWN,
    }


def test_weak_and_hardened_registries_get_opposite_verdicts(arm: FakeArm) -> None:
    registries = collect(arm)[0]
    rule_ids = {
        "RW-ACR-001",
        "RW-ACR-007",
        "RW-ACR-011",
        "RW-ACR-014",
        "RW-ACR-030",
        "RW-ACR-031",
        "RW-ACR-050",
    }
    found = statuses(registries, rule_ids | {"RW-ACR-022", "RW-ACR-043", "RW-ACR-052"})

    assert {rule: found[("acrweak01", rule)] for rule in rule_ids} == dict.fromkeys(rule_ids, Status.FAIL)
    assert {rule: found[("acrhardened01", rule)] for rule in rule_ids} == dict.fromkeys(rule_ids, Status.PASS)
    assert [found[("acrhardened01", r)] for r in ("RW-ACR-022", "RW-ACR-043", "RW-ACR-052")] == [Status.PASS] * 3
    assert found[("acrweak01", "RW-ACR-052")] is Status.FAIL


def test_resource_group_scope_lists_only_that_group(arm: FakeArm) -> None:
    registries = collect(arm, resource_group="rg-app")[0]

    assert [r.name for r in registries] == ["acrweak01", "acrhardened01"]
    listing = (
        "GET",
        f"{S}/resourcegroups/rg-app/providers/microsoft.containerregistry/registries",
        "2025-11-01",
    )
    assert listing in arm.seen()
    assert not any("rg-other" in path for _, path, _ in arm.seen())


def test_forbidden_registry_listing_names_the_missing_permission(tmp_path: Path) -> None:
    with (
        serve(load_routes(LIVE / "registries-forbidden.json"), tmp_path) as fake,
        pytest.raises(AuthError) as raised,
    ):
        collect(fake)
    message = str(raised.value)
    assert "Microsoft.ContainerRegistry/registries/read" in message
    assert "403 Forbidden: AuthorizationFailed" in message
    assert SUB in message


class RefusingCredential:
    """What DefaultAzureCredential does when no sign-in is available."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        raise ClientAuthenticationError(message="DefaultAzureCredential failed to retrieve a token")


def test_credential_without_a_token_is_an_auth_error(arm: FakeArm) -> None:
    with pytest.raises(AuthError, match="DefaultAzureCredential failed to retrieve a token"):
        collect_registries(RefusingCredential(), SUB, base_url=arm.base_url, connection_verify=str(arm.certificate))
    assert arm.requests == []


def test_unknown_resource_group_is_not_found(arm: FakeArm) -> None:
    with pytest.raises(NotFoundError, match="resource group rg-missing not found: 404 Not Found: ResourceNotFound"):
        collect(arm, resource_group="rg-missing")


WEAK_TASKS = f"GET {REGISTRIES['acrweak01']}/tasks"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            {"$text": "<html><body>Proxy login required</body></html>", "$content_type": "text/html"},
            r"with a body that is not JSON \(text/html\): '<html><body>Proxy login required",
        ),
        ({"$text": '{"value": [', "$content_type": "application/json"}, "with a body that is not JSON"),
        (["a", "list"], "with JSON that is not an object"),
        ({"value": {"not": "a list"}}, "with a 'value' that is not a list of objects"),
        ({"value": [], "nextLink": 7}, "with a nextLink that is not a URL: 7"),
    ],
)
def test_a_body_that_is_not_arm_json_is_a_clear_unreachable_error(tmp_path: Path, answer: Any, message: str) -> None:
    routes = load_routes(LIVE / "subscription.json")
    routes[WEAK_TASKS.casefold()] = answer
    with serve(routes, tmp_path) as fake, pytest.raises(UnreachableError, match=message) as raised:
        collect(fake)
    assert f"GET {REGISTRIES['acrweak01']}/tasks".casefold() in str(raised.value).casefold()


def test_an_sdk_list_answered_with_broken_json_names_the_resource_type(tmp_path: Path) -> None:
    routes = load_routes(LIVE / "subscription.json")
    routes[f"GET {REGISTRIES['acrweak01']}/replications".casefold()] = {
        "$text": '{"value": [{"name": ',
        "$content_type": "application/json",
    }
    with serve(routes, tmp_path) as fake, pytest.raises(UnreachableError) as raised:
        collect(fake)
    assert str(raised.value) == (
        "Azure Resource Manager failed reading Microsoft.ContainerRegistry/registries/replications: "
        "200 OK with a body that is not JSON"
    )
