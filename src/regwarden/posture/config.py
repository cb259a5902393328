"""Posture configuration: the profile, thresholds the rules read, and suppressions (from YAML)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from regwarden.model.errors import BadInputError


class Profile(StrEnum):
    PRODUCTION = "production"
    """The default: every rule except the `regulated`-only ones."""
    DEV = "dev"
    """Skips the rules marked (prod) in the baseline."""
    REGULATED = "regulated"
    """Production plus the rules only regulated workloads need (e.g. customer-managed keys)."""


@dataclass(frozen=True)
class Suppression:
    """Accept a finding until `expires`: a reason is mandatory, so is the expiry."""

    rule_id: str
    reason: str
    expires: date
    registry: str | None = None
    """A registry name or resource id (case-insensitive); None suppresses the rule on every registry."""

    def matches(self, rule_id: str, registry_name: str, registry_id: str) -> bool:
        if self.rule_id.casefold() != rule_id.casefold():
            return False
        return self.registry is None or self.registry.casefold() in (
            registry_name.casefold(),
            registry_id.casefold(),
        )


@dataclass(frozen=True)
class PostureConfig:
    profile: Profile = Profile.PRODUCTION
    allowed_regions: tuple[str, ...] = ()
    """Regions replicas may live in (RW-ACR-041); empty means the rule cannot apply and is skipped."""
    ci_principal_ids: tuple[str, ...] = ()
    """Object ids of the service principals / managed identities that may push (RW-ACR-004)."""
    max_delete_holders: int = 2
    min_ip_prefix: int = 24
    """The shortest prefix an IPv4 allow-list range may have (RW-ACR-013): 0–32."""
    min_ipv6_prefix: int = 48
    """The same for IPv6 ranges, 0–128: a /48 is one site's allocation, as a /24 is a small IPv4 network."""
    max_retention_days: int = 30
    max_token_expiry_days: int = 90
    suppressions: tuple[Suppression, ...] = ()


# The YAML keys are the PostureConfig field names, and a key left out keeps the field's default.
_NUMBERS = ("max_delete_holders", "min_ip_prefix", "min_ipv6_prefix", "max_retention_days", "max_token_expiry_days")
_PREFIX_LENGTHS = {"min_ip_prefix": ("an IPv4", 32), "min_ipv6_prefix": ("an IPv6", 128)}
"""Numbers that are prefix lengths, with the longest prefix their address family has."""


def load_config(path: Path) -> PostureConfig:
    """Read a PostureConfig from YAML; an empty file gives the defaults. Bad content → BadInputError."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read posture config: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise BadInputError(f"{path}: malformed YAML: {exc}") from None
    return config_from_mapping(document or {}, str(path))


def config_from_mapping(document: Any, origin: str) -> PostureConfig:
    if not isinstance(document, Mapping):
        raise BadInputError(f"{origin}: posture config must be a mapping")
    defaults = PostureConfig()
    unknown = sorted(str(k) for k in document if k not in {f.name for f in fields(defaults)})
    if unknown:
        raise BadInputError(f"{origin}: unknown posture config keys: {', '.join(unknown)}")
    try:
        profile = Profile(str(document.get("profile", defaults.profile)).strip().lower())
    except ValueError:
        names = ", ".join(p.value for p in Profile)
        raise BadInputError(
            f"{origin}: unknown profile {document.get('profile')!r}; expected one of: {names}"
        ) from None
    numbers = {key: _int(document, key, getattr(defaults, key), origin) for key in _NUMBERS}
    return replace(
        defaults,
        profile=profile,
        allowed_regions=_strings(document, "allowed_regions", origin),
        ci_principal_ids=_strings(document, "ci_principal_ids", origin),
        suppressions=tuple(_suppression(s, i, origin) for i, s in enumerate(_list(document, "suppressions", origin))),
        **numbers,
    )


def _list(document: Mapping[str, Any], key: str, origin: str) -> list[Any]:
    value = document.get(key) or []
    if not isinstance(value, list):
        raise BadInputError(f"{origin}: {key} must be a list")
    return value


def _strings(document: Mapping[str, Any], key: str, origin: str) -> tuple[str, ...]:
    values = _list(document, key, origin)
    if not all(isinstance(v, str) for v in values):
        raise BadInputError(f"{origin}: {key} must be a list of strings")
    return tuple(values)


def _int(document: Mapping[str, Any], key: str, default: int, origin: str) -> int:
    value = document.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadInputError(f"{origin}: {key} must be a non-negative integer, got {value!r}")
    if key in _PREFIX_LENGTHS and value > (longest := _PREFIX_LENGTHS[key][1]):
        family = _PREFIX_LENGTHS[key][0]
        raise BadInputError(f"{origin}: {key} must be {family} prefix length from 0 to {longest}, got {value}")
    return value


def _suppression(entry: Any, index: int, origin: str) -> Suppression:
    where = f"{origin}: suppressions[{index}]"
    if not isinstance(entry, Mapping):
        raise BadInputError(f"{where} must be a mapping")
    rule_id, reason, expires = entry.get("rule"), entry.get("reason"), entry.get("expires")
    if not isinstance(rule_id, str) or not rule_id.strip():
        raise BadInputError(f"{where}: 'rule' (a rule id) is required")
    if not isinstance(reason, str) or not reason.strip():
        raise BadInputError(f"{where}: 'reason' is required")
    if isinstance(expires, str):
        try:
            expires = date.fromisoformat(expires)
        except ValueError:
            raise BadInputError(f"{where}: 'expires' must be a date (YYYY-MM-DD), got {expires!r}") from None
    if not isinstance(expires, date):
        raise BadInputError(f"{where}: 'expires' (YYYY-MM-DD) is required")
    registry = entry.get("registry")
    if registry is not None and not isinstance(registry, str):
        raise BadInputError(f"{where}: 'registry' must be a registry name or id")
    return Suppression(rule_id.strip(), reason.strip(), expires, registry)
