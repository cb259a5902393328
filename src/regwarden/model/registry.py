"""The neutral model of an Azure Container Registry and what surrounds it, for posture rules.

Every adapter (az/ARM JSON, ARM templates, Terraform plan or source, the live Azure SDK) produces these objects;
rules read only these. Every scalar is a `Value` that remembers where it came from, so a finding can show the
property path, the value, and whether it was explicit, a service default, or could not be resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class ValueSource(StrEnum):
    EXPLICIT = "explicit"
    """Set in the input."""
    DEFAULT = "default"
    """Absent from the input; the service default applies (the value field holds that default)."""
    UNRESOLVED = "unresolved"
    """Present but not resolvable: an ARM expression or a Terraform variable without a value."""
    UNAVAILABLE = "unavailable"
    """Not in the input at all, or not readable (e.g. 403 on role assignments): rules give UNKNOWN."""


@dataclass(frozen=True)
class Value(Generic[T]):
    """A value with its provenance."""

    value: T | None
    source: ValueSource
    path: str
    """Where it was read, in the input's own terms: `properties.adminUserEnabled`, `admin_enabled`, ..."""
    origin: str = ""
    """Which input: a file name (with line if known), a resource id, or `azure:live`."""
    reason: str | None = None
    """Why a value is UNRESOLVED or UNAVAILABLE."""

    @property
    def known(self) -> bool:
        return self.source in (ValueSource.EXPLICIT, ValueSource.DEFAULT)

    @classmethod
    def explicit(cls, value: T, path: str, origin: str = "") -> Value[T]:
        return cls(value, ValueSource.EXPLICIT, path, origin)

    @classmethod
    def default(cls, value: T | None, path: str, origin: str = "") -> Value[T]:
        return cls(value, ValueSource.DEFAULT, path, origin)

    @classmethod
    def unresolved(cls, path: str, reason: str, origin: str = "") -> Value[T]:
        return cls(None, ValueSource.UNRESOLVED, path, origin, reason)

    @classmethod
    def unavailable(cls, path: str, reason: str, origin: str = "") -> Value[T]:
        return cls(None, ValueSource.UNAVAILABLE, path, origin, reason)


@dataclass(frozen=True)
class PrivateEndpointConnection:
    name: str
    status: Value[str]
    """privateLinkServiceConnectionState.status: Approved, Pending, Rejected, Disconnected."""
    private_endpoint_id: str | None = None
    location: str | None = None
    """Region of the private endpoint, when known."""
    dns_fqdns: tuple[str, ...] = ()
    """FQDNs from the endpoint's customDnsConfigs (data endpoints name their region)."""


@dataclass(frozen=True)
class Replication:
    name: str
    location: Value[str]
    zone_redundancy: Value[str]
    region_endpoint_enabled: Value[bool] | None = None


@dataclass(frozen=True)
class ScopeMap:
    name: str
    id: str | None
    actions: Value[tuple[str, ...]]
    """e.g. `repositories/app/content/read`; a `*` in the repository part is a wildcard."""


@dataclass(frozen=True)
class TokenPassword:
    name: str
    expiry: Value[str]
    """ISO 8601 expiry, or DEFAULT None when the password never expires."""


@dataclass(frozen=True)
class Token:
    name: str
    status: Value[str]
    """enabled / disabled."""
    scope_map_id: Value[str]
    passwords: Value[tuple[TokenPassword, ...]]


@dataclass(frozen=True)
class Webhook:
    name: str
    service_uri: Value[str]
    """Write-only in ARM: a GET never returns it; then it is UNAVAILABLE."""
    status: Value[str] | None = None


@dataclass(frozen=True)
class TaskTrigger:
    kind: str
    """timer, sourceTrigger, baseImageTrigger."""
    schedule: str | None = None


@dataclass(frozen=True)
class RegistryTask:
    name: str
    status: Value[str]
    triggers: tuple[TaskTrigger, ...]
    command: Value[str]
    """The task's command or decoded encoded task content, to recognise `acr purge`."""


@dataclass(frozen=True)
class DiagnosticSetting:
    name: str
    categories: Value[tuple[str, ...]]
    """Enabled log categories and category groups (e.g. ContainerRegistryLoginEvents, audit, allLogs)."""
    workspace_id: str | None = None
    storage_account_id: str | None = None
    storage_retention_days: int | None = None
    """Legacy per-category retention on a storage destination, when enabled."""


@dataclass(frozen=True)
class LogAnalyticsWorkspace:
    id: str
    retention_in_days: Value[int]


@dataclass(frozen=True)
class RoleAssignment:
    principal_id: str
    principal_type: Value[str]
    """User, Group, ServicePrincipal, ForeignGroup, Device; managed identities are ServicePrincipal."""
    role_definition_id: str
    role_name: str | None
    """Built-in role name resolved from the role definition GUID, or the custom role's name."""
    scope: str
    """The registry, its resource group, its subscription, or a management group."""


