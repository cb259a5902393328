"""What changed between two builds: packages added, removed and changed in version, with the layer of each.

Packages are compared by (type, name). The same name can be installed more than once (npm nests copies), so
each side is a set of versions: a name present on both sides with different version sets is "changed"; only on
one side is "added" or "removed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from regwarden.model.sbom import LayerRef, Package, Sbom


@dataclass(frozen=True)
class PackageChange:
    type: str
    name: str
    before: tuple[str, ...]
    """Versions before (empty when added)."""
    after: tuple[str, ...]
    """Versions after (empty when removed)."""
    layer_before: LayerRef | None
    layer_after: LayerRef | None

    @property
    def kind(self) -> str:
        if not self.before:
            return "added"
        if not self.after:
            return "removed"
        return "changed"


@dataclass(frozen=True)
class SbomDiff:
    before: str
    after: str
    changes: tuple[PackageChange, ...]

    def of_kind(self, kind: str) -> tuple[PackageChange, ...]:
        return tuple(change for change in self.changes if change.kind == kind)


def diff_sboms(before: Sbom, after: Sbom) -> SbomDiff:
    old, new = _by_name(before.packages), _by_name(after.packages)
    changes = []
    for key in sorted(old.keys() | new.keys()):
        old_packages, new_packages = old.get(key, []), new.get(key, [])
        old_versions = tuple(sorted({p.version for p in old_packages}))
        new_versions = tuple(sorted({p.version for p in new_packages}))
        if old_versions == new_versions:
            continue
        changes.append(
            PackageChange(
                type=key[0],
                name=key[1],
                before=old_versions,
                after=new_versions,
                layer_before=_first_layer(old_packages),
                layer_after=_first_layer(new_packages),
            )
        )
    return SbomDiff(before=before.source, after=after.source, changes=tuple(changes))


def _by_name(packages: Iterable[Package]) -> dict[tuple[str, str], list[Package]]:
    grouped: dict[tuple[str, str], list[Package]] = defaultdict(list)
    for package in packages:
        grouped[(package.type.value, package.name)].append(package)
    return grouped


def _first_layer(packages: list[Package]) -> LayerRef | None:
    layers = [p.layer for p in packages if p.layer is not None]
    return min(layers, key=lambda layer: layer.index) if layers else None
