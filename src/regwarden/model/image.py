"""What an image is, independent of where it was read from (registry, OCI layout, archive)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Platform:
    """An OCI platform, e.g. linux/arm64/v8."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse `os/arch[/variant]`; raises ValueError on anything else."""
        parts = text.strip().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"platform must be os/arch[/variant], got {text!r}")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor: the pointer from one blob to another."""

    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict)
    platform: Platform | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One entry of the image config's `history`, in order; empty layers included."""

    created: str | None = None
    created_by: str | None = None
    comment: str | None = None
    empty_layer: bool = False


@dataclass(frozen=True)
class ImageConfig:
    """The parts of the image config (`application/vnd.oci.image.config.v1+json`) users ask about."""

    os: str | None = None
    architecture: str | None = None
    variant: str | None = None
    created: str | None = None
    user: str | None = None
    env: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    working_dir: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    exposed_ports: tuple[str, ...] = ()
    diff_ids: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class Layer:
    """One filesystem layer of an image, bottom (index 0) to top."""

    index: int
    digest: str
    """Digest of the blob as stored (compressed for gzip/zstd layers)."""
    size: int
    media_type: str
    diff_id: str | None = None
    """Digest of the uncompressed tar, from the config's rootfs.diff_ids."""
    created_by: str | None = None
    """The `created_by` of the non-empty history entry that produced this layer."""


@dataclass(frozen=True)
class ImageMetadata:
    """A resolved image: the manifest that was chosen, its config and its layers."""

    reference: str
    """The image as the user named it, e.g. `localhost:5000/app:1.0` or `oci-archive:app.tar`."""
    digest: str
    """Digest of the image manifest (not the index it may have been chosen from)."""
    media_type: str
    platform: Platform | None
    config_digest: str
    config: ImageConfig
    layers: tuple[Layer, ...]
    index_digest: str | None = None
    """Digest of the index / manifest list the manifest was selected from, if any."""
    repo_digests: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
