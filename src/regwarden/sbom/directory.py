"""The `dir:PATH` source: a directory tree seen as a one-layer image, with the same API as a squashed image.

The walk never follows a symlink (they are recorded as links and resolved inside the tree, as in an image),
never leaves `root`, and turns unreadable entries into Unknowns.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from regwarden.model.errors import BadInputError
from regwarden.model.sbom import LayerRef, Unknown
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.filesystem import FilesystemLimits, finish_filesystem
from regwarden.sbom.image_filesystem import ImageFilesystem
from regwarden.sbom.layer_scan import DISMISSED, ContentBudget, LayerScan, ScannedEntry
from regwarden.sbom.squash import ContentKey, SquashState
from regwarden.sbom.tar_stream import BLOCKDEV, CHARDEV, DIRECTORY, FIFO, FILE, SYMLINK
from regwarden.sbom.wanted import NOT_WANTED, WantedMatcher

_SPECIAL = (
    (stat.S_ISCHR, CHARDEV, "character device"),
    (stat.S_ISBLK, BLOCKDEV, "block device"),
    (stat.S_ISFIFO, FIFO, "fifo"),
    (stat.S_ISSOCK, FIFO, "socket"),
)


def filesystem_from_directory(
    root: Path,
    request: FileRequest | Sequence[FileRequest],
    limits: FilesystemLimits = FilesystemLimits(),
) -> ImageFilesystem:
    """Index the tree under `root` as layer 0, keeping the content of the requested files."""
    if not root.is_dir():
        raise BadInputError(f"dir:{root} is not a directory")
    ref = LayerRef(0, f"dir:{root}")
    matcher = WantedMatcher(request)
    budget = ContentBudget(limits.max_kept_bytes)
    scan = _DirectoryWalk(root, matcher, budget, limits.max_entries).walk()
    state = SquashState()
    state.apply(scan)
    contents: dict[ContentKey, bytes] = {(0, path): body for path, body in scan.contents.items()}
    unknowns = [Unknown(f"/{path}", why, layer=ref) for path, why in scan.unknowns]

    def refetch(keys: Mapping[ContentKey, int]) -> dict[ContentKey, bytes]:
        found: dict[ContentKey, bytes] = {}
        for (index, path), size in keys.items():
            body = _read_inside(root, path, size) if budget.take(size) else None
            if body is not None:
                found[(index, path)] = body
        return found

    return finish_filesystem([ref], state, contents, unknowns, matcher, refetch)


class _DirectoryWalk:
    def __init__(self, root: Path, matcher: WantedMatcher, budget: ContentBudget, max_entries: int) -> None:
        self._root = root
        self._matcher = matcher
        self._budget = budget
        self._max_entries = max_entries
        self._scan = LayerScan(0)

    def walk(self) -> LayerScan:
        pending = [""]
        while pending:
            relative = pending.pop()
            try:
                with os.scandir(self._root / relative if relative else self._root) as listing:
                    for item in sorted(listing, key=lambda found: found.name):
                        path = f"{relative}/{item.name}" if relative else item.name
                        if self._record(item, path):
                            pending.append(path)
            except OSError as error:
                self._scan.unknowns.append((relative or "/", f"directory not readable: {error.strerror}"))
        return self._scan

    def _record(self, item: os.DirEntry[str], path: str) -> bool:
        """Record one entry; True when it is a directory to descend into."""
        if len(self._scan.entries) >= self._max_entries:
            raise BadInputError(f"dir:{self._root} has more than {self._max_entries} entries")
        try:
            info = item.stat(follow_symlinks=False)
            link = str(Path(item.path).readlink()) if stat.S_ISLNK(info.st_mode) else ""
        except OSError as error:
            self._scan.unknowns.append((path, f"not readable: {error.strerror}"))
            return False
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            self._add(path, DIRECTORY, mode, 0, "")
            return True
        if stat.S_ISLNK(info.st_mode):
            self._add(path, SYMLINK, mode, 0, link)
        elif stat.S_ISREG(info.st_mode):
            self._add_file(path, mode, info.st_size)
        else:
            kind, what = next(((k, w) for test, k, w in _SPECIAL if test(info.st_mode)), (FIFO, "special file"))
            if self._matcher.limit(path, mode, regular=False) != NOT_WANTED:
                self._scan.unknowns.append((path, f"special file ({what}): no content"))
            self._add(path, kind, mode, 0, "")
        return False

    def _add(self, path: str, kind: str, mode: int, size: int, link: str, limit: int = -1) -> None:
        self._scan.entries.append(ScannedEntry(path, kind, mode, size, link, limit, None))

    def _add_file(self, path: str, mode: int, size: int) -> None:
        limit = self._matcher.limit(path, mode)
        unread = None
        if limit >= 0:
            if size > limit:
                unread = f"size limit: {size} bytes is over the {limit}-byte limit"
            else:
                unread = self._keep(path, size, limit, self._matcher.markers(path, mode))
        self._scan.entries.append(ScannedEntry(path, FILE, mode, size, "", limit, unread))

    def _keep(self, path: str, size: int, limit: int, markers: tuple[bytes, ...] | None) -> str | None:
        """Keep a wanted file's content as a layer scan does (see layer_scan); the reason when it is not kept.

        A file wanted only for markers is read first and dismissed without a marker, costing no budget.
        """
        if markers is None and not self._budget.take(size):
            return "memory budget for file contents exhausted"
        body = _read_inside(self._root, path, limit)
        if body is None:
            return "not readable"
        if markers is not None:
            if not any(marker in body for marker in markers):
                self._scan.contents[path] = DISMISSED
                return None
            if not self._budget.take(size):
                return "memory budget for file contents exhausted"
        self._scan.contents[path] = body
        return None


def _read_inside(root: Path, path: str, limit: int) -> bytes | None:
    """Read a regular file under root without following a symlink at its last component (O_NOFOLLOW)."""
    try:
        fd = os.open(root / path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        try:
            return handle.read(limit)
        except OSError:
            return None
