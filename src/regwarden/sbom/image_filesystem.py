"""The squashed, indexed view of an image's layers that catalogers and the SBOM builder read.

Paths are image paths without a leading `/`. Symlinks stay links; `resolve` follows them inside the image
only, exactly as a chroot would, so no link can name a file of the host.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from regwarden.model.sbom import LayerRef, Unknown
from regwarden.sbom.squash import ContentKey, Node, Version
from regwarden.sbom.tar_stream import BLOCKDEV, CHARDEV, DIRECTORY, FIFO, FILE, SYMLINK

MAX_SYMLINK_HOPS = 40
"""Linux's limit (MAXSYMLINKS); more hops means a loop."""


class EntryKind(StrEnum):
    FILE = "file"
    DIRECTORY = "directory"
    SYMLINK = "symlink"
    CHAR_DEVICE = "char-device"
    BLOCK_DEVICE = "block-device"
    FIFO = "fifo"


_KIND_OF = {
    FILE: EntryKind.FILE,
    DIRECTORY: EntryKind.DIRECTORY,
    SYMLINK: EntryKind.SYMLINK,
    CHARDEV: EntryKind.CHAR_DEVICE,
    BLOCKDEV: EntryKind.BLOCK_DEVICE,
    FIFO: EntryKind.FIFO,
}


@dataclass(frozen=True)
class FileEntry:
    """The final state of one path in the squashed image."""

    path: str
    kind: EntryKind
    mode: int
    """Permission bits (0o7777)."""
    size: int
    link_target: str | None
    """A symlink's target as written in the layer; for a hard link (kind FILE), the image path it links to."""
    layer: LayerRef
    """The layer that wrote the final version of this path."""


@dataclass(frozen=True)
class KeptFile:
    """A wanted file and its content, as it is in the final image."""

    path: str
    content: bytes
    mode: int
    layer: LayerRef


@dataclass(frozen=True)
class WantedLink:
    """A wanted symlink path whose content is the content of the file it resolves to."""

    path: str
    target: str


class ImageFilesystem:
    """Read-only queries over the squashed image (see `build_filesystem`, `filesystem_from_directory`)."""

    def __init__(
        self,
        layers: Sequence[LayerRef],
        nodes: Mapping[str, Node],
        versions: Mapping[str, list[Version]],
        contents: Mapping[ContentKey, bytes],
        wanted_links: Sequence[WantedLink],
        unknowns: Sequence[Unknown],
    ) -> None:
        self.layers: tuple[LayerRef, ...] = tuple(layers)
        self.unknowns: tuple[Unknown, ...] = tuple(unknowns)
        self._by_index = {layer.index: layer for layer in self.layers}
        self._nodes = nodes
        self._versions = versions
        self._contents = contents
        self._wanted_links = tuple(wanted_links)

    def entry(self, path: str) -> FileEntry | None:
        path = clean(path)
        node = self._nodes.get(path)
        if node is None:
            return None
        link = node.link or None
        return FileEntry(path, _KIND_OF[node.kind], node.mode, node.size, link, self._by_index[node.layer])

    def exists(self, path: str) -> bool:
        return clean(path) in self._nodes

    def paths(self) -> Iterator[str]:
        """Every regular file (hard links included), in the order they were applied."""
        return (path for path, node in self._nodes.items() if node.kind == FILE)

    def added_by(self, path: str) -> LayerRef | None:
        """The earliest layer from which `path` is continuously present; None if it is absent."""
        node = self._nodes.get(clean(path))
        return None if node is None else self._by_index[node.added]

    def versions(self, path: str) -> list[tuple[LayerRef, bytes]]:
        """Each layer's version of a wanted file, bottom to top (versions that were not read are left out)."""
        result = []
        for index, key, _ in self._versions.get(clean(path), ()):
            content = None if key is None else self._contents.get(key)
            if content is not None:
                result.append((self._by_index[index], content))
        return result

    def content(self, path: str) -> bytes | None:
        """The final content of a wanted regular file, or None if it is not wanted, absent or was not read."""
        node = self._nodes.get(clean(path))
        if node is None or node.kind != FILE or node.content is None or node.unread:
            return None
        return self._contents.get(node.content)

    def wanted_files(self) -> list[KeptFile]:
        """Wanted regular files with their content, then wanted symlinks with their target's content.

        An executable wanted only for markers it does not hold (see `MarkedExecutables`) has empty content.
        """
        kept = []
        for path, node in self._nodes.items():
            content = self._contents.get(node.content) if node.content and node.limit >= 0 else None
            if content is not None and node.kind == FILE and not node.unread:
                kept.append(KeptFile(path, content, node.mode, self._by_index[node.layer]))
        for link in self._wanted_links:
            target = self._nodes[link.target]
            content = self._contents.get(target.content) if target.content else None
            if content is not None:
                kept.append(KeptFile(link.path, content, target.mode, self._by_index[target.layer]))
        return kept

    def resolve(self, path: str) -> str | None:
        """`path` with every symlink followed inside the image; None after more than 40 hops (a loop)."""
        return resolve_in(self._nodes, path)


def clean(path: str) -> str:
    """A caller's path (`/etc/passwd`, `./etc/passwd`, `etc/passwd/`) as an image path: `etc/passwd`."""
    return "/".join(part for part in path.split("/") if part and part != ".")


def resolve_in(nodes: Mapping[str, Node], path: str) -> str | None:
    """Follow symlinks part by part; absolute targets restart at the image root, `..` stops there."""
    pending = [part for part in reversed(path.split("/")) if part]
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop()
        if part == ".":
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = "/".join((*resolved, part))
        node = nodes.get(candidate)
        if node is None or node.kind != SYMLINK:
            resolved.append(part)
            continue
        hops += 1
        if hops > MAX_SYMLINK_HOPS:
            return None
        if node.link.startswith("/"):
            resolved = []
        pending.extend(part for part in reversed(node.link.split("/")) if part)
    return "/".join(resolved)
