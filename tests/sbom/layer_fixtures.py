"""Layer tars built in memory with `tarfile`, and an in-memory ImageSource that serves them.

Entry specs are tuples, readable in the tests:
  ("file", path, content[, mode])   ("dir", path)   ("symlink", path, target)   ("hardlink", path, target)
  ("chardev", path)   ("fifo", path)
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from collections.abc import Sequence
from typing import BinaryIO

import zstandard

from regwarden.model.image import ImageConfig, ImageMetadata, Layer

Spec = tuple[object, ...]

_TYPES = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}
_TYPES |= {"chardev": tarfile.CHRTYPE, "fifo": tarfile.FIFOTYPE}


def make_tar(specs: Sequence[Spec], tar_format: int = tarfile.PAX_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tar_format) as tar:
        for spec in specs:
            kind, name = str(spec[0]), str(spec[1])
            info = tarfile.TarInfo(name)
            if kind == "file":
                content = spec[2]
                assert isinstance(content, bytes)
                info.size = len(content)
                info.mode = int(spec[3]) if len(spec) > 3 else 0o644  # type: ignore[call-overload]
                tar.addfile(info, io.BytesIO(content))
                continue
            info.type = _TYPES[kind]
            info.mode = 0o755 if kind == "dir" else 0o777 if kind == "symlink" else 0o644
            if kind in ("symlink", "hardlink"):
                info.linkname = str(spec[2])
            tar.addfile(info)
    return out.getvalue()


def compress(data: bytes, kind: str) -> bytes:
    if kind == "gzip":
        return gzip.compress(data, compresslevel=1)
    if kind == "zstd":
        return zstandard.ZstdCompressor(level=1).compress(data)
    return data


class MemorySource:
    """An ImageSource over layer blobs held in memory; counts how often each layer is opened."""

    def __init__(self, blobs: Sequence[bytes]) -> None:
        self.blobs = list(blobs)
        self.opened: list[int] = []
        self.closed = False

    def resolve(self) -> ImageMetadata:
        layers = tuple(
            Layer(i, "sha256:" + hashlib.sha256(blob).hexdigest(), len(blob), "application/octet-stream")
            for i, blob in enumerate(self.blobs)
        )
        config = ImageConfig(diff_ids=tuple(f"sha256:diff{i}" for i in range(len(layers))))
        return ImageMetadata("memory:test", "sha256:" + "0" * 64, "oci", None, "sha256:cfg", config, layers)

    def open_layer(self, layer: Layer) -> BinaryIO:
        self.opened.append(layer.index)
        return io.BytesIO(self.blobs[layer.index])

    def close(self) -> None:
        self.closed = True


def image(*layers: Sequence[Spec], kind: str = "tar") -> MemorySource:
    return MemorySource([compress(make_tar(layer), kind) for layer in layers])
