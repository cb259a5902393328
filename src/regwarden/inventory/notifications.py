"""Where events go: the webhooks of the `notifications:` config section, with their secrets resolved.

```yaml
notifications:
  webhooks:
    - name: security-bus                       # the outbox's endpoint name: letters, digits, . _ -
      url: https://hooks.example.com/regwarden
      format: json                             # json (signed, the default) | slack | teams
      secret_env: REGWARDEN_WEBHOOK_SECRET     # HMAC key, read from the environment, never from the file
      kinds: [workload.affected, workload.resolved]   # the default: every kind (audit.finding, admission.denied)
      min_severity: high                       # optional: affected events below it are skipped
    - name: slack-sec
      url_env: SLACK_WEBHOOK_URL               # Slack and Teams URLs are secrets themselves
      format: slack
```

Secrets stay out of the file and out of every message: a `json` webhook must name its HMAC key with `secret_env`,
a Slack or Teams URL must come from `url_env`, and errors name the variable, never its value. URLs must be https,
except to a loopback host (a receiver on the same machine, tests).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from regwarden.inventory.events import EVENT_KINDS
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from regwarden.model.inventory import Event

SECTION = "notifications"
_KEYS = frozenset({"name", "url", "url_env", "format", "secret_env", "kinds", "min_severity"})
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class WebhookFormat(StrEnum):
    JSON = "json"
    """regwarden's envelope, signed with HMAC-SHA256 (report/notify_json.py)."""
    SLACK = "slack"
    """A Slack incoming-webhook message: text and Block Kit blocks."""
    TEAMS = "teams"
    """A Microsoft Teams message carrying one Adaptive Card (Workflows and incoming webhooks)."""


@dataclass(frozen=True)
class Webhook:
    """One configured endpoint. `url` and `secret` are left out of repr, so logging a Webhook leaks nothing."""

    name: str
    url: str = field(repr=False)
    format: WebhookFormat = WebhookFormat.JSON
    secret: str | None = field(default=None, repr=False)
    """The HMAC key of a `json` webhook (resolved from `secret_env`)."""
    kinds: frozenset[str] = frozenset(EVENT_KINDS)
    min_severity: Severity | None = None
    """Skip `workload.affected` events of a lower severity; None sends every severity."""

    @property
    def display_url(self) -> str:
        """The URL as errors and logs may show it: no credentials, no query; Slack/Teams paths hidden too."""
        return mask_url(self.url, keep_path=self.format is WebhookFormat.JSON)

    def skip_reason(self, event: Event) -> str | None:
        """Why this webhook does not want `event`, or None when it does."""
        if event.kind not in self.kinds:
            return f"kind {event.kind} is not in this webhook's kinds ({', '.join(sorted(self.kinds))})"
        severity = event_severity(event)
        # An event whose severity is unknown (a resolution carries none) is sent: never dropped on a guess.
        if self.min_severity is not None and severity is not None and severity.rank < self.min_severity.rank:
            return f"severity {severity.value} is below this webhook's min_severity {self.min_severity.value}"
        return None


def load_webhooks(section: object, environ: Mapping[str, str]) -> tuple[Webhook, ...]:
    """The webhooks of a parsed `notifications:` section (None: no notifications). Bad config → BadInputError
    naming the path (`notifications.webhooks[1].format`); an unset variable → BadInputError naming it."""
    if section is None:
        return ()
    if not isinstance(section, Mapping):
        raise BadInputError(f"{SECTION}: must be a mapping with a `webhooks` list")
    _refuse_unknown(section, {"webhooks"}, SECTION)
    entries = section.get("webhooks") or []
    if not isinstance(entries, list):
        raise BadInputError(f"{SECTION}.webhooks: must be a list")
    webhooks = tuple(_webhook(entry, f"{SECTION}.webhooks[{i}]", environ) for i, entry in enumerate(entries))
    _refuse_duplicates(webhooks)
    return webhooks


def event_severity(event: Event) -> Severity | None:
    """The severity an event's payload states, or None when it states none (or one regwarden does not know)."""
    # A vulnerability event states it under `vulnerability`, an audit finding under `detection`.
    stated = event.payload.get("vulnerability") or event.payload.get("detection")
    text = stated.get("severity") if isinstance(stated, Mapping) else None
    try:
        return Severity.parse(text) if isinstance(text, str) else None
    except ValueError:
        return None


