"""Image locks (ACR's changeable attributes) as `lock` and `unlock` report them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LockedTarget:
    """One tag or manifest whose attributes were set, with what ACR reported afterwards (None: not reported)."""

    kind: str
    """`tag` or `manifest`."""
    repository: str
    name: str
    """The tag, or the manifest's digest."""
    delete_enabled: bool | None
    write_enabled: bool | None


@dataclass(frozen=True)
class LockReport:
    registry: str
    action: str
    """`lock` or `unlock`."""
    attributes: tuple[str, ...]
    """The attributes changed: `writeEnabled`, `deleteEnabled`."""
    targets: tuple[LockedTarget, ...]
