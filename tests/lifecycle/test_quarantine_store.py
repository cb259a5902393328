"""The quarantine worker's durable records on SQLite and PostgreSQL: once per manifest, claims that exclude each
other and expire, decisions kept apart from reports, retries at their time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from regwarden.store import open_store

T0 = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
DIGEST = "sha256:" + "ab" * 32
MINUTE = timedelta(minutes=1)


def test_a_manifest_is_recorded_once_however_often_the_webhook_comes(db_url: str) -> None:
    with open_store(db_url) as store:
        first = store.quarantine.receive("acr.example", "shop/web", DIGEST, "1.4", "evt-1", T0)
        again = store.quarantine.receive("acr.example", "shop/web", DIGEST, "1.4", "evt-1", T0 + MINUTE)
        elsewhere = store.quarantine.receive("acr.example", "shop/api", DIGEST, None, "evt-2", T0)

        assert (first.new, again.new, elsewhere.new) == (True, False, True)
        assert again.check == first.check
        assert (first.check.status, first.check.attempts, first.check.received_at) == ("pending", 0, T0)
        assert [c.repository for c in store.quarantine.recent()] == ["shop/api", "shop/web"]


def test_one_worker_claims_a_check_and_a_crashed_claim_expires(db_url: str) -> None:
    with open_store(db_url) as store:
        check = store.quarantine.receive("acr.example", "shop/web", DIGEST, "1.4", None, T0).check

        assert [c.id for c in store.quarantine.due(T0)] == [check.id]
        assert store.quarantine.claim(check.id, 5 * MINUTE, T0)
        assert not store.quarantine.claim(check.id, 5 * MINUTE, T0 + MINUTE)  # a second worker
        assert store.quarantine.due(T0 + MINUTE) == []
        running = store.quarantine.get(check.id, T0 + MINUTE)
        assert running is not None and running.running and running.attempts == 1

        later = T0 + 6 * MINUTE  # the first worker died: its claim lapsed
        assert [c.id for c in store.quarantine.due(later)] == [check.id]
        assert store.quarantine.claim(check.id, 5 * MINUTE, later)
        again = store.quarantine.get(check.id, later)
        assert again is not None and again.attempts == 2


def test_a_decision_is_kept_until_it_is_reported_and_retries_wait_their_turn(db_url: str) -> None:
    with open_store(db_url) as store:
        check = store.quarantine.receive("acr.example", "shop/web", DIGEST, None, None, T0).check
        store.quarantine.claim(check.id, 5 * MINUTE, T0)
        store.quarantine.record_decision(check.id, "Failed", ["linux/amd64: 6 finding(s) at or above high"], "{}", T0)
        store.quarantine.record_retry(check.id, "ACR answered 503", T0 + 2 * MINUTE)

        assert store.quarantine.due(T0 + MINUTE) == []
        (waiting,) = store.quarantine.due(T0 + 2 * MINUTE)
        assert (waiting.status, waiting.state, waiting.last_error) == ("decided", "Failed", "ACR answered 503")
        assert waiting.reasons == ("linux/amd64: 6 finding(s) at or above high",)

        store.quarantine.claim(check.id, 5 * MINUTE, T0 + 2 * MINUTE)
        store.quarantine.record_reported(check.id, T0 + 3 * MINUTE)
        done = store.quarantine.find("acr.example", "shop/web", DIGEST)
        assert done is not None
        assert (done.status, done.reported_at, done.decided_at, done.running) == (
            "reported",
            T0 + 3 * MINUTE,
            T0,
            False,
        )
        assert store.quarantine.due(T0 + timedelta(days=1)) == []
        assert not store.quarantine.claim(check.id, 5 * MINUTE, T0 + timedelta(days=1))