def mask_url(url: str, *, keep_path: bool) -> str:
    """`https://host[:port]/path?…` (keep_path) or `https://host[:port]/…`; credentials always dropped."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    origin = f"{parts.scheme}://{f'[{host}]' if ':' in host else host}{f':{parts.port}' if parts.port else ''}"
    if not keep_path:
        return f"{origin}/…" if parts.path.strip("/") or parts.query else origin
    return origin + parts.path + ("?…" if parts.query else "")


def _webhook(entry: object, path: str, environ: Mapping[str, str]) -> Webhook:
    if not isinstance(entry, Mapping):
        raise BadInputError(f"{path}: must be a mapping (name, url or url_env, format, ...)")
    if "secret" in entry:
        raise BadInputError(f"{path}.secret: secrets never go in the config file; name a variable with secret_env")
    _refuse_unknown(entry, _KEYS, path)
    name = _name(entry.get("name"), f"{path}.name")
    webhook_format = _format(entry.get("format", WebhookFormat.JSON.value), f"{path}.format")
    return Webhook(
        name=name,
        url=_url(entry, path, webhook_format, environ),
        format=webhook_format,
        secret=_secret(entry, path, webhook_format, environ),
        kinds=_kinds(entry.get("kinds"), f"{path}.kinds"),
        min_severity=_severity(entry.get("min_severity"), f"{path}.min_severity"),
    )


def _name(value: object, path: str) -> str:
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise BadInputError(
            f"{path}: required; 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return value


def _format(value: object, path: str) -> WebhookFormat:
    try:
        return WebhookFormat(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(f.value for f in WebhookFormat)
        raise BadInputError(f"{path}: {value!r} is not a format; expected one of: {choices}") from None


def _url(entry: Mapping[str, object], path: str, webhook_format: WebhookFormat, environ: Mapping[str, str]) -> str:
    if ("url" in entry) == ("url_env" in entry):
        raise BadInputError(f"{path}: give exactly one of url and url_env")
    if "url_env" in entry:
        variable = _variable(entry["url_env"], f"{path}.url_env", environ)
        from_environment = environ[variable].strip()
        _check_url(from_environment, f"{path}.url_env (the URL in ${variable})")
        return from_environment
    if webhook_format is not WebhookFormat.JSON:
        raise BadInputError(
            f"{path}.url: a {webhook_format.value} webhook URL is a secret; name a variable with url_env"
        )
    url = entry["url"]
    if not isinstance(url, str):
        raise BadInputError(f"{path}.url: must be a string")
    _check_url(url.strip(), f"{path}.url")
    return url.strip()


def _check_url(url: str, where: str) -> None:
    """https, or http to a loopback host; no credentials. The message never repeats the URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise BadInputError(f"{where}: not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadInputError(f"{where}: must be an https:// URL")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise BadInputError(f"{where}: must use https (plain http only to a loopback host)")
    if parts.username is not None or parts.password is not None:
        raise BadInputError(f"{where}: credentials in the URL are not supported")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(
    entry: Mapping[str, object], path: str, webhook_format: WebhookFormat, environ: Mapping[str, str]
) -> str | None:
    if webhook_format is not WebhookFormat.JSON:
        if "secret_env" in entry:
            raise BadInputError(f"{path}.secret_env: only json webhooks are signed; {webhook_format.value} ignores it")
        return None
    if "secret_env" not in entry:
        raise BadInputError(f"{path}.secret_env: required for a json webhook (its receiver verifies the signature)")
    return environ[_variable(entry["secret_env"], f"{path}.secret_env", environ)]


def _variable(value: object, path: str, environ: Mapping[str, str]) -> str:
    if not isinstance(value, str) or not value:
        raise BadInputError(f"{path}: must name an environment variable")
    if not environ.get(value):
        raise BadInputError(f"{path}: environment variable {value} is not set (or empty)")
    return value


def _kinds(value: object, path: str) -> frozenset[str]:
    if value is None:
        return frozenset(EVENT_KINDS)
    if not isinstance(value, list) or not value:
        raise BadInputError(f"{path}: must be a non-empty list of: {', '.join(EVENT_KINDS)}")
    unknown = [str(kind) for kind in value if kind not in EVENT_KINDS]
    if unknown:
        raise BadInputError(f"{path}: unknown kind {unknown[0]!r}; expected: {', '.join(EVENT_KINDS)}")
    return frozenset(str(kind) for kind in value)


def _severity(value: object, path: str) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(str(value))
    except ValueError as error:
        raise BadInputError(f"{path}: {error}") from None


def _refuse_unknown(mapping: Mapping[object, object], known: frozenset[str] | set[str], path: str) -> None:
    unknown = sorted(str(key) for key in mapping if key not in known)
    if unknown:
        raise BadInputError(f"{path}.{unknown[0]}: unknown key; expected: {', '.join(sorted(known))}")


def _refuse_duplicates(webhooks: Sequence[Webhook]) -> None:
    seen: set[str] = set()
    for index, webhook in enumerate(webhooks):
        if webhook.name in seen:
            raise BadInputError(
                f"{SECTION}.webhooks[{index}].name: {webhook.name!r} is already used by another webhook"
            )
        seen.add(webhook.name)
