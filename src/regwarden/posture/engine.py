"""Evaluate rules over registries: profile filtering, the checks, then suppressions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.finding import Status
from regwarden.model.registry import Registry
from regwarden.posture.config import PostureConfig, Suppression
from regwarden.posture.rule import Evidence, Rule, RuleContext, RuleMeta


@dataclass(frozen=True)
class RuleResult:
    rule: RuleMeta
    registry_id: str
    registry_name: str
    status: Status
    message: str
    evidence: tuple[Evidence, ...]
    suppressed: bool = False
    suppression: Suppression | None = None
    """The matching suppression, active or expired."""
    suppression_note: str | None = None
    """Why it is suppressed, or that the suppression expired on a date."""


def evaluate(
    registries: Sequence[Registry],
    config: PostureConfig,
    rules: Sequence[Rule] | None = None,
    *,
    today: date | None = None,
) -> list[RuleResult]:
    """One result per (registry, rule), in input order then rule order."""
    if rules is None:
        from regwarden.posture.rules import ALL_RULES  # deferred: importing the engine loads no rules

        rules = ALL_RULES
    context = RuleContext(config, today or date.today())
    results = []
    with cyclic_gc_paused():  # results and evidence hold no cycles; see gc_pause
        for registry in registries:
            for rule in rules:
                result = _run(rule, registry, context)
                results.append(_apply_suppressions(result, config.suppressions, context.today))
    return results


def _run(rule: Rule, registry: Registry, context: RuleContext) -> RuleResult:
    meta = rule.meta
    if context.config.profile not in meta.profiles:
        wanted = ", ".join(sorted(p.value for p in meta.profiles))
        message = f"profile {context.config.profile.value} excludes this rule (applies in: {wanted})"
        return RuleResult(meta, registry.id, registry.name, Status.SKIPPED, message, ())
    check = rule.check(registry, context)
    return RuleResult(meta, registry.id, registry.name, check.status, check.message, check.evidence)


def _apply_suppressions(result: RuleResult, suppressions: Sequence[Suppression], today: date) -> RuleResult:
    if result.status in (Status.PASS, Status.SKIPPED):
        return result
    matching = [s for s in suppressions if s.matches(result.rule.id, result.registry_name, result.registry_id)]
    if not matching:
        return result
    active = [s for s in matching if s.expires >= today]
    if active:
        chosen = max(active, key=lambda s: s.expires)
        note = f"suppressed until {chosen.expires.isoformat()}: {chosen.reason}"
        return replace(result, suppressed=True, suppression=chosen, suppression_note=note)
    latest = max(matching, key=lambda s: s.expires)
    note = f"suppression expired on {latest.expires.isoformat()} ({latest.reason}); no longer suppressed"
    return replace(result, suppression=latest, suppression_note=note)
