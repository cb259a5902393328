"""`promote` copies the referrers of what it promotes (service/promote_referrers.py), against the real registry:
an index's referrers and its platform manifests', a referrer's own referrer, cosign's `.sig` tag; by digest, indexed
in the destination's tag schema (or by a registry's referrers API), across registries, again without duplicates;
`--no-referrers` copies none."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.model.image import Descriptor
from regwarden.model.quarantine import CopiedReferrer, CopyCounts, PromoteReport
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.upload import put_manifest
from regwarden.report.quarantine_table import render_promote_table
from regwarden.service.images import ImageOptions
from regwarden.service.promote import PromoteOptions, promote
from tests.cli.cli_support import run_process
from tests.lifecycle.registry_images import (
    OCI_CONFIG,
    OCI_MANIFEST,
    SIGNATURE,
    blob,
    push_image,
    push_index,
    push_signature,
)
from tests.lifecycle.test_promote import client, clients_for
from tests.service.test_trust_referrers_api import ReferrersFront
from tests.support.registry import LocalServer, RunningRegistry

NO_GATE = PromoteOptions(image=ImageOptions(insecure=True))
SIMPLESIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"


@dataclass(frozen=True)
class Attached:
    """`refq/app:1`, an index of two images, with a signature of the index, a signature of its amd64 image, a
    signature of that signature, and a cosign `.sig` tag on the index."""

    index: Descriptor
    amd64: Descriptor
    on_index: Descriptor
    on_amd64: Descriptor
    on_signature: Descriptor
    cosign: Descriptor

    def expected(self) -> set[tuple[str, str, str, str | None]]:
        """(subject, digest, found_by, tag) of everything promote must copy."""
        cosign_tag = self.index.digest.replace(":", "-") + ".sig"
        return {
            (self.index.digest, self.on_index.digest, "referrers", None),
            (self.index.digest, self.cosign.digest, "cosign-tag", cosign_tag),
            (self.amd64.digest, self.on_amd64.digest, "referrers", None),
            (self.on_index.digest, self.on_signature.digest, "referrers", None),
        }


def push_attached(registry_client: RegistryClient, repo: str) -> Attached:
    amd64, arm64 = push_image(registry_client, repo), push_image(registry_client, repo, architecture="arm64")
    index = push_index(registry_client, repo, ("1",), [amd64, arm64])
    on_index = push_signature(registry_client, repo, index)
    on_amd64 = push_signature(registry_client, repo, amd64)
    on_signature = push_signature(registry_client, repo, on_index)
    return Attached(index, amd64, on_index, on_amd64, on_signature, push_cosign_tag(registry_client, repo, index))


def push_cosign_tag(registry_client: RegistryClient, repo: str, subject: Descriptor) -> Descriptor:
    """cosign's layout: a manifest tagged `sha256-<hex>.sig` whose layer is the simple-signing payload."""
    payload = json.dumps({"critical": {"image": {"docker-manifest-digest": subject.digest}}}).encode()
    config, layer = blob(registry_client, repo, b"{}", OCI_CONFIG), blob(registry_client, repo, payload, SIMPLESIGNING)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config.media_type, "digest": config.digest, "size": config.size},
        "layers": [{"mediaType": layer.media_type, "digest": layer.digest, "size": layer.size}],
    }
    data = json.dumps(manifest).encode()
    tag = subject.digest.replace(":", "-") + ".sig"
    return Descriptor(OCI_MANIFEST, put_manifest(registry_client, repo, tag, data, OCI_MANIFEST), len(data))


@pytest.fixture(scope="module")
def attached(registry: RunningRegistry) -> Attached:
    with client(registry) as registry_client:
        return push_attached(registry_client, "refq/app")


@pytest.fixture
def reader(registry: RunningRegistry) -> Iterator[RegistryClient]:
    with client(registry) as registry_client:
        yield registry_client


def listed(registry_client: RegistryClient, repo: str, digest: str) -> set[str]:
    return {referrer.descriptor.digest for referrer in registry_client.referrers(repo, digest)}


