"""RW-ACR-007: every enabled repository token uses a user-defined scope map naming specific repositories."""

from __future__ import annotations

from regwarden.model.arm_id import last_segment
from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry, ScopeMap, Token, Value
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Reference, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-007",
    slug="tokens-repository-scoped",
    title="Tokens are repository-scoped",
    severity=Severity.HIGH,
    category="access",
    rationale=(
        "Azure Policy ff05e24e wants tokens disabled altogether; this baseline accepts tokens (they are the "
        "only "
        "non-Entra credential that can be scoped) but requires a user-defined scope map that names "
        "repositories. "
        "The system scope maps (_repositories_admin, _repositories_push, _repositories_pull, ...) and "
        "wildcard "
        "repository actions cover every repository, present and future."
    ),
    remediation=Remediation(
        az=(
            "az acr scope-map create --registry <registry> --name <app>-push "
            "--repository <app> content/write content/read && az acr token update --scope-map <app>-push ..."
        ),
        bicep=("properties: { actions: [ 'repositories/<app>/content/read', 'repositories/<app>/content/write' ] }"),
        terraform=(
            'resource "azurerm_container_registry_scope_map" "app" { actions = ["repositories/app/content/read"] }'
        ),
    ),
    references=(Reference("Azure Policy", "ff05e24e (disagrees: wants tokens disabled)"),),
)


def check(registry: Registry, context: RuleContext) -> Check:
    if unknown := unknown_unless_known(registry.tokens):
        return unknown
    enabled = [t for t in registry.tokens.value or () if not (t.status.known and text(t.status) == "disabled")]
    if not enabled:
        return passed("no enabled tokens", registry.tokens)
    problems: list[str] = []
    unknowns: list[str] = []
    for token in enabled:
        verdict = _token_problem(token, registry.scope_maps)
        if verdict is None:
            continue
        (unknowns if verdict.startswith("?") else problems).append(f"{token.name}: {verdict.lstrip('?')}")
    values = (registry.tokens, registry.scope_maps)
    if problems:
        return failed("tokens not scoped to specific repositories: " + "; ".join(problems), *values)
    if unknowns:
        return Check(Status.UNKNOWN, "cannot tell token scope: " + "; ".join(unknowns), evidence(*values))
    return passed(f"{len(enabled)} enabled tokens use repository-scoped maps", *values)


def _token_problem(token: Token, scope_maps: Value[tuple[ScopeMap, ...]]) -> str | None:
    """None when scoped; a problem; or `?reason` when it cannot be told."""
    if not token.scope_map_id.known or not token.scope_map_id.value:
        return f"?scope map is {token.scope_map_id.source.value}"
    name = last_segment(str(token.scope_map_id.value))
    # System scope maps are known by their name alone, so the user-defined maps need not be in the input.
    if name.startswith("_"):
        return f"uses the system scope map {name} (all repositories)"
    if not scope_maps.known:
        return f"?scope map {name}: {scope_maps.path} is {scope_maps.source.value} ({scope_maps.reason})"
    scope_map = next((m for m in scope_maps.value or () if m.name.casefold() == name.casefold()), None)
    if scope_map is None or not scope_map.actions.known:
        return f"?scope map {name} is not in the input"
    # Any `*` in an action (`repositories/*/content/read`, `repositories/team/*`) reaches unnamed repos.
    wildcards = [a for a in scope_map.actions.value or () if "*" in a]
    if wildcards:
        return f"scope map {name} has wildcard actions: {', '.join(wildcards)}"
    return None


RULE = FunctionRule(META, check)
