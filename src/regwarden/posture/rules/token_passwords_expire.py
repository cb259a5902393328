"""RW-ACR-008: every password of an enabled token expires within the configured maximum."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from regwarden.model.finding import Severity, Status
from regwarden.model.registry import Registry, TokenPassword
from regwarden.posture.checks import evidence, failed, passed, text, unknown_unless_known
from regwarden.posture.rule import Check, FunctionRule, Remediation, RuleContext, RuleMeta

META = RuleMeta(
    id="RW-ACR-008",
    slug="token-passwords-expire",
    title="Token credentials expire",
    severity=Severity.MEDIUM,
    category="access",
    rationale=(
        "A token password without expiry is a long-lived secret in some CI variable. Passwords already "
        "expired "
        "cannot be used and pass; disabled tokens are ignored. No anchor checks this."
    ),
    remediation=Remediation(
        az=(
            "az acr token credential generate --name <token> --registry <registry> --password1 --expiration-in-days 90"
        ),
        bicep="credentials: { passwords: [ { name: 'password1', expiry: '<now + 90 days>' } ] }",
        terraform=('resource "azurerm_container_registry_token_password" "p" { password1 { expiry = "<rfc3339>" } }'),
    ),
)


def check(registry: Registry, context: RuleContext) -> Check:
    if unknown := unknown_unless_known(registry.tokens):
        return unknown
    limit = context.today + timedelta(days=context.config.max_token_expiry_days)
    problems: list[str] = []
    unknowns: list[str] = []
    for token in registry.tokens.value or ():
        if token.status.known and text(token.status) == "disabled":
            continue
        if not token.passwords.known:
            unknowns.append(f"{token.name}: passwords are {token.passwords.source.value}")
            continue
        for password in token.passwords.value or ():
            problem = _password_problem(password, limit)
            if problem is not None:
                target = unknowns if problem.startswith("?") else problems
                target.append(f"{token.name}/{password.name}: {problem.lstrip('?')}")
    if problems:
        return failed("token passwords outlive the maximum: " + "; ".join(problems), registry.tokens)
    if unknowns:
        return Check(Status.UNKNOWN, "cannot tell token expiry: " + "; ".join(unknowns), evidence(registry.tokens))
    return passed(f"every token password expires by {limit.isoformat()}", registry.tokens)


def _password_problem(password: TokenPassword, limit: date) -> str | None:
    if not password.expiry.known:
        return f"?expiry is {password.expiry.source.value}"
    if password.expiry.value is None:
        return "never expires"
    try:
        expiry = datetime.fromisoformat(str(password.expiry.value).replace("Z", "+00:00")).date()
    except ValueError:
        return f"?expiry {password.expiry.value!r} is not an ISO 8601 date"
    return f"expires {expiry.isoformat()}, after {limit.isoformat()}" if expiry > limit else None


RULE = FunctionRule(META, check)
