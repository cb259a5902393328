"""The advisory source seam: a source yields raw OSV records and says whether it needs the network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from regwarden.model.errors import BadInputError

RawRecord = tuple[str, bytes]
"""(record id as the source names it, the OSV JSON document's bytes)."""


class AdvisorySourceError(BadInputError):
    """A source's input is not something we can read OSV records from (wrong file type, unreadable file)."""


class AdvisorySource(Protocol):
    needs_network: bool
    """True when reading the source talks to a remote server (so air-gapped runs can refuse it up front)."""

    @property
    def location(self) -> str:
        """Where the records come from (URL or path), kept on each advisory as evidence."""
        ...

    def records(self) -> Iterator[RawRecord]:
        """Every record of the source, once. Raises a RegwardenError when the source as a whole is unusable."""
        ...


class TransferProgress(Protocol):
    """Where downloads report how far they got; the CLI draws a progress bar on stderr from it."""

    def start(self, label: str, total: int | None, completed: int = 0) -> None: ...

    def advance(self, amount: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """A TransferProgress that shows nothing (tests, pipes, library use)."""

    def start(self, label: str, total: int | None, completed: int = 0) -> None:
        return None

    def advance(self, amount: int) -> None:
        return None

    def finish(self) -> None:
        return None
