"""The image config (OCI and Docker share its shape) and the join of manifest + config into ImageMetadata."""

from __future__ import annotations

from typing import Any

from regwarden.model.errors import BadInputError
from regwarden.model.image import HistoryEntry, ImageConfig, ImageMetadata, Layer, Platform
from regwarden.oci.json_fields import load_json, optional_str, require_object, string_list, string_map
from regwarden.oci.manifest import Manifest


def parse_config(data: bytes) -> ImageConfig:
    """Parse an OCI (`application/vnd.oci.image.config.v1+json`) or Docker image config."""
    body = require_object(load_json(data, "image config"), "image config")
    run = _object_or_empty(body.get("config"), "image config.config")
    rootfs = _object_or_empty(body.get("rootfs"), "image config.rootfs")
    return ImageConfig(
        os=optional_str(body.get("os"), "config os"),
        architecture=optional_str(body.get("architecture"), "config architecture"),
        variant=optional_str(body.get("variant"), "config variant"),
        created=optional_str(body.get("created"), "config created"),
        user=optional_str(run.get("User"), "config User") or None,
        env=string_list(run.get("Env"), "config Env") or (),
        entrypoint=string_list(run.get("Entrypoint"), "config Entrypoint"),
        cmd=string_list(run.get("Cmd"), "config Cmd"),
        working_dir=optional_str(run.get("WorkingDir"), "config WorkingDir") or None,
        labels=string_map(run.get("Labels"), "config Labels"),
        exposed_ports=tuple(sorted(_object_or_empty(run.get("ExposedPorts"), "config ExposedPorts"))),
        diff_ids=string_list(rootfs.get("diff_ids"), "config rootfs.diff_ids") or (),
        history=_parse_history(body.get("history")),
    )


def _object_or_empty(value: object, what: str) -> dict[str, Any]:
    """Docker writes `null` for unset objects (`"ExposedPorts": null`); anything else must be an object."""
    return {} if value is None else require_object(value, what)


def _parse_history(value: object) -> tuple[HistoryEntry, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise BadInputError(f"config history must be an array, got {type(value).__name__}")
    return tuple(_parse_history_entry(item, i) for i, item in enumerate(value))


def _parse_history_entry(value: object, position: int) -> HistoryEntry:
    body: dict[str, Any] = require_object(value, f"config history[{position}]")
    empty = body.get("empty_layer", False)
    if not isinstance(empty, bool):
        raise BadInputError(f"config history[{position}].empty_layer must be a boolean, got {empty!r}")
    return HistoryEntry(
        created=optional_str(body.get("created"), f"config history[{position}].created"),
        created_by=optional_str(body.get("created_by"), f"config history[{position}].created_by"),
        comment=optional_str(body.get("comment"), f"config history[{position}].comment"),
        empty_layer=empty,
    )


def build_metadata(
    *,
    reference: str,
    manifest_digest: str,
    manifest: Manifest,
    config_digest: str,
    config: ImageConfig,
    index_digest: str | None = None,
) -> ImageMetadata:
    """Join manifest layers with the config's diff_ids and the history entries that created them."""
    diff_ids = config.diff_ids
    if diff_ids and len(diff_ids) != len(manifest.layers):
        raise BadInputError(
            f"{reference}: the config lists {len(diff_ids)} diff_ids but the manifest has {len(manifest.layers)} layers"
        )
    # Only non-empty history entries produced a layer; older builders wrote fewer entries than layers.
    creators = [entry.created_by for entry in config.history if not entry.empty_layer]
    layers = tuple(
        Layer(
            index=i,
            digest=descriptor.digest,
            size=descriptor.size,
            media_type=descriptor.media_type,
            diff_id=diff_ids[i] if diff_ids else None,
            created_by=creators[i] if i < len(creators) else None,
        )
        for i, descriptor in enumerate(manifest.layers)
    )
    platform = None
    if config.os and config.architecture:
        platform = Platform(config.os, config.architecture, config.variant or None)
    return ImageMetadata(
        reference=reference,
        digest=manifest_digest,
        media_type=manifest.media_type,
        platform=platform,
        config_digest=config_digest,
        config=config,
        layers=layers,
        index_digest=index_digest,
    )
