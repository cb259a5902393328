"""Applying layer scans bottom to top, per the OCI image spec's changeset rules.

Each layer first applies its whiteouts to the layers below (so a whiteout never hides an entry of its own
layer, whatever the order inside the tar), then its entries in tar order. A path's `added` layer is the
earliest layer from which it is continuously present: rewriting keeps it, a whiteout or deletion resets it.
"""

from __future__ import annotations

from regwarden.sbom.layer_scan import LayerScan, ScannedEntry
from regwarden.sbom.tar_stream import DIRECTORY, FILE, HARDLINK, SYMLINK

ContentKey = tuple[int, str]
"""Where a file's body was read: (layer index, path inside that layer's tar)."""


Version = tuple[int, ContentKey | None, int]
"""One layer's version of a wanted file: (layer index, where its body is or None if unread, size)."""


class Node:
    """The current state of one path. Hard links become files sharing their target's `content`."""

    __slots__ = ("added", "content", "kind", "layer", "limit", "link", "mode", "size", "unread")

    def __init__(self, kind: str, mode: int, size: int, link: str, layer: int, added: int) -> None:
        self.kind = kind
        self.mode = mode
        self.size = size
        self.link = link
        self.layer = layer
        self.added = added
        self.content: ContentKey | None = None
        self.unread: str | None = None
        self.limit = -1
        """The largest size a request wants for this path; -1 when nobody wants it."""


class SquashState:
    """All paths of the image so far, plus a parent -> children index so deletions never scan every path."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.children: dict[str, set[str]] = {"": set()}
        self.versions: dict[str, list[Version]] = {}
        self.watched: set[str] = set()
        """Paths that were, at some point, a wanted file or a symlink (the only ones finishing must visit)."""
        self.problems: list[tuple[int, str, str]] = []
        """(layer index, path, reason) found while applying (e.g. a hard link to a missing file)."""

    def apply(self, scan: LayerScan) -> None:
        for path in scan.whiteouts:
            self._remove(path)
        for directory in scan.opaque_dirs:
            for child in list(self.children.get(directory, ())):
                self._remove(child)
        index, nodes, children = scan.index, self.nodes, self.children
        for entry in scan.entries:
            path, kind = entry.path, entry.kind
            if entry.limit >= 0 or kind in (HARDLINK, SYMLINK) or path in nodes:
                self._add(index, entry)
                continue
            # the common case, a new path nobody wants, without the bookkeeping of `_add`
            node = nodes[path] = Node(kind, entry.mode, entry.size, entry.link, index, index)
            if kind == FILE:
                node.content = (index, path)
            cut = path.rfind("/")
            siblings = children.get(path[:cut] if cut > 0 else "")
            if siblings is None:
                self._attach(path, index)
            else:
                siblings.add(path)

    def _remove(self, path: str) -> None:
        if not path or (path not in self.nodes and path not in self.children):
            return  # the root itself is never removed (a bare `.wh.` name would ask for that)
        parent = path[: max(path.rfind("/"), 0)]
        siblings = self.children.get(parent)
        if siblings is not None:
            siblings.discard(path)
        stack = [path]
        while stack:
            current = stack.pop()
            self.nodes.pop(current, None)
            stack.extend(self.children.pop(current, ()))

    def _add(self, index: int, entry: ScannedEntry) -> None:
        path = entry.path
        old = self.nodes.get(path)
        if old is not None and old.kind == DIRECTORY and entry.kind != DIRECTORY:
            self._remove(path)  # a file replacing a directory takes the directory's whole subtree with it
        added = index if old is None else old.added
        if entry.kind == HARDLINK:
            node = self._hard_link(index, entry, added)
            if node is None:
                return
        else:
            node = Node(entry.kind, entry.mode, entry.size, entry.link, index, added)
            if entry.kind == FILE:
                node.content = (index, path)
                node.unread = entry.unread
        node.limit = entry.limit
        self._attach(path, index)
        self.nodes[path] = node
        if node.limit >= 0 and node.kind == FILE:
            self.versions.setdefault(path, []).append((index, None if node.unread else node.content, node.size))
            self.watched.add(path)
        elif node.kind == SYMLINK:
            self.watched.add(path)

    def _hard_link(self, index: int, entry: ScannedEntry, added: int) -> Node | None:
        target = self.nodes.get(entry.link)
        if target is None or target.kind != FILE:
            what = "missing" if target is None else "not a regular file"
            self.problems.append((index, entry.path, f"hard link target /{entry.link} is {what}"))
            return None
        node = Node(FILE, entry.mode, target.size, entry.link, index, added)
        node.content = target.content
        node.unread = target.unread
        return node

    def _attach(self, path: str, index: int) -> None:
        """Register `path` under its parent, creating implicit parent directories (tars may omit them).

        Iterative, because a hostile name can be thousands of components deep.
        """
        while True:
            cut = path.rfind("/")
            parent = path[:cut] if cut > 0 else ""
            siblings = self.children.get(parent)
            if siblings is not None:
                siblings.add(path)
                return
            self.children[parent] = {path}
            existing = self.nodes.get(parent)
            if existing is None or existing.kind != DIRECTORY:
                added = index if existing is None else existing.added
                self.nodes[parent] = Node(DIRECTORY, 0o755, 0, "", index, added)
            path = parent
