"""One streaming pass over one layer: its entries, whiteouts, and the content of the files someone wants.

A scan depends only on the layer and the requests, never on the layers below it, so layers are scanned in
parallel threads and applied in order afterwards (squash.py). Bodies nobody wants are skipped, never kept.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

from regwarden.model.image import Layer
from regwarden.oci.compression import open_layer_stream
from regwarden.sbom.tar_stream import (
    BLOCKDEV,
    CHARDEV,
    FIFO,
    FILE,
    HARDLINK,
    LayerLimitError,
    TarLimits,
    TarStream,
)
from regwarden.sbom.wanted import NOT_WANTED

MAX_PATH = 4096
"""Linux's PATH_MAX; longer names (possible with pax) are skipped, which also bounds path resolution."""
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
_SPECIAL = {CHARDEV: "character device", BLOCKDEV: "block device", FIFO: "fifo"}
_ODD_START = frozenset(("", "/", "."))


DISMISSED = b""
"""The content kept for a file wanted only for markers it turned out not to hold (see `MarkedExecutables`):
its requesters would find nothing in it, and every later step (hard links, versions, attribution) treats it
as a file whose content was read."""


class Wants(Protocol):
    def limit(self, path: str, mode: int, regular: bool = True) -> int: ...

    def markers(self, path: str, mode: int) -> tuple[bytes, ...] | None: ...


class ContentBudget:
    """The total bytes of file content kept in memory, shared by the scanning threads."""

    def __init__(self, total: int) -> None:
        self._left = total
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        with self._lock:
            if size > self._left:
                return False
            self._left -= size
            return True


class ScannedEntry:
    """A tar member after path normalisation.

    `limit` >= 0 when a request wants it; `unread` says why its wanted content was not kept.
    """

    __slots__ = ("kind", "limit", "link", "mode", "path", "size", "unread")

    def __init__(self, path: str, kind: str, mode: int, size: int, link: str, limit: int, unread: str | None):
        self.path = path
        self.kind = kind
        self.mode = mode
        self.size = size
        self.link = link
        self.limit = limit
        self.unread = unread


