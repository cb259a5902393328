"""`manifest.json` of a `docker save` archive: its images (Config, RepoTags, Layers) and choosing one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from regwarden.model.errors import BadInputError, NotFoundError
from regwarden.oci.json_fields import load_json, require_object, string_list
from regwarden.oci.layout import MAX_DOCUMENT_BYTES
from regwarden.oci.tar_members import TarMembers


@dataclass(frozen=True)
class SavedImage:
    """One entry of manifest.json."""

    config: str
    repo_tags: tuple[str, ...]
    layers: tuple[str, ...]


def read_saved_images(members: TarMembers) -> tuple[SavedImage, ...]:
    """Parse manifest.json; a missing or malformed one is a BadInputError naming the file."""
    where = members.where("manifest.json")
    if "manifest.json" not in members:
        raise BadInputError(f"{members.path} is not a docker-archive: it has no manifest.json")
    try:
        entries = load_json(members.read("manifest.json", MAX_DOCUMENT_BYTES), "the document")
        if not isinstance(entries, list) or not entries:
            raise BadInputError("expected a non-empty JSON array of images")
        return tuple(_saved_image(entry, i) for i, entry in enumerate(entries))
    except BadInputError as exc:
        raise BadInputError(f"{where} is malformed: {exc}") from None


def _saved_image(value: object, position: int) -> SavedImage:
    entry = require_object(value, f"image {position}")
    config = entry.get("Config")
    layers = string_list(entry.get("Layers"), f"image {position} Layers")
    if not isinstance(config, str) or not config or layers is None:
        raise BadInputError(f"image {position} needs a Config file name and a Layers array")
    return SavedImage(config, string_list(entry.get("RepoTags"), f"image {position} RepoTags") or (), layers)


def choose_image(images: tuple[SavedImage, ...], ref: str | None, where: str) -> SavedImage:
    """By RepoTag (`app` means `app:latest`, `docker.io/library/` is optional) or by position `@N`."""
    tags = ", ".join(tag for image in images for tag in image.repo_tags) or "(untagged images)"
    if ref is None:
        if len(images) == 1:
            return images[0]
        raise BadInputError(f"{where} holds {len(images)} images; choose one with :TAG or :@N from: {tags}")
    if re.fullmatch(r"@\d+", ref):
        position = int(ref[1:])
        if position < len(images):
            return images[position]
        raise NotFoundError(f"{where} has no image {ref} (it holds {len(images)})")
    for image in images:
        if _tag_key(ref) in {_tag_key(tag) for tag in image.repo_tags}:
            return image
    raise NotFoundError(f"{where} has no image tagged {ref!r}; available: {tags}")


def _tag_key(tag: str) -> str:
    for prefix in ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/"):
        if tag.startswith(prefix):
            tag = tag[len(prefix) :]
            break
    return tag if ":" in tag.rsplit("/", 1)[-1] else f"{tag}:latest"
