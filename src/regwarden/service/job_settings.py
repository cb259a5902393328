"""The config file's `jobs` section: how workers claim, retry and time out jobs, and broker tuning.

```yaml
jobs:
  claim_ttl: 60s            # a claim not renewed for this long is free again (a worker that died); renewed every third
  visibility_timeout: 1h    # Redis: a message not acknowledged for this long goes to another worker
  time_limit: 2h            # a job running longer is stopped (its claim expires; the message is delivered again)
  max_retries: 8            # attempts after the first, for failures that may pass (registry or database unreachable)
  retry_backoff: 5s         # the first retry's delay, doubled at each retry, with full jitter …
  retry_backoff_max: 10m    # … up to this
  queue_prefix: regwarden   # queues: PREFIX (sync, rounds, notifications …) and PREFIX.catalog (one digest each)
  broker_options: {}        # passed to kombu's transport as they are, after regwarden's own (advanced)
```

The broker's URL is not here but in `REGWARDEN_BROKER`: it may hold a password, and lives with the other secrets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from regwarden.durations import parse_duration
from regwarden.model.errors import BadInputError

_DURATIONS = ("claim_ttl", "visibility_timeout", "time_limit", "retry_backoff", "retry_backoff_max")
_KEYS = frozenset({*_DURATIONS, "max_retries", "queue_prefix", "broker_options"})
_QUEUE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,40}")


@dataclass(frozen=True)
class JobSettings:
    claim_ttl: timedelta = timedelta(seconds=60)
    visibility_timeout: timedelta = timedelta(hours=1)
    time_limit: timedelta = timedelta(hours=2)
    max_retries: int = 8
    retry_backoff: timedelta = timedelta(seconds=5)
    retry_backoff_max: timedelta = timedelta(minutes=10)
    queue_prefix: str = "regwarden"
    broker_options: Mapping[str, object] = field(default_factory=dict)

    @property
    def control_queue(self) -> str:
        """Syncs, rounds, advisory updates, re-matches and deliveries: few, and never stuck behind catalogs."""
        return self.queue_prefix

    @property
    def catalog_queue(self) -> str:
        """One digest per job: many, so they have a queue of their own."""
        return f"{self.queue_prefix}.catalog"


def load_job_settings(section: object) -> JobSettings:
    """The `jobs` section (None or absent: the defaults); a mistake names the key."""
    if section is None:
        return JobSettings()
    if not isinstance(section, Mapping):
        raise BadInputError("jobs: expected a mapping")
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise BadInputError(f"jobs: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_KEYS))}")
    values: dict[str, Any] = {name: _duration(section, name) for name in _DURATIONS if name in section}
    if "max_retries" in section:
        values["max_retries"] = _count(section["max_retries"])
    if "queue_prefix" in section:
        values["queue_prefix"] = _queue_prefix(section["queue_prefix"])
    if "broker_options" in section:
        values["broker_options"] = _options(section["broker_options"])
    settings = replace(JobSettings(), **values)
    if settings.claim_ttl < timedelta(seconds=3):
        raise BadInputError("jobs.claim_ttl: at least 3s (the claim is renewed every third of it)")
    if settings.retry_backoff_max < settings.retry_backoff:
        raise BadInputError("jobs.retry_backoff_max: must not be shorter than jobs.retry_backoff")
    return settings


def _duration(section: Mapping[str, object], name: str) -> timedelta:
    try:
        value = parse_duration(str(section[name]))
    except BadInputError as error:
        raise BadInputError(f"jobs.{name}: {error}") from None
    if value <= timedelta(0):
        raise BadInputError(f"jobs.{name}: expected a positive duration such as 30s, 5m or 1h")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadInputError("jobs.max_retries: expected a whole number, 0 or more")
    return value


def _queue_prefix(value: object) -> str:
    if not isinstance(value, str) or not _QUEUE_NAME.fullmatch(value):
        raise BadInputError("jobs.queue_prefix: letters, digits, '.', '-' and '_' (at most 41), e.g. regwarden")
    return value


def _options(value: object) -> Mapping[str, object]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise BadInputError("jobs.broker_options: expected a mapping of option names to values")
    return dict(value)
