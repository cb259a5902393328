"""Micro-benchmark of the layer filesystem: entries/s over a synthetic 200k-entry layer (plain, gzip, zstd).

Run: .venv/bin/python benchmarks/bench_filesystem.py [ENTRIES]. Not a test; prints one line per compression.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tarfile
import time
from typing import BinaryIO

import zstandard

from regwarden.model.image import ImageConfig, ImageMetadata, Layer
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.filesystem import build_filesystem

REQUEST = FileRequest(basenames=frozenset({"status", "METADATA", "package.json"}), suffixes=(".jar",))


def synthetic_layer(entries: int) -> bytes:
    """A layer shaped like a distro + language packages: many small files in a few thousand directories."""
    out = io.BytesIO()
    body = b"x" * 700
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for i in range(entries):
            directory = f"usr/lib/pkg{i // 50}"
            if i % 50 == 0:
                info = tarfile.TarInfo(directory)
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            name = "METADATA" if i % 1000 == 1 else f"module_{i}.py"
            info = tarfile.TarInfo(f"{directory}/{name}")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


class MemoryImage:
    """An ImageSource over in-memory layer blobs (digests computed once, outside the timed part)."""

    def __init__(self, *blobs: bytes) -> None:
        self._blobs = blobs
        self._layers = tuple(
            Layer(i, "sha256:" + hashlib.sha256(blob).hexdigest(), len(blob), "application/octet-stream")
            for i, blob in enumerate(blobs)
        )

    def resolve(self) -> ImageMetadata:
        return ImageMetadata("bench", "sha256:bench", "oci", None, "sha256:cfg", ImageConfig(), self._layers)

    def open_layer(self, layer: Layer) -> BinaryIO:
        return io.BytesIO(self._blobs[layer.index])

    def close(self) -> None:
        pass


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    tar = synthetic_layer(entries)
    total = entries + entries // 50
    blobs = {
        "tar": tar,
        "gzip": gzip.compress(tar, compresslevel=6),
        "zstd": zstandard.ZstdCompressor(level=3).compress(tar),
    }
    for kind, blob in blobs.items():
        source = MemoryImage(blob)
        start = time.perf_counter()
        filesystem = build_filesystem(source, REQUEST)
        elapsed = time.perf_counter() - start
        kept = len(filesystem.wanted_files())
        size = f"{len(tar) / 2**20:.0f} MiB tar, {len(blob) / 2**20:.1f} MiB blob"
        speed = f"{total / elapsed:,.0f} entries/s, {len(tar) / 2**20 / elapsed:.0f} MiB/s"
        print(f"{kind:5} {total} entries, {size}: {elapsed:.2f}s, {speed}, {kept} wanted files kept")

    layers = [gzip.compress(synthetic_layer(entries // 4), compresslevel=6) for _ in range(4)]
    for workers in (1, 2):
        start = time.perf_counter()
        build_filesystem(MemoryImage(*layers), REQUEST, workers=workers)
        elapsed = time.perf_counter() - start
        print(f"4 gzip layers, workers={workers}: {elapsed:.2f}s, {total / elapsed:,.0f} entries/s")


if __name__ == "__main__":
    main()