@dataclass(frozen=True)
class ManagementLock:
    name: str
    level: Value[str]
    """CanNotDelete or ReadOnly."""
    scope: str


@dataclass(frozen=True)
class DefenderPlan:
    pricing_tier: Value[str]
    """Microsoft.Security/pricings/Containers pricingTier: Free or Standard."""
    registry_assessments_extension: Value[bool]
    """Whether the ContainerRegistriesVulnerabilityAssessments extension is enabled."""


@dataclass(frozen=True)
class SecurityAssessment:
    name: str
    display_name: str | None
    status: Value[str]
    """Healthy, Unhealthy, NotApplicable."""


@dataclass(frozen=True)
class Usage:
    name: str
    current: Value[float]
    limit: Value[float]
    unit: str | None = None


@dataclass(frozen=True)
class AlertRule:
    name: str
    kind: str
    """activityLogAlert, scheduledQueryRule, metricAlert."""
    enabled: Value[bool]
    text: str
    """Everything the rule matches on (conditions, queries, operation names), to recognise what it covers."""


@dataclass(frozen=True)
class PolicyAssignment:
    name: str
    policy_definition_id: str
    scope: str
    enforcement_mode: Value[str] | None = None


def _unavailable(path: str) -> Value[tuple[object, ...]]:
    return Value.unavailable(path, "not present in the input")


@dataclass(frozen=True)
class Registry:
    """One container registry and every related resource the input held."""

    name: str
    id: str
    """ARM resource id when known, else an id made from the input (e.g. the Terraform address)."""
    origin: str
    """Which input this registry came from (file name or `azure:live`)."""
    location: Value[str]
    sku: Value[str]
    admin_user_enabled: Value[bool]
    anonymous_pull_enabled: Value[bool]
    arm_audience_token_status: Value[str]
    """policies.azureADAuthenticationAsArmPolicy.status: enabled/disabled (service default enabled)."""
    public_network_access: Value[str]
    network_default_action: Value[str]
    ip_rules: Value[tuple[str, ...]]
    network_rule_bypass: Value[str]
    data_endpoint_enabled: Value[bool]
    export_policy_status: Value[str]
    quarantine_policy_status: Value[str]
    retention_policy_status: Value[str]
    retention_days: Value[int]
    trust_policy_status: Value[str]
    encryption_status: Value[str]
    zone_redundancy: Value[str]
    resource_group: str | None = None
    subscription_id: str | None = None
    role_based_access_mode: Value[str] | None = None
    """ABAC mode (`roleAssignmentMode`): LegacyRegistryPermissions or AbacRepositoryPermissions."""
    private_endpoint_connections: Value[tuple[PrivateEndpointConnection, ...]] = field(
        default_factory=lambda: _unavailable("properties.privateEndpointConnections")  # type: ignore[arg-type,return-value]
    )
    replications: Value[tuple[Replication, ...]] = field(
        default_factory=lambda: _unavailable("registries/replications")  # type: ignore[arg-type,return-value]
    )
    scope_maps: Value[tuple[ScopeMap, ...]] = field(
        default_factory=lambda: _unavailable("registries/scopeMaps")  # type: ignore[arg-type,return-value]
    )
    tokens: Value[tuple[Token, ...]] = field(
        default_factory=lambda: _unavailable("registries/tokens")  # type: ignore[arg-type,return-value]
    )
    webhooks: Value[tuple[Webhook, ...]] = field(
        default_factory=lambda: _unavailable("registries/webhooks")  # type: ignore[arg-type,return-value]
    )
    tasks: Value[tuple[RegistryTask, ...]] = field(
        default_factory=lambda: _unavailable("registries/tasks")  # type: ignore[arg-type,return-value]
    )
    diagnostic_settings: Value[tuple[DiagnosticSetting, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Insights/diagnosticSettings")  # type: ignore[arg-type,return-value]
    )
    workspaces: Value[tuple[LogAnalyticsWorkspace, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.OperationalInsights/workspaces")  # type: ignore[arg-type,return-value]
    )
    role_assignments: Value[tuple[RoleAssignment, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Authorization/roleAssignments")  # type: ignore[arg-type,return-value]
    )
    locks: Value[tuple[ManagementLock, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Authorization/locks")  # type: ignore[arg-type,return-value]
    )
    defender: Value[DefenderPlan] = field(
        default_factory=lambda: Value.unavailable("Microsoft.Security/pricings/Containers", "not present in the input")
    )
    assessments: Value[tuple[SecurityAssessment, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Security/assessments")  # type: ignore[arg-type,return-value]
    )
    usages: Value[tuple[Usage, ...]] = field(
        default_factory=lambda: _unavailable("registries/listUsages")  # type: ignore[arg-type,return-value]
    )
    alert_rules: Value[tuple[AlertRule, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Insights alert rules")  # type: ignore[arg-type,return-value]
    )
    policy_assignments: Value[tuple[PolicyAssignment, ...]] = field(
        default_factory=lambda: _unavailable("Microsoft.Authorization/policyAssignments")  # type: ignore[arg-type,return-value]
    )
