"""Posture use cases: load registries (files or live), evaluate the rules, render, gate."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.model.finding import Severity, Status
from regwarden.service.progress import Progress

if TYPE_CHECKING:
    from regwarden.model.registry import Registry
    from regwarden.posture.engine import RuleResult
    from regwarden.posture.rule import Rule


@dataclass(frozen=True)
class AuditRequest:
    paths: tuple[Path, ...] = ()
    subscription: str | None = None
    resource_group: str | None = None
    profile: str | None = None
    config_file: Path | None = None
    only_rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()


def audit_acr(request: AuditRequest, progress: Progress | None = None) -> list[RuleResult]:
    """Load registries (files or live), evaluate the selected rules under the configured profile."""
    from regwarden.posture.config import PostureConfig, Profile, load_config
    from regwarden.posture.engine import evaluate

    if bool(request.paths) == bool(request.subscription):
        raise BadInputError("give either --from FILE (repeatable) or --subscription ID")
    config = load_config(request.config_file) if request.config_file else PostureConfig()
    if request.profile:
        config = replace(config, profile=Profile(request.profile))
    registries = _load_registries(request, progress)
    if not registries:
        raise BadInputError("no container registry found in the input")
    return evaluate(registries, config, select_rules(request.only_rules, request.skip_rules))


def _load_registries(request: AuditRequest, progress: Progress | None) -> list[Registry]:
    if request.paths:
        from regwarden.collect.loader import load_registries

        return load_registries(list(request.paths))
    from azure.identity import DefaultAzureCredential

    from regwarden.collect.azure.live import collect_registries

    assert request.subscription is not None
    return collect_registries(
        DefaultAzureCredential(),
        request.subscription,
        resource_group=request.resource_group,
        on_progress=progress,
    )


def select_rules(only: Sequence[str], skip: Sequence[str]) -> list[Rule]:
    from regwarden.posture.rules import ALL_RULES

    known = {rule.meta.id for rule in ALL_RULES}
    unknown = sorted({rule_id.upper() for rule_id in (*only, *skip)} - known)
    if unknown:
        raise BadInputError(f"unknown rule id(s): {', '.join(unknown)}; see `regwarden rules list`")
    wanted = {rule_id.upper() for rule_id in only}
    skipped = {rule_id.upper() for rule_id in skip}
    return [rule for rule in ALL_RULES if (not wanted or rule.meta.id in wanted) and rule.meta.id not in skipped]


AUDIT_FORMATS: tuple[str, ...] = ("table", "json", "sarif", "markdown", "junit", "fix-script")


def render_audit(results: Sequence[RuleResult], output_format: str, *, show_passed: bool = True) -> bytes:
    if output_format == "table":
        from regwarden.report.posture_table import render_posture_table

        return render_posture_table(results, show_passed=show_passed)
    renderers = {
        "json": ("regwarden.report.posture_json", "render_posture_json"),
        "sarif": ("regwarden.report.posture_sarif", "render_posture_sarif"),
        "markdown": ("regwarden.report.posture_markdown", "render_posture_markdown"),
        "junit": ("regwarden.report.posture_junit", "render_posture_junit"),
        "fix-script": ("regwarden.report.posture_fix_script", "render_fix_script"),
    }
    if output_format not in renderers:
        expected = ", ".join(AUDIT_FORMATS)
        raise BadInputError(f"unknown audit format {output_format!r}; expected one of: {expected}")
    module_name, function_name = renderers[output_format]
    render: Callable[[Sequence[RuleResult]], bytes] = getattr(importlib.import_module(module_name), function_name)
    return render(results)


def audit_gate_failed(results: Sequence[RuleResult], fail_on: str | None) -> bool:
    """True when an unsuppressed FAIL at or above `fail_on` remains; `none` never fails the gate."""
    if fail_on is None or fail_on.lower() == "none":
        return False
    try:
        threshold = Severity.parse(fail_on)
    except ValueError as error:
        raise BadInputError(str(error)) from error
    return any(r.status is Status.FAIL and not r.suppressed and r.rule.severity.rank >= threshold.rank for r in results)


def render_rule_list(output_format: str = "table") -> bytes:
    """Every rule, as a `table` or as `json`."""
    from regwarden.posture.rules import ALL_RULES
    from regwarden.report import rules_report

    metas = [rule.meta for rule in ALL_RULES]
    if output_format == "json":
        return rules_report.render_rule_list_json(metas)
    return rules_report.render_rule_table(metas)


def render_rule_detail(rule_id: str, output_format: str = "text") -> bytes:
    """One rule by id (any case), as `text` or as `json`; NotFoundError for an unknown id."""
    from regwarden.posture.rules import ALL_RULES
    from regwarden.report import rules_report

    for rule in ALL_RULES:
        if rule.meta.id == rule_id.upper():
            if output_format == "json":
                return rules_report.render_rule_detail_json(rule.meta)
            return rules_report.render_rule_detail(rule.meta)
    raise NotFoundError(f"no rule {rule_id!r}; see `regwarden rules list`")
