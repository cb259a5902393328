"""Every imageID form the kubelet reports, read into a manifest digest or a reason there is none."""

from __future__ import annotations

import pytest

from regwarden.collect.kubernetes.image_id import RunningImage, parse_image_id
from tests.collect.kubernetes.expected import NOT_STARTED, d, local_image

WEB = d("web:1.5")
CONFIG = d("web:1.5 config")


@pytest.mark.parametrize(
    ("image_id", "expected"),
    [
        # Docker (dockershim, cri-dockerd): the repo digest it pulled
        (
            f"docker-pullable://myacr.azurecr.io/shop/web@{WEB}",
            RunningImage(WEB, f"docker-pullable://myacr.azurecr.io/shop/web@{WEB}"),
        ),
        (f"docker-pullable://postgres@{WEB}", RunningImage(WEB, f"docker-pullable://postgres@{WEB}")),
        # containerd and CRI-O: repo@digest, registry with a port too
        (f"docker.io/library/nginx@{WEB}", RunningImage(WEB, f"docker.io/library/nginx@{WEB}")),
        (f"localhost:5000/apps/web@{WEB}", RunningImage(WEB, f"localhost:5000/apps/web@{WEB}")),
        # Docker without a repo digest: the image ID is the config digest
        (f"docker://{CONFIG}", RunningImage(None, f"docker://{CONFIG}", local_image("Docker", CONFIG))),
        # containerd with an image imported on the node: the bare image ID
        (CONFIG, RunningImage(None, CONFIG, local_image("containerd", CONFIG))),
        # not started
        ("", RunningImage(None, None, NOT_STARTED)),
        # unreadable forms keep the raw value and say why
        (
            "docker://nginx:1.25",
            RunningImage(None, "docker://nginx:1.25", "unrecognised imageID 'docker://nginx:1.25'"),
        ),
        (
            "sha256:abc",
            RunningImage(None, "sha256:abc", "unrecognised imageID 'sha256:abc': no repository@digest in it"),
        ),
        (
            "nginx@sha256:ABC",
            RunningImage(
                None, "nginx@sha256:ABC", "unrecognised imageID 'nginx@sha256:ABC': no repository@digest in it"
            ),
        ),
        (
            "nginx:1.25",
            RunningImage(None, "nginx:1.25", "unrecognised imageID 'nginx:1.25': no repository@digest in it"),
        ),
    ],
)
def test_image_id_forms(image_id: str, expected: RunningImage) -> None:
    assert parse_image_id(image_id) == expected


def test_the_reason_names_the_config_digest() -> None:
    reason = parse_image_id(f"docker://{CONFIG}").reason
    assert reason is not None and CONFIG[:19] in reason and "not a manifest digest" in reason
