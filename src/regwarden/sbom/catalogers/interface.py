"""The cataloger seam: a name, the files it wants, and a pure parser of those files.

The core walks the image once, keeps the content of the files that some cataloger wants, and hands each cataloger
its files. A cataloger never walks the filesystem, never touches the network, and turns corrupt input into an
`Unknown` with a reason instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from regwarden.model.sbom import OperatingSystem, Package, Unknown


@dataclass(frozen=True)
class FileRequest:
    """Which files a cataloger wants. Matching is by cheap lookups, never a glob over every path.

    A path is wanted when its basename is in `basenames`, or it ends with one of `suffixes`, or it starts with one of
    `directories` (for layouts like `var/lib/dpkg/status.d/`), or (if `executables`) it is a regular file with an
    execute bit; `path_filter`, when given, is a final check on the full path (no leading slash).
    """

    basenames: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()
    directories: tuple[str, ...] = ()
    executables: bool = False
    path_filter: Callable[[str], bool] | None = None
    max_size: int = 64 * 1024 * 1024
    """Files larger than this are not read; they become Unknowns (reason: size limit)."""

    def wants(self, path: str, mode: int) -> bool:
        """Whether this request asks for the regular file at `path` (no leading slash) with permission bits `mode`."""
        basename = path.rpartition("/")[2]
        matched = (
            basename in self.basenames
            or (bool(self.suffixes) and path.endswith(self.suffixes))
            or (bool(self.directories) and path.startswith(self.directories))
            or (self.executables and bool(mode & 0o111))
        )
        return matched and (self.path_filter is None or self.path_filter(path))


@dataclass(frozen=True)
class CatalogFile:
    """A file handed to a cataloger: its path in the image (no leading slash), its content, its mode."""

    path: str
    content: bytes
    mode: int = 0o644


@dataclass(frozen=True)
class CatalogContext:
    """What the core knows about the image that a parser may need (e.g. the distro for deb/apk/rpm purls)."""

    operating_system: OperatingSystem | None = None
    all_paths: frozenset[str] = frozenset()
    """Every regular-file path present in the squashed image (no leading slash), for existence checks."""


@dataclass(frozen=True)
class CatalogResult:
    packages: Sequence[Package] = ()
    unknowns: Sequence[Unknown] = ()
    owned_files: Mapping[str, str] = field(default_factory=dict)
    """OS catalogers only: path (no leading slash) -> purl of the OS package that owns it, used to link language
    packages installed by the OS package manager to their OS package instead of reporting them twice."""


class Cataloger(Protocol):
    """One ecosystem's parser."""

    @property
    def name(self) -> str: ...

    @property
    def request(self) -> FileRequest: ...

    def catalog(self, files: Sequence[CatalogFile], context: CatalogContext) -> CatalogResult:
        """Parse the wanted files (all of them at once, so related files can be read together)."""
        ...
