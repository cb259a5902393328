"""The posture rule seam: typed metadata, the evidence a result rests on, and the Rule protocol."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry, Value, ValueSource
from regwarden.posture.config import PostureConfig, Profile

ALL_PROFILES = frozenset(Profile)
PROD_PROFILES = frozenset({Profile.PRODUCTION, Profile.REGULATED})
"""Rules marked (prod) in the baseline: skipped in dev."""
REGULATED_ONLY = frozenset({Profile.REGULATED})


@dataclass(frozen=True)
class Remediation:
    az: str
    bicep: str
    terraform: str


@dataclass(frozen=True)
class Reference:
    anchor: str
    """PSRule, Checkov, Prowler, Azure Policy, MCSB, azqr/APRL, KICS."""
    id: str


@dataclass(frozen=True)
class RuleMeta:
    id: str
    slug: str
    title: str
    severity: Severity
    category: str
    rationale: str
    """Why the rule exists, and where it deliberately disagrees with an anchor."""
    remediation: Remediation
    references: tuple[Reference, ...] = ()
    profiles: frozenset[Profile] = ALL_PROFILES


@dataclass(frozen=True)
class Evidence:
    path: str
    value: Any
    source: ValueSource
    origin: str
    reason: str | None = None

    @classmethod
    def of(cls, value: Value[Any]) -> Evidence:
        return cls(value.path, value.value, value.source, value.origin, value.reason)


@dataclass(frozen=True)
class Check:
    status: Status
    message: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class RuleContext:
    config: PostureConfig
    today: date


class Rule(Protocol):
    @property
    def meta(self) -> RuleMeta: ...

    def check(self, registry: Registry, context: RuleContext) -> Check: ...


@dataclass(frozen=True)
class FunctionRule:
    """A rule made of its metadata and a pure check function (what every module in rules/ exports)."""

    meta: RuleMeta
    function: Callable[[Registry, RuleContext], Check]

    def check(self, registry: Registry, context: RuleContext) -> Check:
        return self.function(registry, context)
