"""GNU sparse members in layers, from real GNU tar runs: every sparse format GNU tar writes (old GNU `S` with
extension blocks, pax 0.0, 0.1 and 1.0) is read under its real path and rebuilt byte for byte; a member whose
map is unusable is an Unknown under its real path, and the members after it are still read."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.filesystem import ImageFilesystem, build_filesystem
from tests.sbom.layer_fixtures import MemorySource

SPARSE = "opt/data/table.bin"
AFTER = "opt/data/after.txt"
WANTED = FileRequest(basenames=frozenset({"table.bin", "after.txt"}))
FORMATS = {
    "gnu": ["--format=gnu"],
    "pax-0.0": ["--format=posix", "--sparse-version=0.0"],
    "pax-0.1": ["--format=posix", "--sparse-version=0.1"],
    "pax-1.0": ["--format=posix", "--sparse-version=1.0"],
}


def _sparse_file(path: Path, size: int, pieces: dict[int, bytes]) -> bytes:
    """A file of `size` bytes that is holes except `pieces` (written at their offsets); returns its content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        file.truncate(size)
        for offset, data in pieces.items():
            file.seek(offset)
            file.write(data)
    return path.read_bytes()


def _gnu_tar(root: Path, options: list[str]) -> bytes:
    tar = shutil.which("tar")
    assert tar is not None, "GNU tar (Debian package tar) is required"
    version = subprocess.run([tar, "--version"], capture_output=True, text=True, check=True).stdout
    assert "GNU tar" in version, version
    args = [tar, "--sparse", *options, "--owner=0", "--group=0", "-C", str(root), "-cf", "-", SPARSE, AFTER]
    return subprocess.run(args, capture_output=True, check=True, env={**os.environ, "LC_ALL": "C"}).stdout


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, bytes]:
    """A 1 MiB file with three data runs (start, middle, end) and a small regular file after it."""
    content = _sparse_file(
        tmp_path / SPARSE,
        1024 * 1024,
        {0: b"HEAD" * 300, 400 * 1024: b"MIDDLE" * 1000, 1024 * 1024 - 8: b"TAILTAIL"},
    )
    (tmp_path / AFTER).write_bytes(b"read after the sparse member\n")
    return tmp_path, content


def _kept(filesystem: ImageFilesystem) -> dict[str, bytes]:
    return {f.path: f.content for f in filesystem.wanted_files()}


def _unknowns(filesystem: ImageFilesystem) -> set[tuple[str, str]]:
    return {(u.path, u.reason) for u in filesystem.unknowns}


@pytest.mark.parametrize("tar_format", sorted(FORMATS))
def test_sparse_members_are_rebuilt_under_their_real_path(tree: tuple[Path, bytes], tar_format: str) -> None:
    root, content = tree
    layer = _gnu_tar(root, FORMATS[tar_format])
    assert (b"GNUSparseFile" in layer) is (tar_format in ("pax-0.1", "pax-1.0"))  # a placeholder name is stored

    filesystem = build_filesystem(MemorySource([layer]), WANTED)

    assert _unknowns(filesystem) == set()
    assert _kept(filesystem) == {SPARSE: content, AFTER: b"read after the sparse member\n"}
    assert set(filesystem.paths()) == {SPARSE, AFTER}
    entry = filesystem.entry(SPARSE)
    assert entry is not None and entry.size == len(content)


@pytest.mark.parametrize("tar_format", sorted(FORMATS))
def test_a_sparse_member_nobody_wants_is_skipped_by_its_stored_size(tree: tuple[Path, bytes], tar_format: str) -> None:
    root, content = tree
    filesystem = build_filesystem(
        MemorySource([_gnu_tar(root, FORMATS[tar_format])]), FileRequest(basenames=frozenset({"after.txt"}))
    )

    assert _kept(filesystem) == {AFTER: b"read after the sparse member\n"}
    entry = filesystem.entry(SPARSE)
    assert entry is not None and entry.size == len(content)


def test_an_old_gnu_map_longer_than_its_header_continues_in_extension_blocks(tmp_path: Path) -> None:
    # 30 data runs: 4 entries fit the `S` header, the rest take two 21-entry extension blocks.
    pieces = {run * 8192: f"run {run:02d}".encode() * 50 for run in range(30)}
    content = _sparse_file(tmp_path / SPARSE, 30 * 8192 + 4096, pieces)
    (tmp_path / AFTER).write_bytes(b"after\n")
    layer = _gnu_tar(tmp_path, FORMATS["gnu"])

    filesystem = build_filesystem(MemorySource([layer]), WANTED)

    assert _unknowns(filesystem) == set()
    assert _kept(filesystem) == {SPARSE: content, AFTER: b"after\n"}


def _replace_once(layer: bytes, old: bytes, new: bytes) -> bytes:
    assert layer.count(old) == 1 and len(old) == len(new)
    return layer.replace(old, new)


def test_a_pax_map_that_does_not_fit_the_data_is_an_unknown_under_the_real_path(tree: tuple[Path, bytes]) -> None:
    root, _ = tree
    layer = _gnu_tar(root, FORMATS["pax-0.1"])
    # Same record length, one byte more in the first run than the member holds (pax records have no checksum).
    record = layer[layer.index(b"GNU.sparse.map=") :].split(b"\n", 1)[0]
    offset, size, rest = record.split(b",", 2)
    layer = _replace_once(layer, record, b",".join([offset, size[:-1] + bytes([size[-1] + 1]), rest]))

    filesystem = build_filesystem(MemorySource([layer]), WANTED)

    assert _kept(filesystem) == {AFTER: b"read after the sparse member\n"}
    (reason,) = [r for p, r in _unknowns(filesystem) if p == "/" + SPARSE]
    assert reason.startswith("GNU sparse file with an unusable map: map describes")


def test_a_corrupt_1_0_map_in_the_data_is_an_unknown_and_the_stream_stays_aligned(tree: tuple[Path, bytes]) -> None:
    root, _ = tree
    layer = _gnu_tar(root, FORMATS["pax-1.0"])
    map_start = layer.index(b"\n0\n") - 1  # the count line opens the member's data: "<count>\n0\n..."
    layer = layer[:map_start] + b"9" + layer[map_start + 1 :]  # more pairs than the map block holds

    filesystem = build_filesystem(MemorySource([layer]), WANTED)

    assert _kept(filesystem) == {AFTER: b"read after the sparse member\n"}
    assert {p for p, _ in _unknowns(filesystem)} == {"/" + SPARSE}
