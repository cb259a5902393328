"""Which paths some cataloger wants, decided by dict and prefix/suffix lookups before any body is read."""

from __future__ import annotations

from collections.abc import Sequence

from regwarden.sbom.catalogers.binfmt import MarkedExecutables
from regwarden.sbom.catalogers.interface import FileRequest

NOT_WANTED = -1


class WantedMatcher:
    """The union of several `FileRequest`s.

    `limit(path, mode)` is the largest `max_size` among the requests that want the path, or NOT_WANTED. A
    cheap union check rejects almost every path before any request is asked.
    """

    def __init__(self, requests: FileRequest | Sequence[FileRequest]) -> None:
        self._requests = (requests,) if isinstance(requests, FileRequest) else tuple(requests)
        self._basenames: frozenset[str] = frozenset().union(*(r.basenames for r in self._requests))
        self._suffixes = tuple({s for r in self._requests for s in r.suffixes})
        self._directories = tuple({d for r in self._requests for d in r.directories})
        self._executables = any(r.executables for r in self._requests)

    def limit(self, path: str, mode: int, regular: bool = True) -> int:
        base = path[path.rfind("/") + 1 :]
        if not (
            base in self._basenames
            or path.endswith(self._suffixes)
            or path.startswith(self._directories)
            or (self._executables and regular and mode & 0o111)
        ):
            return NOT_WANTED
        best = NOT_WANTED
        for request in self._requests:
            # a symlink is wanted by name only: its 0o777 mode says nothing about being an executable
            if request.max_size > best and request.wants(path, mode if regular else 0):
                best = request.max_size
        return best

    def markers(self, path: str, mode: int) -> tuple[bytes, ...] | None:
        """For a wanted regular file: the byte strings one of which its content must hold to be worth keeping
        (see `MarkedExecutables`), or None when some request wants its content whatever it holds."""
        found: list[bytes] = []
        for request in self._requests:
            if request.wants(path, mode):
                if not isinstance(request, MarkedExecutables) or not request.markers:
                    return None
                found += request.markers
        return tuple(found)
