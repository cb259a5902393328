"""The schedule Celery beat keeps: one watch round every `watch.interval` (service/watch.py's steps, each a job).

Beat only sends a message per interval; the worker that receives it records the round under the key of its
schedule slot (jobs/requests.py), so a second beat started by mistake, or a message delivered twice, still makes
one round per slot. The round's steps are keyed by the same slot: a registry whose sync from the slot before is
still running is not queued again for this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from regwarden.jobs.celery_app import task_name
from regwarden.jobs.requests import WATCH_ROUND, schedule_slot, watch_round_request
from regwarden.model.errors import BadInputError
from regwarden.model.job import JobRequest
from regwarden.service.settings import Settings

ROUND_ENTRY = "regwarden watch round"


def round_message(update_advisories: bool) -> dict[str, Any]:
    """What beat sends each interval (the task's keyword arguments)."""
    return {"scheduled": {"update_advisories": update_advisories}}


def beat_schedule(settings: Settings, update_advisories: bool = True) -> dict[str, dict[str, Any]]:
    return {
        ROUND_ENTRY: {
            "task": task_name(WATCH_ROUND),
            "schedule": settings.interval.total_seconds(),
            "kwargs": round_message(update_advisories),
            "options": {"queue": settings.jobs.control_queue},
        }
    }


def scheduled_request(kind: str, scheduled: Mapping[str, Any], settings: Settings, now: datetime) -> JobRequest:
    """The job a scheduled message stands for, keyed by the slot `now` falls in."""
    if kind != WATCH_ROUND:
        raise BadInputError(f"only {WATCH_ROUND} is scheduled; a scheduled {kind!r} message is not understood")
    update = scheduled.get("update_advisories", True)
    if not isinstance(update, bool):
        raise BadInputError(f"a scheduled round's update_advisories must be true or false, not {update!r}")
    return watch_round_request(update, slot=schedule_slot(now, _interval(settings)))


def _interval(settings: Settings) -> timedelta:
    return max(settings.interval, timedelta(seconds=1))
