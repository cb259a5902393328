"""--platform: picks from an index, and an explicit platform that a single-platform image lacks is an error."""

from __future__ import annotations

from pathlib import Path

from tests.cli.cli_support import invoke, invoke_json
from tests.support.images import archive_path, layout_ref


def test_single_platform_image_is_taken_without_an_explicit_platform(test_images: Path) -> None:
    document = invoke_json(["inspect", f"oci-archive:{archive_path(test_images, 'pyapp-1.1', 'oci')}"])
    assert document["platform"] == "linux/amd64"


def test_explicit_platform_must_match_a_single_platform_image(test_images: Path) -> None:
    spec = f"docker-archive:{archive_path(test_images, 'pyapp-1.1', 'docker')}"
    matching = invoke(["inspect", spec, "--platform", "linux/amd64", "-o", "json"])
    assert matching.code == 0
    other = invoke(["inspect", spec, "--platform", "linux/arm64/v8"])
    assert other.code == 7
    assert "is a linux/amd64 image, not linux/arm64/v8" in other.stderr


def test_explicit_platform_selects_from_an_index(test_images: Path) -> None:
    document = invoke_json(["inspect", layout_ref(test_images, "multi"), "--platform", "linux/arm64/v8"])
    assert document["platform"].startswith("linux/arm64")
    assert document["indexDigest"] is not None
