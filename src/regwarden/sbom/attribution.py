"""Which layer introduced a package: the earliest layer from which it is continuously present.

A file written by one layer gives its packages that layer (or the earlier one since which the path has existed
without a break). A file rewritten by several layers (dpkg's `status` grows with every `apt-get install`) is parsed
once per version; a package belongs to the lowest version of the unbroken run, counted from the top, that lists it.
"""

from __future__ import annotations

from collections.abc import Callable

from regwarden.model.sbom import LayerRef, Package
from regwarden.sbom.catalogers.interface import CatalogContext, Cataloger, CatalogFile, CatalogResult
from regwarden.sbom.image_filesystem import ImageFilesystem

RunCataloger = Callable[[Cataloger, list[CatalogFile], CatalogContext], CatalogResult]


class LayerAttribution:
    def __init__(self, filesystem: ImageFilesystem, context: CatalogContext, run: RunCataloger) -> None:
        self.filesystem = filesystem
        self._context = context
        self._run = run
        # (cataloger, path, layer index) -> package keys of that version: each version is parsed once, not
        # once per package it holds.
        self._listed: dict[tuple[str, str, int], frozenset[tuple[str, str, str]]] = {}

    def introduced_by(self, package: Package, path: str, cataloger: Cataloger) -> LayerRef | None:
        since = self.filesystem.added_by(path)
        if since is None:
            return None
        versions = [(layer, data) for layer, data in self.filesystem.versions(path) if layer.index >= since.index]
        if len(versions) <= 1:
            return since
        introduced = since
        for layer, content in reversed(versions):
            if package.key not in self._keys(cataloger, path, layer, content):
                break
            introduced = layer
        return introduced

    def _keys(
        self, cataloger: Cataloger, path: str, layer: LayerRef, content: bytes
    ) -> frozenset[tuple[str, str, str]]:
        cache_key = (cataloger.name, path, layer.index)
        if cache_key not in self._listed:
            result = self._run(cataloger, [CatalogFile(path, content)], self._context)
            self._listed[cache_key] = frozenset(p.key for p in result.packages)
        return self._listed[cache_key]