@dataclass
class LayerScan:
    index: int
    entries: list[ScannedEntry] = field(default_factory=list)
    whiteouts: list[str] = field(default_factory=list)
    opaque_dirs: list[str] = field(default_factory=list)
    contents: dict[str, bytes] = field(default_factory=dict)
    unknowns: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) for entries that were odd or hostile."""


@dataclass(frozen=True)
class ScanLimits:
    tar: TarLimits
    max_ratio: float
    ratio_floor_bytes: int


class _CountingReader:
    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        return data

    def close(self) -> None:
        self._raw.close()


class _RatioGuard:
    """Stops a decompression bomb: uncompressed bytes may not pass `max_ratio` times the compressed bytes."""

    def __init__(self, stream: BinaryIO, compressed: _CountingReader, limits: ScanLimits, label: str) -> None:
        self._stream = stream
        self._compressed = compressed
        self._limits = limits
        self._label = label
        self._out = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self._stream.read(size)
        self._out += len(data)
        if self._out > self._limits.ratio_floor_bytes and self._out > self._limits.max_ratio * max(
            self._compressed.count, 1
        ):
            raise LayerLimitError(
                f"{self._label}: decompresses to over {self._limits.max_ratio:g} times its compressed size"
            )
        return data


def normalize(name: str) -> tuple[str, str | None]:
    """The image path of a tar name (no leading `/` or `./`, `..` clamped at the root) and a problem."""
    if (
        name[:1] not in ("/", ".")
        and "//" not in name
        and "/./" not in name
        and "/../" not in name
        and not name.endswith(("/.", "/.."))
    ):
        return name.rstrip("/"), None
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if part == "..":
            escaped = escaped or not parts
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    if escaped:
        return "/".join(parts), "path escapes the image root (clamped inside it)"
    if name.startswith("/"):
        return "/".join(parts), "absolute path (taken relative to the image root)"
    return "/".join(parts), None


def scan_layer(blob: BinaryIO, layer: Layer, wants: Wants, limits: ScanLimits, budget: ContentBudget) -> LayerScan:
    """Read the layer blob once (closing it), keeping the content of wanted regular files."""
    label = f"layer {layer.index} ({layer.digest})"
    counted = _CountingReader(blob)
    with blob, open_layer_stream(counted) as stream:
        tar = TarStream(_RatioGuard(stream, counted, limits, label), limits.tar, label)
        scan = LayerScan(layer.index)
        entries, limit_of = scan.entries, wants.limit
        for header in tar.headers():
            name = header.name
            # Fast path for the usual `usr/lib/x` or `./usr/lib/x` name; anything else with `/.`, `//` or a
            # leading `.` or `/` is normalised properly (dotfiles and whiteouts included, which is harmless).
            plain = name[2:] if name[:2] == "./" else name
            if plain[:1] in _ODD_START or "/." in plain or "//" in plain:
                path, problem = normalize(name)
                if problem:
                    scan.unknowns.append((path, f"{problem}: {name!r}"))
            else:
                path = plain.rstrip("/")
            if not path:
                continue
            if len(path) > MAX_PATH or len(header.link) > MAX_PATH:
                scan.unknowns.append((path[:200] + "...", f"name or link target longer than {MAX_PATH} bytes"))
                continue
            base = path[path.rfind("/") + 1 :]
            if base[:4] == WHITEOUT_PREFIX:
                _record_whiteout(scan, path, base)
            elif header.problem:
                scan.unknowns.append((path, header.problem))
            elif header.kind != FILE:
                _record_other(scan, wants, path, header.kind, header.mode, header.size, header.link)
            elif (limit := limit_of(path, header.mode)) < 0:
                entries.append(ScannedEntry(path, FILE, header.mode, header.size, "", -1, None))
            else:
                markers = wants.markers(path, header.mode)
                _record_wanted(scan, tar, budget, path, header.mode, header.size, limit, markers)
        if tar.trailing_data:
            scan.unknowns.append(("", "data after the tar end-of-archive marker (ignored, as runtimes do)"))
        return scan


def _record_whiteout(scan: LayerScan, path: str, base: str) -> None:
    parent = path[: len(path) - len(base)]
    if base == OPAQUE_MARKER:
        scan.opaque_dirs.append(parent.rstrip("/"))
    elif not base.startswith(".wh..wh."):  # other `.wh..wh.` names are aufs bookkeeping, not whiteouts
        scan.whiteouts.append(parent + base[len(WHITEOUT_PREFIX) :])


def _record_wanted(
    scan: LayerScan,
    tar: TarStream,
    budget: ContentBudget,
    path: str,
    mode: int,
    size: int,
    limit: int,
    markers: tuple[bytes, ...] | None,
) -> None:
    unread = None
    if size > limit:
        unread = f"size limit: {size} bytes is over the {limit}-byte limit"
    elif markers is None:
        if budget.take(size):
            scan.contents[path] = tar.read_body()
        else:
            unread = "memory budget for file contents exhausted"
    else:  # read to look for the markers; only a body holding one is kept (and charged to the budget)
        body = tar.read_body_holding(markers)
        if body is None:
            scan.contents[path] = DISMISSED
        elif budget.take(size):
            scan.contents[path] = body
        else:
            unread = "memory budget for file contents exhausted"
    scan.entries.append(ScannedEntry(path, FILE, mode, size, "", limit, unread))


def _record_other(scan: LayerScan, wants: Wants, path: str, kind: str, mode: int, size: int, link: str) -> None:
    """Directories, links and special files: never a body to keep."""
    limit = -1
    if kind == HARDLINK:
        link, problem = normalize(link)
        if problem:
            scan.unknowns.append((path, f"hard link target: {problem}"))
        limit = wants.limit(path, mode)
    elif kind in _SPECIAL and wants.limit(path, mode, regular=False) != NOT_WANTED:
        # Device nodes and fifos are normal in images: only one where a cataloger wanted a file is unknown.
        scan.unknowns.append((path, f"special file ({_SPECIAL[kind]}): no content"))
    scan.entries.append(ScannedEntry(path, kind, mode, size, link, limit, None))
