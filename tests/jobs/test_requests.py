"""Job keys: what makes two submissions the same work (the digest and advisory data, the target and the schedule
slot), and what never is (two requests someone made by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from regwarden.jobs.requests import (
    catalog_request,
    deliver_events_request,
    rematch_request,
    schedule_slot,
    sync_cluster_request,
    sync_registry_request,
    watch_round_request,
)

DIGEST = "sha256:" + "ab" * 32
DB_VERSION = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


def test_a_digest_is_one_catalog_per_advisory_data_version() -> None:
    seen_by_one = catalog_request(f"a.azurecr.io/shop/web@{DIGEST}", DIGEST, DB_VERSION)
    seen_by_another = catalog_request(f"b.azurecr.io/mirror/web@{DIGEST}", DIGEST, DB_VERSION, insecure=True)
    after_an_update = catalog_request(f"a.azurecr.io/shop/web@{DIGEST}", DIGEST, DB_VERSION + timedelta(hours=1))
    assert seen_by_one.key == seen_by_another.key == f"catalog:{DIGEST}@2026-12-08T06:00:00+00:00"
    assert after_an_update.key == f"catalog:{DIGEST}@2026-12-08T07:00:00+00:00"
    # The same moment written in another time zone is the same version.
    paris = DB_VERSION.astimezone(timezone(timedelta(hours=1)))
    assert catalog_request("r/x@" + DIGEST, DIGEST, paris).key == seen_by_one.key
    assert catalog_request("r/x@" + DIGEST, DIGEST, None).key == f"catalog:{DIGEST}@none"
    assert seen_by_one.args == {
        "reference": f"a.azurecr.io/shop/web@{DIGEST}",
        "digest": DIGEST,
        "insecure": False,
        "platform": None,
        "origin": "sync",
    }


def test_scheduled_work_is_keyed_by_target_and_slot() -> None:
    slot = "2026-12-08T10:05:00Z"
    assert sync_registry_request("myreg.azurecr.io", "shop/.*", slot=slot).key == (
        "sync-registry:myreg.azurecr.io/shop/.*@2026-12-08T10:05:00Z"
    )
    assert sync_registry_request("myreg.azurecr.io", slot=slot).key == "sync-registry:myreg.azurecr.io/*@" + slot
    assert sync_cluster_request(context="aks-prod", slot=slot).key == "sync-cluster:aks-prod@" + slot
    assert (
        sync_cluster_request(context="ctx", cluster="aks-prod-weu", slot=slot).key
        == "sync-cluster:aks-prod-weu@" + slot
    )
    assert deliver_events_request(slot).key == "deliver-events:outbox@" + slot
    assert watch_round_request(False, slot).args == {"update_advisories": False, "slot": slot}


def test_work_asked_for_by_hand_is_never_the_same_twice() -> None:
    first, second = sync_registry_request("localhost:5000"), sync_registry_request("localhost:5000")
    assert first.key != second.key and first.key.startswith("sync-registry:localhost:5000/*#")
    assert rematch_request(["GHSA-2", "GHSA-1", "GHSA-1"]).args == {"changed": ["GHSA-1", "GHSA-2"], "removed": []}


def test_a_long_repository_pattern_keeps_keys_short_and_distinct() -> None:
    one = sync_registry_request("r.io", "a" * 400 + "1", slot="s").key
    two = sync_registry_request("r.io", "a" * 400 + "2", slot="s").key
    assert one != two and len(one) < 260 and len(two) < 260


def test_slots_are_interval_long_and_counted_from_the_epoch() -> None:
    five = timedelta(minutes=5)
    assert schedule_slot(datetime(2026, 12, 8, 10, 7, 59, tzinfo=UTC), five) == "2026-12-08T10:05:00Z"
    assert schedule_slot(datetime(2026, 12, 8, 10, 10, 0, tzinfo=UTC), five) == "2026-12-08T10:10:00Z"
    assert schedule_slot(datetime(2026, 12, 8, 10, 7, 59, tzinfo=UTC), timedelta(hours=1)) == "2026-12-08T10:00:00Z"
    assert schedule_slot(datetime(2026, 12, 8, 10, 7, 59, 500, tzinfo=UTC), timedelta(0)) == "2026-12-08T10:07:59Z"
