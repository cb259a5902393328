"""The archive images (tests/oci/archive_images.py), built once per session for every OCI test that reads them.

Tests must not modify these files; one that damages an image works on its own copy.
"""

from __future__ import annotations

import pytest

from tests.oci.archive_images import BuiltImages, build_images


@pytest.fixture(scope="session")
def images(tmp_path_factory: pytest.TempPathFactory) -> BuiltImages:
    return build_images(tmp_path_factory.mktemp("archive-images"))
