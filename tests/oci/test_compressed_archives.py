"""Compressed image archives (`docker save | gzip`, zstd), read directly through a private decompressed copy.

The archives are the real ones of tests/oci/archive_images.py, compressed by the `gzip` and `zstd` programs. Each
must read back exactly as its uncompressed original; damaged and hostile ones fail with a clear error and leave
no copy behind.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest

from regwarden.model.errors import ExitCode, IntegrityError
from regwarden.model.image import ImageMetadata, Platform
from regwarden.oci.archives import open_local_source
from regwarden.oci.compressed_archive import ArchiveLimitError, ArchiveTar, DecompressLimits
from regwarden.oci.source import ImageSource
from tests.cli.cli_support import assert_clean_failure, run_process
from tests.oci.archive_images import BuiltImages

AMD64 = Platform("linux", "amd64")
MiB = 1024 * 1024


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TMPDIR for this test alone, so the copies regwarden makes (and removes) can be counted."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def compress(original: Path, target_dir: Path, program: str) -> Path:
    """`program -c original > target`, with the real gzip or zstd program."""
    suffix = {"gzip": ".tar.gz", "zstd": ".tar.zst"}[program]
    target = target_dir / (original.stem + suffix)
    with target.open("wb") as out:
        subprocess.run([program, "-c", str(original)], stdout=out, check=True, timeout=60)
    return target


def read_image(source: ImageSource) -> tuple[ImageMetadata, list[bytes]]:
    metadata = source.resolve()
    blobs = []
    for layer in metadata.layers:
        with source.open_layer(layer) as stream:
            blobs.append(stream.read())
    return metadata, blobs


def same_as_original(spec: str, original_spec: str) -> None:
    compressed, original = open_local_source(spec, AMD64), open_local_source(original_spec, AMD64)
    try:
        got, got_blobs = read_image(compressed)
        expected, expected_blobs = read_image(original)
    finally:
        compressed.close()
        original.close()
    assert got == dataclasses.replace(expected, reference=spec)
    assert got_blobs == expected_blobs


@pytest.mark.parametrize("program", ["gzip", "zstd"])
@pytest.mark.parametrize(
    ("transport", "archive", "ref"),
    [
        ("docker-archive", "docker_archive", None),
        ("docker-archive", "legacy_docker_archive", "app:arm64"),
        ("docker-archive", "docker25_archive", None),
        ("oci-archive", "oci_archive", "amd64"),
    ],
)
def test_compressed_archive_reads_as_its_original(
    images: BuiltImages, temp_dir: Path, tmp_path: Path, program: str, transport: str, archive: str, ref: str | None
) -> None:
    original: Path = getattr(images, archive)
    packed = compress(original, tmp_path, program)
    tail = f":{ref}" if ref else ""
    same_as_original(f"{transport}:{packed}{tail}", f"{transport}:{original}{tail}")
    assert list(temp_dir.iterdir()) == []  # the copy went with close()


def test_copy_lives_while_the_source_is_open_and_layers_read_side_by_side(
    images: BuiltImages, temp_dir: Path, tmp_path: Path
) -> None:
    packed = compress(images.docker_archive, tmp_path, "gzip")
    source = open_local_source(f"docker-archive:{packed}", AMD64)
    base, app = source.resolve().layers
    (copy,) = temp_dir.iterdir()
    assert copy.name.startswith("regwarden-archive-") and copy.stat().st_mode & 0o777 == 0o600
    assert copy.read_bytes() == images.docker_archive.read_bytes()
    with source.open_layer(base) as first, source.open_layer(app) as second:
        interleaved = [first.read(512), second.read(512), first.read(), second.read()]
    assert interleaved[0] + interleaved[2] == images.base_layer.data
    assert interleaved[1] + interleaved[3] == images.app_layer.data
    source.close()
    assert list(temp_dir.iterdir()) == []


def test_inspect_reads_a_gzipped_docker_save(images: BuiltImages, tmp_path: Path) -> None:
    packed = compress(images.legacy_docker_archive, tmp_path, "gzip")
    outcome = run_process(["inspect", f"docker-archive:{packed}:app:amd64", "-o", "json"], tmp_path)
    assert outcome.code == 0, outcome.stderr
    document = json.loads(outcome.stdout)
    assert [layer["diffID"] for layer in document["layers"]] == [
        images.base_layer.diff_id,
        images.app_layer.diff_id,
    ]


@pytest.fixture
def gzipped(images: BuiltImages, tmp_path: Path) -> bytes:
    return compress(images.docker_archive, tmp_path, "gzip").read_bytes()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], r"packed\.tar\.gz: truncated gzip archive"),
        (lambda data: data[:-4], r"packed\.tar\.gz: truncated gzip archive"),
        (lambda data: data[:100] + bytes(b ^ 0x55 for b in data[100:400]) + data[400:], r"corrupt gzip archive"),
        (lambda data: data + b"trailing junk", r"unexpected data after the end of the gzip stream"),
    ],
)
def test_damaged_gzip_is_an_integrity_error_and_leaves_no_copy(
    gzipped: bytes, temp_dir: Path, tmp_path: Path, damage: object, message: str
) -> None:
    packed = tmp_path / "packed.tar.gz"
    packed.write_bytes(damage(gzipped))  # type: ignore[operator]
    source = open_local_source(f"docker-archive:{packed}", AMD64)
    with pytest.raises(IntegrityError, match=message):
        source.resolve()
    assert list(temp_dir.iterdir()) == []


def test_damaged_gzip_fails_the_cli_with_the_integrity_code(gzipped: bytes, tmp_path: Path) -> None:
    packed = tmp_path / "packed.tar.gz"
    packed.write_bytes(gzipped[: len(gzipped) // 2])
    outcome = run_process(["inspect", f"docker-archive:{packed}"], tmp_path)
    assert_clean_failure(outcome, ExitCode.INTEGRITY, "truncated gzip archive", str(packed))


def write_zeros_gzip(path: Path, mebibytes: int) -> None:
    """A gzip bomb: `mebibytes` MiB of zeros in a member of about a thousandth of that."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MiB)
    with path.open("wb") as out:
        for _ in range(mebibytes):
            out.write(packer.compress(zeros))
        out.write(packer.flush())


