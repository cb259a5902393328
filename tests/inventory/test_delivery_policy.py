"""The delivery policy, answer by answer: what is delivered, retried (when) or failed, and the signature."""

from __future__ import annotations

import random
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from regwarden.inventory.delivery import (
    Outcome,
    Verdict,
    backoff,
    judge_failure,
    judge_response,
    next_step,
    parse_retry_after,
    signature,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
RNG = random.Random(7)


def step(status: int, attempts: int, max_attempts: int = 8, retry_after: str | None = None) -> Outcome:
    return next_step(judge_response(status, retry_after, "", NOW), attempts, max_attempts, NOW, RNG)[0]


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered(status: int) -> None:
    assert next_step(judge_response(status, None, "ok", NOW), 1, 8, NOW, RNG) == (Outcome.DELIVERED, None)


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503, 504])
def test_transient_answers_are_retried_until_max_attempts(status: int) -> None:
    assert [step(status, n) for n in range(1, 9)] == [Outcome.RETRY] * 7 + [Outcome.FAILED]


@pytest.mark.parametrize("status", [301, 302, 307, 400, 401, 403, 404, 410, 413, 422])
def test_refusals_get_three_attempts_in_all(status: int) -> None:
    assert [step(status, n) for n in (1, 2, 3)] == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
    assert step(status, 1, max_attempts=1) is Outcome.FAILED


def test_transport_failures_are_transient() -> None:
    verdict = judge_failure("ConnectError: [Errno 111] Connection refused")
    assert next_step(verdict, 7, 8, NOW, RNG)[0] is Outcome.RETRY
    assert next_step(verdict, 8, 8, NOW, RNG)[0] is Outcome.FAILED


def test_backoff_doubles_to_a_cap_with_jitter_between_half_and_all() -> None:
    rng = random.Random(1)
    ceilings = [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    for attempts, ceiling in enumerate(ceilings, start=1):
        waits = [backoff(attempts, rng).total_seconds() for _ in range(200)]
        assert ceiling / 2 <= min(waits) < max(waits) <= ceiling
    assert backoff(10_000, rng) <= timedelta(hours=1)


def test_retry_after_is_honoured_exactly_and_capped() -> None:
    verdict = judge_response(429, "120", "slow down", NOW)
    assert next_step(verdict, 1, 8, NOW, RNG) == (Outcome.RETRY, NOW + timedelta(seconds=120))
    verdict = judge_response(503, "86400", "", NOW)
    assert next_step(verdict, 1, 8, NOW, RNG) == (Outcome.RETRY, NOW + timedelta(hours=6))
    verdict = judge_response(429, "0", "", NOW)
    assert next_step(verdict, 1, 8, NOW, RNG) == (Outcome.RETRY, NOW + timedelta(seconds=1))


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Mon, 05 Jan 2026 12:05:00 GMT", NOW) == timedelta(minutes=5)
    assert parse_retry_after("Mon, 05 Jan 2026 11:00:00 GMT", NOW) == timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after("", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_teams_throttling_inside_a_2xx_is_a_429() -> None:
    body = "Microsoft Teams endpoint returned HTTP error 429 with ContextId ..."
    assert judge_response(200, None, body, NOW, teams=True) == Verdict(False, True, f"HTTP 200: {body}")
    assert judge_response(200, None, body, NOW).delivered


def test_the_detail_keeps_the_start_of_the_body_on_one_line() -> None:
    verdict = judge_response(400, None, "invalid_payload\n" + "x" * 500, NOW)
    assert verdict.detail == "HTTP 400: invalid_payload " + "x" * 184
    assert "redirects are not followed" in judge_response(302, None, "", NOW).detail


def test_signature_matches_openssl() -> None:
    body = b'{"id":1,"kind":"workload.affected"}'
    expected = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", "k3y", "-r"],
        input=b"1767614400." + body,
        capture_output=True,
        check=True,
    ).stdout.split()[0]
    assert signature("k3y", "1767614400", body) == "sha256=" + expected.decode()
