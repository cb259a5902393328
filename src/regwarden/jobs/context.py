"""What a job function is handed: the store, the settings, and where follow-up work goes."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from regwarden.model.job import JobRequest, Submission

if TYPE_CHECKING:
    import httpx

    from regwarden.service.settings import Settings
    from regwarden.store import Store


class Dispatcher(Protocol):
    """Where submitted jobs run: here, one after the other (in-process), or on workers through a broker."""

    @property
    def distributed(self) -> bool:
        """True when submitted jobs run on workers: a job then hands its parts on instead of doing them itself."""

    def submit(self, request: JobRequest) -> Submission:
        """Record the job under its key and run or send it, unless the key names work already on its way."""

    def submit_many(self, requests: Sequence[JobRequest]) -> list[Submission]:
        """`submit` for many (a sync's new digests): recorded in a few statements, sent over one connection."""


@dataclass(frozen=True)
class JobContext:
    store: Store
    settings: Settings
    dispatcher: Dispatcher
    environ: Mapping[str, str]
    db_url: str | None = None
    """None: `REGWARDEN_DB` from `environ` (workers), else the user's SQLite file."""
    transport: httpx.BaseTransport | None = None
    """Tests hand the advisory update and webhook delivery a transport of their own."""


def process_owner() -> str:
    """`host:pid`: who holds a claim, as `regwarden jobs` shows it."""
    return f"{socket.gethostname()}:{os.getpid()}"
