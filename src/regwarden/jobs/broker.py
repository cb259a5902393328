"""`REGWARDEN_BROKER`: which broker carries jobs to workers, and the kombu transport options regwarden sets for it.

- `redis://[:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://` for TLS): self-hosting. A message a worker took but did
  not acknowledge (acknowledged only once the job ends) goes back to the queue after `jobs.visibility_timeout`;
  regwarden sweeps for such messages every quarter of that (at most every 10 s), so a dead worker's job moves on.
- `azureservicebus://DefaultAzureCredential@NAMESPACE` (workload identity, managed identity, environment),
  `azureservicebus://ManagedIdentityCredential@NAMESPACE`, or `azureservicebus://POLICY:KEY@NAMESPACE` (a shared
  access policy): Azure. Service Bus locks a message it handed out (peek-lock, at most 5 minutes); regwarden turns on
  the SDK's lock renewal for as long as a job may run (`jobs.time_limit`), so a long job keeps its message and a dead
  worker's lock lapses.

`jobs.broker_options` in the config file are applied last, as kombu's own transport options.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from regwarden.model.errors import BadInputError
from regwarden.service.job_settings import JobSettings

BROKER_ENV = "REGWARDEN_BROKER"
REDIS_SCHEMES = ("redis", "rediss")
SERVICE_BUS_SCHEME = "azureservicebus"
SERVICE_BUS_IDENTITIES = ("DefaultAzureCredential", "ManagedIdentityCredential")
SERVICE_BUS_MAX_LOCK_SECONDS = 300
"""Service Bus's longest message lock (its documented maximum lock duration: 5 minutes)."""


@dataclass(frozen=True)
class BrokerConfig:
    url: str
    transport: str
    """`redis` (also for rediss://) or `azureservicebus`."""
    transport_options: Mapping[str, object] = field(default_factory=dict)

    @property
    def remote_control(self) -> bool:
        """Celery's broadcast commands need fanout exchanges, which Service Bus's kombu transport lacks."""
        return self.transport == "redis"

    def display(self) -> str:
        """The URL with any password or key masked, for logs."""
        scheme, _, rest = self.url.partition("://")
        credentials, at, host = rest.rpartition("@")
        if not at:
            return self.url
        user, colon, _secret = credentials.partition(":")
        return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def broker_from_environ(jobs: JobSettings, environ: Mapping[str, str] | None = None) -> BrokerConfig | None:
    """The broker `REGWARDEN_BROKER` names; None when it is unset or empty (jobs then run in-process)."""
    env = os.environ if environ is None else environ
    url = env.get(BROKER_ENV, "").strip()
    if not url:
        return None
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme in REDIS_SCHEMES:
        _check_redis(url)
        return BrokerConfig(url, "redis", {**redis_options(jobs), **jobs.broker_options})
    if scheme == SERVICE_BUS_SCHEME:
        _check_service_bus(url)
        return BrokerConfig(url, SERVICE_BUS_SCHEME, {**service_bus_options(jobs), **jobs.broker_options})
    raise BadInputError(
        f"{BROKER_ENV}: unsupported broker {scheme or url!r}; use redis://HOST:PORT/DB, rediss://… or "
        "azureservicebus://DefaultAzureCredential@NAMESPACE"
    )


def redis_options(jobs: JobSettings) -> dict[str, object]:
    visibility = int(jobs.visibility_timeout.total_seconds())
    return {
        "visibility_timeout": visibility,
        "unacked_restore_interval": max(1, min(10, visibility // 4)),
        "unacked_restore_throttle": 1,  # every sweep looks; the sweep itself is one sorted-set range query
        "socket_connect_timeout": 10,
        "socket_keepalive": True,
    }


def service_bus_options(jobs: JobSettings) -> dict[str, object]:
    return {
        "queue_name_prefix": "",
        "peek_lock_seconds": min(SERVICE_BUS_MAX_LOCK_SECONDS, int(jobs.visibility_timeout.total_seconds())),
        "use_lock_renewal": True,
        "max_lock_renewal_duration": int(jobs.time_limit.total_seconds()) + 60,
        "wait_time_seconds": 5,
    }


def _check_redis(url: str) -> None:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    database = parts.path.strip("/")
    if not parts.hostname or port == -1 or (database and not database.isdigit()):
        raise BadInputError(f"{BROKER_ENV}: expected redis://[:PASSWORD@]HOST[:PORT][/DB], got {_masked(url)}")


def _check_service_bus(url: str) -> None:
    rest = url.partition("://")[2]
    credential, at, namespace = rest.rpartition("@")
    identity = credential in SERVICE_BUS_IDENTITIES
    policy, colon, key = credential.partition(":")
    if not at or not namespace or "/" in namespace or not (identity or (colon and policy and key)):
        raise BadInputError(
            f"{BROKER_ENV}: expected azureservicebus://DefaultAzureCredential@NAMESPACE, "
            f"azureservicebus://ManagedIdentityCredential@NAMESPACE or azureservicebus://POLICY:KEY@NAMESPACE, "
            f"got {_masked(url)}"
        )


def _masked(url: str) -> str:
    return BrokerConfig(url, "").display()