def test_gzip_bomb_is_refused_by_the_default_ratio_limit(temp_dir: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tar.gz"
    write_zeros_gzip(bomb, 300)
    assert bomb.stat().st_size < 400_000
    with pytest.raises(ArchiveLimitError, match=r"bomb\.tar\.gz: gzip data expands over 200 times its size"):
        open_local_source(f"docker-archive:{bomb}", AMD64).resolve()
    assert list(temp_dir.iterdir()) == []


def test_ratio_is_checked_only_past_the_floor(tmp_path: Path) -> None:
    zeros_tar = tmp_path / "zeros.tar.gz"
    write_zeros_gzip(zeros_tar, 4)
    small_floor = DecompressLimits(ratio_floor_bytes=2 * MiB)
    with pytest.raises(ArchiveLimitError, match="expands over 200 times"):
        ArchiveTar(zeros_tar, small_floor, tmp_path).members(allow_symlinks=False)
    # Under the floor the same ratio is allowed: zero blocks are an empty tar.
    members = ArchiveTar(zeros_tar, DecompressLimits(ratio_floor_bytes=8 * MiB), tmp_path).members(allow_symlinks=False)
    assert members.names() == frozenset()


def test_size_limit(images: BuiltImages, tmp_path: Path) -> None:
    packed = compress(images.docker_archive, tmp_path, "zstd")
    size = images.docker_archive.stat().st_size
    with pytest.raises(ArchiveLimitError, match=f"more than {size - 1} bytes"):
        ArchiveTar(packed, DecompressLimits(max_bytes=size - 1), tmp_path).members(allow_symlinks=True)
    assert ArchiveTar(packed, DecompressLimits(max_bytes=size), tmp_path).members(allow_symlinks=True).names()


def test_uncompressed_archive_is_read_in_place(images: BuiltImages, temp_dir: Path) -> None:
    archive = ArchiveTar(images.oci_archive)
    assert archive.compression == "tar"
    assert archive.members(allow_symlinks=False).path == images.oci_archive
    assert list(temp_dir.iterdir()) == []
