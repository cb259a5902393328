"""`REGWARDEN_BROKER` and what regwarden tells kombu and Celery: Redis options, Azure Service Bus options (checked
by opening a kombu channel of the real Service Bus transport, which needs no network until it sends), the delivery
settings that make a killed worker's job come back, and mistakes named."""

from __future__ import annotations

from datetime import timedelta

import kombu
import pytest
from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

from regwarden.jobs.broker import BrokerConfig, broker_from_environ
from regwarden.jobs.celery_app import configuration, create_app, task_name
from regwarden.jobs.definitions import ALL_JOBS
from regwarden.model.errors import BadInputError
from regwarden.service.job_settings import JobSettings, load_job_settings


def test_no_broker_means_in_process() -> None:
    assert broker_from_environ(JobSettings(), {}) is None
    assert broker_from_environ(JobSettings(), {"REGWARDEN_BROKER": "  "}) is None


def test_redis_gets_a_visibility_timeout_and_a_sweep_that_finds_a_dead_workers_messages() -> None:
    jobs = JobSettings(visibility_timeout=timedelta(minutes=30))
    broker = broker_from_environ(jobs, {"REGWARDEN_BROKER": "redis://:s3cret@cache.internal:6380/2"})
    assert broker == BrokerConfig(
        "redis://:s3cret@cache.internal:6380/2",
        "redis",
        {
            "visibility_timeout": 1800,
            "unacked_restore_interval": 10,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": 10,
            "socket_keepalive": True,
        },
    )
    assert broker.display() == "redis://:***@cache.internal:6380/2"
    assert broker.remote_control
    short = broker_from_environ(
        JobSettings(visibility_timeout=timedelta(seconds=8)), {"REGWARDEN_BROKER": "rediss://r"}
    )
    assert short is not None and short.transport_options["unacked_restore_interval"] == 2


def test_service_bus_with_workload_identity_reaches_the_kombu_transport() -> None:
    jobs = JobSettings(time_limit=timedelta(hours=1))
    url = "azureservicebus://DefaultAzureCredential@regwarden-prod"
    broker = broker_from_environ(jobs, {"REGWARDEN_BROKER": url})
    assert broker is not None and broker.transport == "azureservicebus" and not broker.remote_control
    assert broker.transport_options == {
        "queue_name_prefix": "",
        "peek_lock_seconds": 300,  # Service Bus's longest lock; renewed for as long as a job may run
        "use_lock_renewal": True,
        "max_lock_renewal_duration": 3660,
        "wait_time_seconds": 5,
    }
    connection = kombu.Connection(broker.url, transport_options=dict(broker.transport_options))
    try:
        channel = connection.channel()
        assert channel._namespace == "regwarden-prod.servicebus.windows.net"
        assert isinstance(channel._credential, DefaultAzureCredential)
        assert (channel.peek_lock_seconds, channel.use_lock_renewal, channel.max_lock_renewal_duration) == (
            300,
            True,
            3660.0,
        )
    finally:
        connection.release()


def test_service_bus_with_a_managed_identity_or_a_shared_access_policy() -> None:
    managed = broker_from_environ(
        JobSettings(), {"REGWARDEN_BROKER": "azureservicebus://ManagedIdentityCredential@rw.servicebus.windows.net"}
    )
    assert managed is not None
    connection = kombu.Connection(managed.url, transport_options=dict(managed.transport_options))
    try:
        assert isinstance(connection.channel()._credential, ManagedIdentityCredential)
    finally:
        connection.release()
    policy = broker_from_environ(
        JobSettings(broker_options={"queue_name_prefix": "rw-", "peek_lock_seconds": 120}),
        {"REGWARDEN_BROKER": "azureservicebus://RootManageSharedAccessKey:a/b+c=@rw"},
    )
    assert policy is not None and policy.display() == "azureservicebus://RootManageSharedAccessKey:***@rw"
    connection = kombu.Connection(policy.url, transport_options=dict(policy.transport_options))
    try:
        channel = connection.channel()
        assert channel._connection_string == (
            "Endpoint=sb://rw.servicebus.windows.net;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=a/b+c="
        )
        assert (channel.queue_name_prefix, channel.peek_lock_seconds) == ("rw-", 120)  # broker_options win
    finally:
        connection.release()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("amqp://guest@rabbit//", "unsupported broker 'amqp'"),
        ("localhost:6379", "unsupported broker 'localhost:6379'"),
        ("redis://", "expected redis://[:PASSWORD@]HOST[:PORT][/DB], got redis://"),
        ("redis://:pw@cache:port/0", "got redis://:***@cache:port/0"),
        ("redis://cache:6379/queue", "expected redis://"),
        ("azureservicebus://rw-namespace", "expected azureservicebus://DefaultAzureCredential@NAMESPACE"),
        ("azureservicebus://policyonly@rw", "expected azureservicebus://"),
        ("azureservicebus://policy:key@", "got azureservicebus://policy:***@"),
    ],
)
def test_broker_mistakes_are_named_without_their_secrets(url: str, message: str) -> None:
    with pytest.raises(BadInputError, match="REGWARDEN_BROKER") as raised:
        broker_from_environ(JobSettings(), {"REGWARDEN_BROKER": url})
    assert message in str(raised.value)
    assert "pw@" not in str(raised.value) and ":key@" not in str(raised.value)


