"""The generic OCI listing (`crawl_oci`, `OciListing`) against the real registry holding the real test images.

Expected digests come from skopeo (`inspect --raw`, hashed here), not from our client, and the tag groups are
the ones tests/support/images.py pushed: several tags on one manifest, an index, Docker media types, and a
manifest that was untagged by a later push (which a tags-based crawl cannot see).
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Mapping

import pytest

from regwarden.model.catalog import ManifestListing
from regwarden.model.errors import NotFoundError
from regwarden.oci.client import RegistryClient
from regwarden.oci.listing import OciListing, RegistryListing, crawl_oci
from tests.support.registry import RunningRegistry, build_layout_image, push

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"


def skopeo_digest(reference: str) -> str:
    raw = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"],
        capture_output=True,
        check=True,
    ).stdout
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def listing(repo: str, digest: str, tags: tuple[str, ...], media_type: str) -> ManifestListing:
    return ManifestListing(repository=repo, digest=digest, tags=tags, media_type=media_type)


@pytest.fixture
def client(registry: RunningRegistry) -> RegistryClient:
    return RegistryClient(registry.host, insecure=True)


def test_tags_are_grouped_by_digest_exactly(pushed_images: Mapping[str, str], client: RegistryClient) -> None:
    pyapp_10, pyapp_11 = skopeo_digest(pushed_images["pyapp-1.0"]), skopeo_digest(pushed_images["pyapp-1.1"])
    with client:
        found = set(crawl_oci(client, "apps/pyapp"))
    # rc was moved onto 1.0 after the release candidate was pushed: the candidate is now untagged and unseen.
    assert found == {
        listing("apps/pyapp", pyapp_10, ("1.0", "rc"), OCI_MANIFEST),
        listing("apps/pyapp", pyapp_11, ("1.1", "latest"), OCI_MANIFEST),
    }
    assert pushed_images["pyapp-1.0-rc1"].split("@")[1] not in {item.digest for item in found}


@pytest.mark.parametrize(
    ("repo", "name", "tags", "media_type"),
    [
        ("base/debian", "base", ("bookworm", "latest"), OCI_MANIFEST),
        ("apps/multi", "multi", ("latest",), OCI_INDEX),
        ("apps/multi-docker", "multi-v2s2", ("latest",), DOCKER_LIST),
        ("apps/pyapp-zstd", "pyapp-1.1-zstd", ("1.1",), OCI_MANIFEST),
    ],
)
def test_one_manifest_repositories(
    pushed_images: Mapping[str, str],
    client: RegistryClient,
    repo: str,
    name: str,
    tags: tuple[str, ...],
    media_type: str,
) -> None:
    with client:
        found = crawl_oci(client, repo)
    assert found == [listing(repo, skopeo_digest(pushed_images[name]), tags, media_type)]


def test_docker_media_types_are_reported_as_served(pushed_images: Mapping[str, str], client: RegistryClient) -> None:
    with client:
        found = crawl_oci(client, "apps/pyapp-docker", workers=1)
    assert set(found) == {
        listing("apps/pyapp-docker", skopeo_digest(pushed_images["pyapp-1.0-v2s2"]), ("1.0",), DOCKER_MANIFEST),
        listing("apps/pyapp-docker", skopeo_digest(pushed_images["pyapp-1.1-v2s2"]), ("1.1",), DOCKER_MANIFEST),
    }


def test_oci_listing_is_a_registry_listing(pushed_images: Mapping[str, str], client: RegistryClient) -> None:
    with client:
        registry_listing: RegistryListing = OciListing(client)
        repositories = set(registry_listing.repositories())
        manifests = registry_listing.manifests("base/debian")
    pushed = {"base/debian", "apps/pyapp", "apps/pyapp-docker", "apps/pyapp-zstd", "apps/multi", "apps/multi-docker"}
    assert pushed <= repositories
    assert [item.tags for item in manifests] == [("bookworm", "latest")]
    assert registry_listing.supports_untagged is False


def test_repository_whose_tags_were_all_deleted_lists_nothing(
    registry: RunningRegistry, client: RegistryClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    source = build_layout_image(tmp_path_factory.mktemp("listing-image"), {"etc/listing": b"gone soon\n"})
    push(source, f"{registry.host}/listing/emptied:1")
    with client:
        (only,) = crawl_oci(client, "listing/emptied")
        client.delete_manifest("listing/emptied", only.digest)
        assert crawl_oci(client, "listing/emptied") == []


def test_unknown_repository_is_not_found(registry: RunningRegistry, client: RegistryClient) -> None:
    with client, pytest.raises(NotFoundError, match="tags of listing/never-pushed"):
        crawl_oci(client, "listing/never-pushed")
