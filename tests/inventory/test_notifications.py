"""The `notifications:` section: webhooks with their secrets resolved from the environment, and every mistake
reported with its path (never with a secret)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from regwarden.inventory.events import ADMISSION_DENIED, AFFECTED, AUDIT_FINDING, RESOLVED
from regwarden.inventory.notifications import Webhook, WebhookFormat, load_webhooks, mask_url
from regwarden.model.errors import BadInputError
from regwarden.model.finding import Severity
from tests.support.sample_events import sample_event

SLACK_URL = "https://hooks.slack.example/services/T000/B000/XXXXSECRETXXXX"
ENVIRON = {"REGWARDEN_WEBHOOK_SECRET": "s3cr3t-hmac-key", "SLACK_WEBHOOK_URL": SLACK_URL}
CONFIG = """
notifications:
  webhooks:
    - name: security-bus
      url: https://hooks.example.com/regwarden
      format: json
      secret_env: REGWARDEN_WEBHOOK_SECRET
    - name: slack-sec
      url_env: SLACK_WEBHOOK_URL
      format: slack
      kinds: [workload.affected]
      min_severity: HIGH
"""


def section(text: str = CONFIG) -> Any:
    return yaml.safe_load(text)["notifications"]


def webhook_entry(**fields: object) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": "bus",
        "url": "https://hooks.example.com/x",
        "secret_env": "REGWARDEN_WEBHOOK_SECRET",
    }
    entry.update(fields)
    return {"webhooks": [{k: v for k, v in entry.items() if v is not None}]}


def load_error(config: object, environ: dict[str, str] = ENVIRON) -> str:
    with pytest.raises(BadInputError) as caught:
        load_webhooks(config, environ)
    return str(caught.value)


def test_the_documented_example_loads_with_secrets_resolved() -> None:
    assert load_webhooks(section(), ENVIRON) == (
        Webhook(
            "security-bus",
            "https://hooks.example.com/regwarden",
            WebhookFormat.JSON,
            "s3cr3t-hmac-key",
            frozenset({AFFECTED, RESOLVED, AUDIT_FINDING, ADMISSION_DENIED}),  # no kinds: every kind
        ),
        Webhook("slack-sec", SLACK_URL, WebhookFormat.SLACK, None, frozenset({AFFECTED}), Severity.HIGH),
    )


def test_no_section_means_no_webhooks() -> None:
    assert load_webhooks(None, {}) == ()
    assert load_webhooks({"webhooks": []}, {}) == ()


def test_repr_and_display_url_hide_secrets() -> None:
    bus, slack = load_webhooks(section(), ENVIRON)
    assert "s3cr3t" not in repr(bus)
    assert "SECRET" not in repr(slack)
    assert bus.display_url == "https://hooks.example.com/regwarden"
    assert slack.display_url == "https://hooks.slack.example/…"


def test_mask_url_drops_credentials_query_and_hidden_paths() -> None:
    assert mask_url("https://u:p@h.example:8443/a/b?token=1", keep_path=True) == "https://h.example:8443/a/b?…"
    assert mask_url("https://h.example/a/b?token=1", keep_path=False) == "https://h.example/…"
    assert mask_url("http://[::1]:9000/hook", keep_path=True) == "http://[::1]:9000/hook"
    assert mask_url("https://h.example", keep_path=False) == "https://h.example"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("not a mapping", "notifications: must be a mapping"),
        ({"hooks": []}, "notifications.hooks: unknown key"),
        ({"webhooks": {"name": "x"}}, "notifications.webhooks: must be a list"),
        ({"webhooks": ["x"]}, "notifications.webhooks[0]: must be a mapping"),
        (webhook_entry(name=None), "notifications.webhooks[0].name: required"),
        (webhook_entry(name="no spaces"), "notifications.webhooks[0].name: required"),
        (webhook_entry(format="xml"), "notifications.webhooks[0].format: 'xml' is not a format"),
        (webhook_entry(colour="red"), "notifications.webhooks[0].colour: unknown key"),
        (webhook_entry(kinds=[]), "notifications.webhooks[0].kinds: must be a non-empty list"),
        (webhook_entry(kinds=["image.pushed"]), "notifications.webhooks[0].kinds: unknown kind 'image.pushed'"),
        (webhook_entry(min_severity="urgent"), "notifications.webhooks[0].min_severity: unknown severity"),
        (webhook_entry(url=None), "notifications.webhooks[0]: give exactly one of url and url_env"),
        (webhook_entry(url_env="SLACK_WEBHOOK_URL"), "notifications.webhooks[0]: give exactly one of url and url_env"),
        (webhook_entry(url="http://hooks.example.com/x"), "notifications.webhooks[0].url: must use https"),
        (webhook_entry(url="ftp://hooks.example.com/x"), "notifications.webhooks[0].url: must be an https:// URL"),
        (webhook_entry(url="https://u:pw@hooks.example.com/"), "notifications.webhooks[0].url: credentials"),
        (webhook_entry(url="https://hooks.example.com:99999/"), "notifications.webhooks[0].url: not a valid URL"),
        (webhook_entry(secret_env=None), "notifications.webhooks[0].secret_env: required for a json webhook"),
        (webhook_entry(secret_env="UNSET_VARIABLE"), "environment variable UNSET_VARIABLE is not set"),
        (webhook_entry(format="teams"), "notifications.webhooks[0].url: a teams webhook URL is a secret"),
    ],
)
def test_bad_config_names_the_path(config: object, message: str) -> None:
    assert message in load_error(config)


def test_the_second_webhook_is_named_by_its_index() -> None:
    config = section(CONFIG.replace("format: slack", "format: discord"))
    assert load_error(config).startswith("notifications.webhooks[1].format: 'discord' is not a format")


def test_duplicate_names_are_refused() -> None:
    entries = webhook_entry()["webhooks"] * 2
    assert (
        load_error({"webhooks": entries}) == "notifications.webhooks[1].name: 'bus' is already used by another webhook"
    )


def test_a_literal_secret_is_refused_without_repeating_it() -> None:
    message = load_error(webhook_entry(secret="hunter2-literal"))
    assert message == (
        "notifications.webhooks[0].secret: secrets never go in the config file; name a variable with secret_env"
    )


def test_errors_about_a_url_from_the_environment_never_show_it() -> None:
    leaky = "http://hooks.slack.example/services/T000/B000/XXXXSECRETXXXX"
    config = {"webhooks": [{"name": "slack", "format": "slack", "url_env": "SLACK_WEBHOOK_URL"}]}
    message = load_error(config, {"SLACK_WEBHOOK_URL": leaky})
    assert message == (
        "notifications.webhooks[0].url_env (the URL in $SLACK_WEBHOOK_URL): "
        "must use https (plain http only to a loopback host)"
    )
    assert load_error(config, {"SLACK_WEBHOOK_URL": ""}) == (
        "notifications.webhooks[0].url_env: environment variable SLACK_WEBHOOK_URL is not set (or empty)"
    )


def test_slack_and_teams_are_not_signed() -> None:
    config = {"webhooks": [{"name": "s", "format": "slack", "url_env": "SLACK_WEBHOOK_URL", "secret_env": "X"}]}
    assert "secret_env: only json webhooks are signed" in load_error(config)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"])
def test_plain_http_is_allowed_to_loopback_hosts_only(host: str) -> None:
    (webhook,) = load_webhooks(webhook_entry(url=f"http://{host}:8080/hook"), ENVIRON)
    assert webhook.url == f"http://{host}:8080/hook"


def test_the_kinds_filter_and_min_severity_decide_what_is_skipped() -> None:
    _, slack = load_webhooks(section(), ENVIRON)
    assert slack.skip_reason(sample_event(opened=True, severity="critical")) is None
    assert slack.skip_reason(sample_event(opened=True, severity="medium")) == (
        "severity medium is below this webhook's min_severity high"
    )
    assert slack.skip_reason(sample_event(opened=False)) == (
        "kind workload.resolved is not in this webhook's kinds (workload.affected)"
    )


def test_an_event_of_unknown_severity_is_never_skipped_by_min_severity() -> None:
    (webhook,) = load_webhooks(webhook_entry(min_severity="critical"), ENVIRON)
    resolution = sample_event(opened=False)  # a resolution's payload carries no severity
    assert resolution.payload["vulnerability"]["severity"] is None  # type: ignore[index]
    assert webhook.skip_reason(resolution) is None
    assert webhook.skip_reason(sample_event(severity="unrated-by-anyone")) is None