def test_celery_delivers_at_least_once_and_routes_catalogs_to_their_own_queue() -> None:
    jobs = load_job_settings({"queue_prefix": "rw-prod", "time_limit": "30m"})
    broker = broker_from_environ(jobs, {"REGWARDEN_BROKER": "redis://cache:6379/0"})
    assert broker is not None
    settings = configuration(broker, jobs)
    delivery = {
        key: settings[key]
        for key in (
            "task_acks_late",
            "task_reject_on_worker_lost",
            "worker_prefetch_multiplier",
            "task_ignore_result",
            "result_backend",
            "task_soft_time_limit",
            "task_time_limit",
            "task_default_queue",
        )
    }
    assert delivery == {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "result_backend": None,
        "task_soft_time_limit": 1800,
        "task_time_limit": 1860,
        "task_default_queue": "rw-prod",
    }
    assert settings["task_routes"] == {
        "regwarden.catalog": {"queue": "rw-prod.catalog"},
        **{task_name(d.kind): {"queue": "rw-prod"} for d in ALL_JOBS if d.kind != "catalog"},
    }
    app = create_app(broker, jobs)
    try:
        assert {name for name in app.tasks if name.startswith("regwarden.")} == {task_name(d.kind) for d in ALL_JOBS}
        assert app.conf.broker_transport_options["visibility_timeout"] == 3600
    finally:
        app.close()


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ([], "jobs: expected a mapping"),
        ({"claimttl": "1m"}, "jobs: unknown key(s) claimttl"),
        ({"claim_ttl": "1s"}, "jobs.claim_ttl: at least 3s"),
        ({"claim_ttl": "soon"}, "jobs.claim_ttl: 'soon' is not a duration"),
        ({"visibility_timeout": "0"}, "jobs.visibility_timeout: expected a positive duration"),
        ({"max_retries": -1}, "jobs.max_retries: expected a whole number"),
        ({"max_retries": True}, "jobs.max_retries: expected a whole number"),
        ({"queue_prefix": "a b"}, "jobs.queue_prefix: letters, digits"),
        ({"retry_backoff": "1m", "retry_backoff_max": "30s"}, "jobs.retry_backoff_max: must not be shorter"),
        ({"broker_options": ["x"]}, "jobs.broker_options: expected a mapping"),
    ],
)
def test_job_settings_mistakes_are_named(section: object, message: str) -> None:
    with pytest.raises(BadInputError, match="jobs") as raised:
        load_job_settings(section)
    assert message in str(raised.value)


def test_job_settings_defaults_and_values() -> None:
    assert load_job_settings(None) == JobSettings()
    settings = load_job_settings({"claim_ttl": "2m", "max_retries": 0, "retry_backoff_max": "1h"})
    assert (settings.claim_ttl, settings.max_retries, settings.retry_backoff_max) == (
        timedelta(minutes=2),
        0,
        timedelta(hours=1),
    )
    assert (settings.control_queue, settings.catalog_queue) == ("regwarden", "regwarden.catalog")
