"""The `logs:` section of the regwarden config file: what the audit-log detections treat as normal.

```yaml
logs:
  allowed_cidrs: [10.0.0.0/8, 203.0.113.0/24, "2001:db8::/32"]   # logins and pulls from elsewhere are reported
  baseline: 14d            # addresses seen in this window before the analysed period are known ones
  mass_delete: {count: 20, within: 10m}
  failed_logins: {count: 10, within: 5m}
  admin_identities: [shopacr-admin]   # more names the admin account logs in as (the registry's name always is)
  max_disorder: 1h         # how far out of time order records may arrive and still be windowed exactly
  disabled: [RW-LOG-002]   # detections not to run
```

Every key is optional; a mistake is a BadInputError naming its path (`logs.mass_delete.count`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from regwarden.durations import parse_duration
from regwarden.model.errors import BadInputError

SECTION = "logs"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_KEYS = frozenset(
    {"allowed_cidrs", "baseline", "mass_delete", "failed_logins", "admin_identities", "max_disorder", "disabled"}
)


@dataclass(frozen=True)
class Threshold:
    count: int
    within: timedelta


@dataclass(frozen=True)
class LogsConfig:
    allowed_cidrs: tuple[Network, ...] = ()
    """Empty: no allow-list, only the baseline decides which addresses are unexpected."""
    baseline: timedelta = timedelta(days=14)
    mass_delete: Threshold = Threshold(20, timedelta(minutes=10))
    failed_logins: Threshold = Threshold(10, timedelta(minutes=5))
    admin_identities: frozenset[str] = frozenset()
    """Casefolded."""
    max_disorder: timedelta = timedelta(hours=1)
    disabled: frozenset[str] = frozenset()


def load_logs_config(section: object) -> LogsConfig:
    """The `logs:` section (None: the defaults)."""
    if section is None:
        return LogsConfig()
    if not isinstance(section, Mapping):
        raise BadInputError(f"{SECTION}: must be a mapping")
    unknown = sorted(str(key) for key in section if key not in _KEYS)
    if unknown:
        raise BadInputError(f"{SECTION}.{unknown[0]}: unknown key; expected: {', '.join(sorted(_KEYS))}")
    defaults = LogsConfig()
    return LogsConfig(
        allowed_cidrs=tuple(
            _network(item, f"{SECTION}.allowed_cidrs[{i}]") for i, item in _items(section, "allowed_cidrs")
        ),
        baseline=_duration(section.get("baseline"), f"{SECTION}.baseline", defaults.baseline),
        mass_delete=_threshold(section.get("mass_delete"), f"{SECTION}.mass_delete", defaults.mass_delete),
        failed_logins=_threshold(section.get("failed_logins"), f"{SECTION}.failed_logins", defaults.failed_logins),
        admin_identities=frozenset(
            _text(item, f"{SECTION}.admin_identities[{i}]").casefold()
            for i, item in _items(section, "admin_identities")
        ),
        max_disorder=_duration(section.get("max_disorder"), f"{SECTION}.max_disorder", defaults.max_disorder),
        disabled=frozenset(_text(item, f"{SECTION}.disabled[{i}]").upper() for i, item in _items(section, "disabled")),
    )


def _items(section: Mapping[str, object], key: str) -> list[tuple[int, object]]:
    value = section.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadInputError(f"{SECTION}.{key}: must be a list")
    return list(enumerate(value))


def _network(value: object, path: str) -> Network:
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        raise BadInputError(f"{path}: {value!r} is not an IP address or CIDR range") from None


def _duration(value: object, path: str, default: timedelta) -> timedelta:
    if value is None:
        return default
    try:
        parsed = parse_duration(str(value))
    except BadInputError as error:
        raise BadInputError(f"{path}: {error}") from None
    if parsed <= timedelta(0):
        raise BadInputError(f"{path}: must be longer than zero")
    return parsed


def _threshold(value: object, path: str, default: Threshold) -> Threshold:
    if value is None:
        return default
    if not isinstance(value, Mapping) or set(value) - {"count", "within"}:
        raise BadInputError(f"{path}: expected a mapping with count and within")
    count = value.get("count", default.count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise BadInputError(f"{path}.count: must be a whole number of at least 1")
    return Threshold(count, _duration(value.get("within"), f"{path}.within", default.within))


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInputError(f"{path}: must be non-empty text")
    return value.strip()
