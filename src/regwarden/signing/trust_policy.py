"""The Notary Project OCI trust policy document (version 1.0): parsed, validated, and selected per repository.

Which policy applies: the statement whose `registryScopes` holds the repository URI exactly, else the one with
the global scope `*`, else none, and no applicable policy is a failure (the spec's rule). Each check of a
signature is then enforced, logged or skipped according to the statement's verification level and overrides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from regwarden.model.errors import BadInputError
from regwarden.signing.identity import parse_identity

CHECKS = ("integrity", "authenticity", "authenticTimestamp", "expiry", "revocation")
_LEVELS: dict[str, dict[str, str]] = {
    "strict": dict.fromkeys(CHECKS, "enforce"),
    "permissive": {**dict.fromkeys(CHECKS, "log"), "integrity": "enforce", "authenticity": "enforce"},
    "audit": {**dict.fromkeys(CHECKS, "log"), "integrity": "enforce"},
    "skip": dict.fromkeys(CHECKS, "skip"),
}
_OVERRIDABLE = {
    "authenticity": {"enforce", "log"},
    "authenticTimestamp": {"enforce", "log"},
    "expiry": {"enforce", "log"},
    "revocation": {"enforce", "log", "skip"},
}
STORE_TYPES = frozenset({"ca", "signingAuthority", "tsa"})


class TrustPolicyError(BadInputError):
    """The trust policy document breaks a rule of the specification."""


class Action(StrEnum):
    ENFORCE = "enforce"
    LOG = "log"
    SKIP = "skip"


@dataclass(frozen=True)
class TrustPolicyStatement:
    name: str
    registry_scopes: tuple[str, ...]
    level: str
    actions: Mapping[str, Action]
    verify_timestamp: str = "always"
    trust_stores: tuple[tuple[str, str], ...] = ()
    trusted_identities: tuple[str, ...] = ()

    def action(self, check: str) -> Action:
        return self.actions[check]


@dataclass(frozen=True)
class TrustPolicyDocument:
    statements: tuple[TrustPolicyStatement, ...] = field(default_factory=tuple)

    def select(self, repository_uri: str) -> TrustPolicyStatement | None:
        """The applicable statement for `registry/repository`: exact scope first, then the global one."""
        for statement in self.statements:
            if repository_uri in statement.registry_scopes:
                return statement
        return next((s for s in self.statements if s.registry_scopes == ("*",)), None)


def parse_trust_policy(document: object) -> TrustPolicyDocument:
    body = _object(document, "trust policy")
    if body.get("version") != "1.0":
        raise TrustPolicyError(f'trust policy version must be "1.0", got {body.get("version")!r}')
    entries = body.get("trustPolicies")
    if not isinstance(entries, list) or not entries:
        raise TrustPolicyError("trust policy needs a non-empty `trustPolicies` array")
    statements = tuple(_statement(_object(entry, "trust policy statement")) for entry in entries)
    _check_unique(statements)
    return TrustPolicyDocument(statements)


def _statement(body: Mapping[str, Any]) -> TrustPolicyStatement:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise TrustPolicyError("every trust policy statement needs a `name`")
    scopes = _strings(body.get("registryScopes"), f"{name}: registryScopes")
    if not scopes:
        raise TrustPolicyError(f"{name}: registryScopes must hold at least one repository (or `*`)")
    if "*" in scopes and len(scopes) > 1:
        raise TrustPolicyError(f"{name}: the global scope `*` must be the only scope of its statement")
    if any("*" in scope for scope in scopes if scope != "*"):
        raise TrustPolicyError(f"{name}: a repository scope may not contain `*`")
    verification = _object(body.get("signatureVerification"), f"{name}: signatureVerification")
    level, actions = _actions(name, verification)
    verify_timestamp = verification.get("verifyTimestamp", "always")
    if verify_timestamp not in ("always", "afterCertExpiry"):
        raise TrustPolicyError(f"{name}: verifyTimestamp must be `always` or `afterCertExpiry`")
    stores = tuple(_store_reference(name, text) for text in _strings(body.get("trustStores"), f"{name}: trustStores"))
    identities = _strings(body.get("trustedIdentities"), f"{name}: trustedIdentities")
    _check_requirements(name, level, scopes, stores, identities)
    return TrustPolicyStatement(name, scopes, level, actions, verify_timestamp, stores, identities)


def _actions(name: str, verification: Mapping[str, Any]) -> tuple[str, dict[str, Action]]:
    level = verification.get("level")
    if level not in _LEVELS:
        raise TrustPolicyError(f"{name}: level must be one of strict, permissive, audit, skip; got {level!r}")
    actions = {check: Action(value) for check, value in _LEVELS[level].items()}
    overrides = verification.get("override") or {}
    if overrides and level == "skip":
        raise TrustPolicyError(f"{name}: the skip level cannot be customized")
    for check, value in _object(overrides, f"{name}: override").items():
        if check not in _OVERRIDABLE or value not in _OVERRIDABLE[check]:
            allowed = ", ".join(f"{k}: {'/'.join(sorted(v))}" for k, v in _OVERRIDABLE.items())
            raise TrustPolicyError(f"{name}: cannot override {check!r} with {value!r} (allowed: {allowed})")
        actions[check] = Action(value)
    return level, actions


def _check_requirements(
    name: str, level: str, scopes: Sequence[str], stores: Sequence[tuple[str, str]], identities: Sequence[str]
) -> None:
    if level == "skip":
        if scopes == ("*",):
            raise TrustPolicyError(f"{name}: the skip level cannot be used with the global scope `*`")
        return
    if not any(kind in ("ca", "signingAuthority") for kind, _ in stores):
        raise TrustPolicyError(f"{name}: trustStores must name at least one ca: or signingAuthority: store")
    if not identities:
        raise TrustPolicyError(f"{name}: trustedIdentities must hold `*` or x509.subject identities")
    if "*" in identities and len(identities) > 1:
        raise TrustPolicyError(f"{name}: `*` must be the only trusted identity when used")
    for identity in identities:
        if identity != "*":
            try:
                parse_identity(identity)
            except ValueError as error:
                raise TrustPolicyError(f"{name}: {error}") from None


def _check_unique(statements: Sequence[TrustPolicyStatement]) -> None:
    names = [s.name for s in statements]
    if len(set(names)) != len(names):
        raise TrustPolicyError("trust policy statement names must be unique")
    seen: dict[str, str] = {}
    for statement in statements:
        for scope in statement.registry_scopes:
            if scope in seen:
                raise TrustPolicyError(f"scope {scope!r} is in both {seen[scope]!r} and {statement.name!r}")
            seen[scope] = statement.name


def _store_reference(name: str, text: str) -> tuple[str, str]:
    kind, separator, store = text.partition(":")
    if not separator or kind not in STORE_TYPES or not store:
        raise TrustPolicyError(f"{name}: trust store {text!r} must be TYPE:NAME with TYPE ca, signingAuthority or tsa")
    return kind, store


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TrustPolicyError(f"{what} must be a JSON object")
    return value


def _strings(value: object, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TrustPolicyError(f"{what} must be an array of strings")
    return tuple(value)
