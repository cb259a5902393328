"""Build the squashed image filesystem: one streaming pass per layer, scanned in parallel, applied in order.

Nothing is written to disk. Only the content of files some `FileRequest` wants is kept (within its `max_size`
and the total budget); an executable wanted only by `MarkedExecutables` requests is kept only if it holds one of
their markers, else as empty content (layer_scan.DISMISSED). A wanted hard link or symlink whose target's body
was skipped costs one more targeted pass over the layer holding that body, which is rare and cheaper than keeping
every body just in case.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from regwarden.gc_pause import cyclic_gc_paused
from regwarden.model.image import Layer
from regwarden.model.sbom import LayerRef, Unknown
from regwarden.oci.source import ImageSource
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.image_filesystem import (
    EntryKind,
    FileEntry,
    ImageFilesystem,
    KeptFile,
    WantedLink,
    resolve_in,
)
from regwarden.sbom.layer_scan import ContentBudget, LayerScan, ScanLimits, scan_layer
from regwarden.sbom.squash import ContentKey, Node, SquashState
from regwarden.sbom.tar_stream import FILE, SYMLINK, LayerLimitError, TarLimits
from regwarden.sbom.wanted import WantedMatcher

__all__ = [
    "EntryKind",
    "FileEntry",
    "FilesystemLimits",
    "ImageFilesystem",
    "KeptFile",
    "LayerLimitError",
    "build_filesystem",
]

GiB = 1024**3
MiB = 1024**2

Refetch = Callable[[Mapping[ContentKey, int]], dict[ContentKey, bytes]]
"""Reads the bodies of the given (layer, path) keys, each up to the given size; returns those it read."""


@dataclass(frozen=True)
class FilesystemLimits:
    """Bounds that turn hostile layers into clear errors instead of exhausted memory or disk."""

    max_layer_bytes: int = 32 * GiB
    """Uncompressed size of one layer tar."""
    max_ratio: float = 1000.0
    """Uncompressed / compressed size of one layer; gzip cannot exceed ~1032, so this only stops zstd bombs
    and concatenated-stream tricks. Checked once a layer passes `ratio_floor_bytes`."""
    ratio_floor_bytes: int = 64 * MiB
    max_entries: int = 2_000_000
    """Tar entries in one layer."""
    max_kept_bytes: int = 2 * GiB
    """Total content of wanted files kept in memory."""
    max_header_bytes: int = 1 * MiB
    """One pax or GNU long-name header."""

    def scan_limits(self) -> ScanLimits:
        tar = TarLimits(self.max_layer_bytes, self.max_entries, self.max_header_bytes)
        return ScanLimits(tar, self.max_ratio, self.ratio_floor_bytes)


def layer_ref(layer: Layer) -> LayerRef:
    return LayerRef(layer.index, layer.digest, layer.diff_id, layer.created_by)


def build_filesystem(
    source: ImageSource,
    request: FileRequest | Sequence[FileRequest],
    limits: FilesystemLimits = FilesystemLimits(),
    *,
    workers: int = 2,
) -> ImageFilesystem:
    """Squash the layers of `source` into one indexed view, keeping the content of the requested files."""
    layers = source.resolve().layers
    refs = [layer_ref(layer) for layer in layers]
    ref_of = {ref.index: ref for ref in refs}
    matcher = WantedMatcher(request)
    budget = ContentBudget(limits.max_kept_bytes)
    scan_limits = limits.scan_limits()

    def scan(layer: Layer, wants: WantedMatcher | _ExactPaths) -> LayerScan:
        return scan_layer(source.open_layer(layer), layer, wants, scan_limits, budget)

    def refetch(keys: Mapping[ContentKey, int]) -> dict[ContentKey, bytes]:
        by_layer: dict[int, dict[str, int]] = {}
        for (index, path), size in keys.items():
            by_layer.setdefault(index, {})[path] = size
        chosen = [layer for layer in layers if layer.index in by_layer]
        found: dict[ContentKey, bytes] = {}
        for result in _ordered(chosen, lambda layer: scan(layer, _ExactPaths(by_layer[layer.index])), workers):
            found.update(((result.index, path), body) for path, body in result.contents.items())
        return found

    state = SquashState()
    contents: dict[ContentKey, bytes] = {}
    unknowns: list[Unknown] = []
    with cyclic_gc_paused():
        for result in _ordered(layers, lambda layer: scan(layer, matcher), workers):
            state.apply(result)
            contents.update(((result.index, path), body) for path, body in result.contents.items())
            unknowns += [Unknown(f"/{path}", why, layer=ref_of[result.index]) for path, why in result.unknowns]
        return finish_filesystem(refs, state, contents, unknowns, matcher, refetch)


class _ExactPaths:
    """The `Wants` of a targeted re-read: exactly these paths, each up to its size."""

    def __init__(self, sizes: Mapping[str, int]) -> None:
        self._sizes = sizes

    def limit(self, path: str, mode: int, regular: bool = True) -> int:
        return self._sizes.get(path, -1)

    def markers(self, path: str, mode: int) -> tuple[bytes, ...] | None:
        return None  # a body read again is needed whole


def _ordered(layers: Iterable[Layer], scan: Callable[[Layer], LayerScan], workers: int) -> Iterator[LayerScan]:
    """Scan up to `workers` layers at once (zlib and zstd release the GIL) but yield them in layer order,
    holding at most `workers + 1` finished scans in memory."""
    if workers <= 1:
        yield from map(scan, layers)
        return
    remaining = iter(layers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="layer-scan") as pool:
        pending: deque[Future[LayerScan]] = deque(
            pool.submit(scan, layer) for _, layer in zip(range(workers + 1), remaining, strict=False)
        )
        try:
            while pending:
                result = pending.popleft().result()
                following = next(remaining, None)
                if following is not None:
                    pending.append(pool.submit(scan, following))
                yield result
        finally:
            for future in pending:
                future.cancel()


def finish_filesystem(
    refs: Sequence[LayerRef],
    state: SquashState,
    contents: dict[ContentKey, bytes],
    unknowns: list[Unknown],
    matcher: WantedMatcher,
    refetch: Refetch,
) -> ImageFilesystem:
    """Fetch bodies that wanted links need, and record every wanted file that could not be read."""
    by_index = {ref.index: ref for ref in refs}
    for index, path, why in state.problems:
        unknowns.append(Unknown(f"/{path}", why, layer=by_index[index]))
    watched = [(path, node) for path in sorted(state.watched) if (node := state.nodes.get(path)) is not None]
    links = _wanted_links(watched, state, matcher, by_index, unknowns)
    needed: dict[ContentKey, int] = {}
    for _, node in watched:
        if node.kind == FILE and node.limit >= 0 and not node.unread and node.content not in contents:
            if node.size > node.limit:
                node.unread = f"size limit: {node.size} bytes is over the {node.limit}-byte limit"
            elif node.content is not None:
                needed[node.content] = node.size
    for path, node in watched:  # lower versions of wanted hard links share a body that may have been skipped
        for _, key, size in state.versions.get(path, ()):
            if key is not None and key not in contents and size <= node.limit:
                needed[key] = size
    for link in links:
        target = state.nodes[link.target]
        if target.content is not None and target.content not in contents and not target.unread:
            needed[target.content] = target.size
    if needed:
        contents.update(refetch(needed))
    for path, node in watched:
        if node.kind == FILE and node.limit >= 0 and (node.unread or node.content not in contents):
            why = node.unread or "content could not be read"
            unknowns.append(Unknown(f"/{path}", why, layer=by_index[node.layer]))
    for link in links:
        if state.nodes[link.target].content not in contents:
            why = f"symlink target /{link.target}: content could not be read"
            unknowns.append(Unknown(f"/{link.path}", why, layer=by_index[state.nodes[link.path].layer]))
    return ImageFilesystem(refs, state.nodes, state.versions, contents, links, unknowns)


def _wanted_links(
    watched: Sequence[tuple[str, Node]],
    state: SquashState,
    matcher: WantedMatcher,
    by_index: Mapping[int, LayerRef],
    unknowns: list[Unknown],
) -> list[WantedLink]:
    """Symlinks whose own path a request names (e.g. etc/os-release -> ../usr/lib/os-release)."""
    links = []
    for path, node in watched:
        if node.kind != SYMLINK or matcher.limit(path, node.mode, regular=False) < 0:
            continue
        target = resolve_in(state.nodes, path)
        resolved = None if target is None else state.nodes.get(target)
        if target is None:
            why = "symlink loop (more than 40 links)"
        elif resolved is None or resolved.kind != FILE:
            why = f"symlink target /{target} is {'missing' if resolved is None else 'not a regular file'}"
        elif resolved.unread:
            why = f"symlink target /{target}: {resolved.unread}"
        else:
            links.append(WantedLink(path, target))
            continue
        unknowns.append(Unknown(f"/{path}", why, layer=by_index[node.layer]))
    return links