def test_every_referrer_of_the_tree_is_copied_with_its_digest(
    registry: RunningRegistry, attached: Attached, reader: RegistryClient
) -> None:
    report = promote(f"{registry.host}/refq/app:1", f"{registry.host}/refrel/app", NO_GATE)

    assert report.referrers is not None
    assert {(r.subject, r.digest, r.found_by, r.tag) for r in report.referrers} == attached.expected()
    assert listed(reader, "refrel/app", attached.index.digest) == {attached.on_index.digest}
    assert listed(reader, "refrel/app", attached.amd64.digest) == {attached.on_amd64.digest}
    assert listed(reader, "refrel/app", attached.on_index.digest) == {attached.on_signature.digest}
    cosign_tag = attached.index.digest.replace(":", "-") + ".sig"
    assert reader.head_manifest("refrel/app", cosign_tag).digest == attached.cosign.digest
    for referrer in (attached.on_index, attached.on_amd64, attached.on_signature):
        copied = reader.get_manifest("refrel/app", referrer.digest).data
        assert copied == reader.get_manifest("refq/app", referrer.digest).data


def test_no_referrers_copies_the_image_alone(registry: RunningRegistry, attached: Attached, tmp_path: Path) -> None:
    outcome = run_process(
        ["promote", f"{registry.host}/refq/app:1", f"{registry.host}/refrel/alone", "--no-referrers", "--insecure"],
        tmp_path,
    )

    assert outcome.code == 0, outcome.stderr
    assert outcome.stdout.splitlines()[-1] == "referrers: not copied (--no-referrers)"
    with client(registry) as reader:
        assert reader.head_manifest("refrel/alone", "1").digest == attached.index.digest
        assert listed(reader, "refrel/alone", attached.index.digest) == set()
        assert listed(reader, "refrel/alone", attached.amd64.digest) == set()
        with pytest.raises(ManifestNotFoundError):
            reader.head_manifest("refrel/alone", attached.index.digest.replace(":", "-") + ".sig")


def test_across_registries_and_again_each_referrer_is_listed_once(
    registry: RunningRegistry, basic_auth_registry: RunningRegistry, attached: Attached
) -> None:
    source, target = f"{registry.host}/refq/app:1", f"{basic_auth_registry.host}/refrel/app:1"
    clients = clients_for(registry, basic_auth_registry)

    first = promote(source, target, NO_GATE, clients=clients)
    again = promote(source, target, NO_GATE, clients=clients)

    assert first.referrers is not None and again.referrers is not None
    assert (
        {r.digest for r in first.referrers}
        == {r.digest for r in again.referrers}
        == {digest for _, digest, _, _ in attached.expected()}
    )
    with client(basic_auth_registry) as release:
        entries = release.referrers("refrel/app", attached.index.digest)
        assert [(e.descriptor.digest, e.artifact_type) for e in entries] == [(attached.on_index.digest, SIGNATURE)]


def test_a_registry_with_the_referrers_api_indexes_the_copies_itself(registry: RunningRegistry) -> None:
    front = ReferrersFront(registry)
    with LocalServer(front) as server, RegistryClient(server.host, insecure=True) as through_front:
        front.public_host = server.host
        image = push_image(through_front, "apiq/app", ("1",))
        signature = push_signature(through_front, "apiq/app", image)

        report = promote(f"{server.host}/apiq/app:1", f"{server.host}/apirel/app", NO_GATE)

        assert report.referrers is not None and [r.digest for r in report.referrers] == [signature.digest]
        assert listed(through_front, "apirel/app", image.digest) == {signature.digest}
    with client(registry) as direct, pytest.raises(ManifestNotFoundError):
        direct.head_manifest("apirel/app", image.digest.replace(":", "-"))  # no tag-schema index was written


def test_the_table_lists_each_copied_referrer() -> None:
    image, signature, cosign = ("sha256:" + c * 64 for c in "abc")
    copied = (
        CopiedReferrer(image, signature, "application/vnd.cncf.notary.signature", "referrers"),
        CopiedReferrer(image, cosign, None, "cosign-tag", f"sha256-{'a' * 64}.sig"),
    )
    report = PromoteReport("r/q/app:1", "r/rel/app:1", image, OCI_MANIFEST, None, True, CopyCounts(1), image, copied)

    lines = render_promote_table(report).decode().splitlines()

    assert lines[-3:] == [
        "referrers: 2 copied",
        f"  {signature} (application/vnd.cncf.notary.signature) of {image}",
        f"  {cosign} (unknown type) of {image} as sha256-{'a' * 64}.sig",
    ]
