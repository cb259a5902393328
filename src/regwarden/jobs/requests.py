"""Job requests and their keys: one builder per kind, so a key means the same work wherever it is built.

Keys say what makes two submissions the same work:
- a digest's catalog: the digest and the advisory data it will be matched against (`catalog:DIGEST@VERSION`), so
  however many syncs, registries or clusters see one digest, it is catalogued once per advisory-database version;
- scheduled work: the target and the schedule slot (`sync-registry:HOST/REPO@SLOT`), so two schedulers running by
  mistake, or a message delivered twice, still make one job per slot;
- work a person asks for: a fresh suffix, so asking again runs again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from regwarden.model.job import JobRequest

CATALOG = "catalog"
SYNC_REGISTRY = "sync-registry"
SYNC_CLUSTER = "sync-cluster"
UPDATE_ADVISORIES = "update-advisories"
REMATCH = "rematch"
DELIVER_EVENTS = "deliver-events"
WATCH_ROUND = "watch-round"
PURGE_PLAN = "purge-plan"
_LONGEST_TARGET = 300


def catalog_request(
    reference: str,
    digest: str,
    db_version: datetime | None,
    *,
    insecure: bool = False,
    platform: str | None = None,
    place: tuple[str, str] | None = None,
    origin: str = "sync",
) -> JobRequest:
    """Catalog `digest`, read from `reference` (`host/repo@digest`). `place` (registry, repository) is recorded as
    a location when the caller has not recorded it (a running digest found in a cluster)."""
    args: dict[str, object] = {
        "reference": reference,
        "digest": digest,
        "insecure": insecure,
        "platform": platform,
        "origin": origin,
    }
    if place is not None:
        args["place"] = list(place)
    version = db_version.astimezone(UTC).isoformat() if db_version else "none"
    return JobRequest(CATALOG, args, f"{CATALOG}:{digest}@{version}")


def sync_registry_request(
    registry: str, repo: str | None = None, insecure: bool = False, slot: str | None = None
) -> JobRequest:
    args = {"registry": registry, "repo": repo, "insecure": insecure}
    return JobRequest(SYNC_REGISTRY, args, _key(SYNC_REGISTRY, f"{registry}/{repo or '*'}", slot))


def sync_cluster_request(
    context: str | None = None,
    from_file: str | None = None,
    cluster: str | None = None,
    catalog: bool = True,
    slot: str | None = None,
    insecure: bool = False,
) -> JobRequest:
    args = {"context": context, "from": from_file, "cluster": cluster, "catalog": catalog, "insecure": insecure}
    target = cluster or context or from_file or "current-context"
    return JobRequest(SYNC_CLUSTER, args, _key(SYNC_CLUSTER, target, slot))


def update_advisories_request(slot: str | None = None) -> JobRequest:
    return JobRequest(UPDATE_ADVISORIES, {}, _key(UPDATE_ADVISORIES, "all", slot))


def rematch_request(changed: Sequence[str], removed: Sequence[str] = ()) -> JobRequest:
    args = {"changed": sorted(set(changed)), "removed": sorted(set(removed))}
    return JobRequest(REMATCH, args, _key(REMATCH, f"{len(args['changed'])}+{len(args['removed'])}", None))


def deliver_events_request(slot: str | None = None) -> JobRequest:
    return JobRequest(DELIVER_EVENTS, {}, _key(DELIVER_EVENTS, "outbox", slot))


def watch_round_request(update_advisories: bool = True, slot: str | None = None) -> JobRequest:
    """One watch round; its steps become jobs of their own, keyed by the round's slot."""
    args = {"update_advisories": update_advisories, "slot": slot}
    return JobRequest(WATCH_ROUND, args, _key(WATCH_ROUND, "round", slot))


def purge_plan_request(
    registry: str, policy: str, plan_file: str | None = None, insecure: bool = False, slot: str | None = None
) -> JobRequest:
    """Plan (never apply) what the retention policy file `policy` would delete from `registry`."""
    args = {"registry": registry, "policy": policy, "plan_file": plan_file, "insecure": insecure}
    return JobRequest(PURGE_PLAN, args, _key(PURGE_PLAN, registry, slot))


def schedule_slot(moment: datetime, interval: timedelta) -> str:
    """The start of the schedule slot `moment` falls in (slots are `interval` long, counted from the epoch)."""
    seconds = max(1, int(interval.total_seconds()))
    start = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _key(kind: str, target: str, slot: str | None) -> str:
    if len(target) > _LONGEST_TARGET:  # a long repository pattern: keys stay within the column, and distinct
        target = target[:200] + "~" + hashlib.sha256(target.encode()).hexdigest()[:16]
    return f"{kind}:{target}@{slot}" if slot else f"{kind}:{target}#{uuid.uuid4().hex[:12]}"
