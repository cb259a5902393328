"""open_image: local specs, and the check that an explicitly asked platform matches a single-platform image."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.model.errors import NotFoundError
from regwarden.model.image import Platform
from regwarden.oci.open import is_local_spec, open_image
from tests.oci.archive_images import BuiltImages, ref_descriptor


@pytest.mark.parametrize(
    ("tag", "platform"),
    [
        ("amd64", Platform("linux", "amd64")),
        ("amd64", Platform("linux", "x86_64")),
        ("arm64", Platform("linux", "arm64", "v8")),
        ("arm64", Platform("linux", "aarch64")),
        ("arm64", Platform("linux", "arm64", "8")),
    ],
)
def test_explicit_platform_matches_under_its_aliases(images: BuiltImages, tag: str, platform: Platform) -> None:
    source = open_image(f"oci:{images.layout}:{tag}", platform, require_platform=True)
    try:
        assert source.resolve().digest == ref_descriptor(images.layout, tag)["digest"]
    finally:
        source.close()


@pytest.mark.parametrize(
    ("tag", "platform"),
    [
        ("amd64", Platform("linux", "arm64")),
        ("arm64", Platform("linux", "amd64")),
        ("arm64", Platform("windows", "arm64")),
        ("arm64", Platform("linux", "arm", "v7")),
    ],
)
def test_explicit_platform_other_than_the_image_is_not_found(images: BuiltImages, tag: str, platform: Platform) -> None:
    source = open_image(f"oci:{images.layout}:{tag}", platform, require_platform=True)
    with pytest.raises(NotFoundError, match=f"is a linux/{tag} image, not {platform}"):
        source.resolve()
    source.close()


def test_without_an_explicit_platform_a_single_platform_image_is_taken(images: BuiltImages) -> None:
    source = open_image(f"oci:{images.layout}:arm64", Platform("linux", "amd64"))
    assert source.resolve().digest == ref_descriptor(images.layout, "arm64")["digest"]
    source.close()


def test_an_index_is_not_second_guessed(images: BuiltImages) -> None:
    source = open_image(f"oci:{images.layout}:multi", Platform("linux", "aarch64"), require_platform=True)
    metadata = source.resolve()
    assert (metadata.index_digest, metadata.digest) == (
        ref_descriptor(images.layout, "multi")["digest"],
        ref_descriptor(images.layout, "arm64")["digest"],
    )
    source.close()


@pytest.mark.parametrize(
    ("spec", "local"),
    [
        ("oci:/images/app", True),
        ("oci-archive:app.tar", True),
        ("docker-archive:app.tar:app:1.0", True),
        ("localhost:5000/app:1.0", False),
        ("oci.example.com/app", False),
        ("alpine", False),
    ],
)
def test_local_specs_are_told_from_registry_references(spec: str, local: bool) -> None:
    assert is_local_spec(spec) is local


def test_a_missing_local_image_is_not_found_when_resolved(tmp_path: Path) -> None:
    source = open_image(f"oci:{tmp_path / 'missing'}", Platform("linux", "amd64"))
    with pytest.raises(NotFoundError, match="does not exist"):
        source.resolve()
