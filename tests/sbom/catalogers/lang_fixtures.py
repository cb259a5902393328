"""Helpers for the language cataloger tests: hand a cataloger the fixture files the core would hand it.

A fixture tree under `testdata/<cataloger>/` stands for an image root; selecting its files with the
cataloger's own `FileRequest` tests the request declaration too, the way the core's single walk applies it.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from regwarden.model.sbom import Package
from regwarden.sbom.catalogers.interface import (
    CatalogContext,
    Cataloger,
    CatalogFile,
    CatalogResult,
    FileRequest,
)

TESTDATA = Path(__file__).parent / "testdata"


def is_requested(request: FileRequest, path: str) -> bool:
    """The core's own matching rule (FileRequest.wants) for a regular, non-executable file."""
    return request.wants(path, 0o644)


def image_files(root: Path, request: FileRequest) -> list[CatalogFile]:
    """Every requested regular file under `root`, with image paths relative to it (no leading slash)."""
    files = []
    for file in sorted(root.rglob("*")):
        path = file.relative_to(root).as_posix()
        if file.is_file() and is_requested(request, path):
            files.append(CatalogFile(path=path, content=file.read_bytes()))
    return files


def catalog_tree(cataloger: Cataloger, root: Path) -> CatalogResult:
    files = image_files(root, cataloger.request)
    all_paths = frozenset(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return cataloger.catalog(files, CatalogContext(all_paths=all_paths))


def triples(packages: Sequence[Package]) -> set[tuple[str, str, str]]:
    """(name, version, purl) of each package: what the exact-set assertions compare."""
    return {(package.name, package.version, package.purl) for package in packages}


def by_purl(packages: Sequence[Package]) -> dict[str, Package]:
    return {package.purl: package for package in packages}


def mangled_variants(content: bytes) -> Iterator[bytes]:
    """Truncations and shape-breaking edits of a real file: what a partial write or a bad layer leaves."""
    size = len(content)
    for cut in sorted({0, 1, size // 7, size // 3, size // 2, (2 * size) // 3, size - 1}):
        yield content[:cut]
    yield content.replace(b'"', b"'")
    yield content.replace(b":", b"")
    yield content.replace(b"{", b"[")
    yield content.replace(b"\n", b"\n  ")
    yield content.replace(b"\n ", b"\n")


def assert_survives_corruption(cataloger: Cataloger, root: Path) -> int:
    """Every mangled variant of every fixture yields a result (never an exception) whose packages are whole.

    Returns how many variants were tried, so the caller can assert the check really ran.
    """
    tried = 0
    for file in image_files(root, cataloger.request):
        for variant in mangled_variants(file.content):
            result = cataloger.catalog([CatalogFile(file.path, variant)], CatalogContext())
            for package in result.packages:
                assert package.name and package.version and package.purl.startswith("pkg:"), package
            for unknown in result.unknowns:
                assert unknown.path == "/" + file.path and unknown.reason, unknown
            tried += 1
    return tried


def layer_files(layer_tar: Path, request: FileRequest) -> list[CatalogFile]:
    """The requested regular files of one uncompressed layer tar (as tests/images/build.sh writes them)."""
    files = []
    with tarfile.open(layer_tar) as layer:
        for member in layer:
            path = member.name.removeprefix("./")
            if member.isfile() and request.wants(path, member.mode):
                content = layer.extractfile(member)
                assert content is not None
                files.append(CatalogFile(path, content.read(), member.mode))
    return files
