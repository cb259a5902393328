"""The regwarden config file for the inventory: environments, notifications, and what `watch` syncs.

Found at `--config FILE`, else `$REGWARDEN_CONFIG`, else `$XDG_CONFIG_HOME/regwarden/config.yaml`
(`~/.config/regwarden/config.yaml`) when it exists; with none, the defaults apply (the naming rule for
environments, no webhooks, nothing to watch but the advisory database). Each section is parsed by the module that
owns it; this one only reads the file and says where a mistake is.

```yaml
environments: {rules: [...]}          # inventory/environment.py
notifications: {webhooks: [...]}      # inventory/notifications.py
logs: {allowed_cidrs: [...], ...}     # detect/config.py (the audit-log detections)
jobs: {claim_ttl: 60s, ...}           # service/job_settings.py (workers and the schedule)
locks: [{repo: "shop/.*", tags: "^v[0-9]"}]   # lifecycle/locks.py (locked by sync registry on ACR)
watch:
  interval: 5m
  registries:
    - {registry: myreg.azurecr.io, repo: "shop/.*"}
  clusters:
    - {context: aks-prod}             # a kubeconfig context, or
    - {from: /var/lib/exports/pods.json, cluster: edge-1, catalog: false}   # catalog: as sync k8s --no-catalog
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from regwarden.detect.config import LogsConfig, load_logs_config
from regwarden.durations import parse_duration
from regwarden.inventory.environment import EnvironmentRules, load_environment_rules
from regwarden.inventory.notifications import Webhook, load_webhooks
from regwarden.lifecycle.locks import LockRule, load_lock_rules
from regwarden.model.errors import BadInputError
from regwarden.service.job_settings import JobSettings, load_job_settings

CONFIG_ENV = "REGWARDEN_CONFIG"
DEFAULT_INTERVAL = timedelta(minutes=5)
_SECTIONS = frozenset({"environments", "notifications", "watch", "logs", "jobs", "locks"})


@dataclass(frozen=True)
class WatchedRegistry:
    registry: str
    repository_pattern: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class WatchedCluster:
    context: str | None = None
    from_file: Path | None = None
    cluster: str | None = None
    catalog: bool = True
    """Fetch and catalog running digests the inventory lacks (`sync k8s --no-catalog` when False)."""
    insecure: bool = False
    """Those digests' registries may answer over plain HTTP (`sync k8s --insecure`)."""


@dataclass(frozen=True)
class Settings:
    environments: EnvironmentRules = field(default_factory=EnvironmentRules)
    webhooks: tuple[Webhook, ...] = ()
    interval: timedelta = DEFAULT_INTERVAL
    registries: tuple[WatchedRegistry, ...] = ()
    clusters: tuple[WatchedCluster, ...] = ()
    logs: LogsConfig = field(default_factory=LogsConfig)
    locks: tuple[LockRule, ...] = ()
    """Tags `sync registry` locks, with the manifests they point at (lifecycle/locks.py)."""
    jobs: JobSettings = field(default_factory=JobSettings)
    """How workers claim, retry and time out jobs (service/job_settings.py)."""
    source: Path | None = None
    """The file these came from; None when no config file exists."""

    @property
    def endpoints(self) -> tuple[str, ...]:
        """The webhook names events are queued to."""
        return tuple(webhook.name for webhook in self.webhooks)


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    found = path or _default_path(env)
    if found is None:
        return Settings()
    document = _read(found)
    unknown = sorted(set(document) - _SECTIONS)
    if unknown:
        raise BadInputError(
            f"{found}: unknown section(s) {', '.join(unknown)}; expected {', '.join(sorted(_SECTIONS))}"
        )
    watch = document.get("watch") or {}
    if not isinstance(watch, Mapping):
        raise BadInputError(f"{found}: watch: expected a mapping")
    try:
        return Settings(
            environments=load_environment_rules(document.get("environments")),
            webhooks=load_webhooks(document.get("notifications"), env),
            interval=parse_duration(str(watch.get("interval", "5m"))),
            registries=tuple(_registry(item, n) for n, item in enumerate(_list(watch, "registries"))),
            clusters=tuple(_cluster(item, n) for n, item in enumerate(_list(watch, "clusters"))),
            logs=load_logs_config(document.get("logs")),
            jobs=load_job_settings(document.get("jobs")),
            locks=load_lock_rules(document.get("locks")),
            source=found,
        )
    except BadInputError as error:
        raise BadInputError(f"{found}: {error}") from None


def _default_path(environ: Mapping[str, str]) -> Path | None:
    configured = environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    home = environ.get("XDG_CONFIG_HOME") or str(Path(environ.get("HOME") or Path.home()) / ".config")
    candidate = Path(home) / "regwarden" / "config.yaml"
    return candidate if candidate.is_file() else None


def _read(path: Path) -> Mapping[str, object]:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInputError(f"cannot read config file {path}: {error.strerror or error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise BadInputError(f"config file {path} is not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, Mapping):
        raise BadInputError(f"config file {path}: expected a mapping of sections")
    return document


def _list(section: Mapping[str, object], key: str) -> list[object]:
    value = section.get(key) or []
    if not isinstance(value, list):
        raise BadInputError(f"watch.{key}: expected a list")
    return value


def _registry(item: object, position: int) -> WatchedRegistry:
    where = f"watch.registries[{position}]"
    if not isinstance(item, Mapping) or not isinstance(item.get("registry"), str) or not item["registry"]:
        raise BadInputError(f"{where}: expected a mapping with a `registry` host")
    pattern = item.get("repo")
    if pattern is not None and not isinstance(pattern, str):
        raise BadInputError(f"{where}.repo: expected a regular expression")
    return WatchedRegistry(str(item["registry"]), pattern, bool(item.get("insecure", False)))


def _cluster(item: object, position: int) -> WatchedCluster:
    where = f"watch.clusters[{position}]"
    if not isinstance(item, Mapping) or ("context" in item) == ("from" in item):
        raise BadInputError(f"{where}: expected a mapping with either `context` or `from`")
    context, from_file, cluster = item.get("context"), item.get("from"), item.get("cluster")
    for key, value in (("context", context), ("from", from_file), ("cluster", cluster)):
        if value is not None and not isinstance(value, str):
            raise BadInputError(f"{where}.{key}: expected text")
    catalog, insecure = item.get("catalog", True), item.get("insecure", False)
    for key, flag in (("catalog", catalog), ("insecure", insecure)):
        if not isinstance(flag, bool):
            raise BadInputError(f"{where}.{key}: expected true or false")
    return WatchedCluster(
        context=str(context) if context else None,
        from_file=Path(str(from_file)) if from_file else None,
        cluster=str(cluster) if cluster else None,
        catalog=bool(catalog),
        insecure=bool(insecure),
    )
