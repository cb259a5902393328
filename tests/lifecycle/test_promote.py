"""`promote SRC DST --require-pass` against the real registry: the gate decides, digests are preserved (an index
and every platform manifest too), blobs are mounted within a registry and uploaded across registries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError, NoDataError, NotFoundError
from regwarden.model.finding import Severity
from regwarden.oci.auth import RegistryAuth
from regwarden.oci.client import ManifestNotFoundError, RegistryClient
from regwarden.oci.credentials import Credentials
from regwarden.service.images import ImageOptions
from regwarden.service.promote import PromoteOptions, promote
from regwarden.service.quarantine_gate import GateOptions
from regwarden.service.scan import ScanOptions
from tests.cli.cli_support import run_process
from tests.lifecycle.conftest import DEMO_1_0, DEMO_1_1, SAMPLES, Pushed
from tests.support.registry import RunningRegistry

INSECURE = ImageOptions(insecure=True)


def options(db: str, *, require_pass: bool = True, chunk_size: int = 8 << 20) -> PromoteOptions:
    scan = ScanOptions(image=INSECURE, db_url=db, fail_on=Severity.HIGH)
    return PromoteOptions(require_pass, GateOptions(scan), INSECURE, chunk_size)


def client(registry: RunningRegistry) -> RegistryClient:
    auth = RegistryAuth(Credentials(registry.username, registry.password)) if registry.creds else None
    return RegistryClient(registry.host, auth=auth, insecure=True)


def clients_for(*registries: RunningRegistry) -> Callable[[str], RegistryClient]:
    by_host = {registry.host: registry for registry in registries}
    return lambda host: client(by_host[host])


@pytest.fixture
def reader(quarantined: Pushed) -> Iterator[RegistryClient]:
    with client(quarantined.registry) as registry_client:
        yield registry_client


def blob_count(registry_client: RegistryClient, repo: str, reference: str) -> tuple[int, int]:
    """(blobs, bytes) of an image manifest: its config and layers."""
    manifest = json.loads(registry_client.get_manifest(repo, reference).data)
    blobs = [manifest["config"], *manifest["layers"]]
    return len(blobs), sum(blob["size"] for blob in blobs)


def test_a_passing_image_is_promoted_with_its_digest_by_mounting_its_blobs(
    quarantined: Pushed, advisory_db: str, reader: RegistryClient
) -> None:
    report = promote(
        f"{quarantined.host}/quarantine/demo:1.1", f"{quarantined.host}/release/pass", options(advisory_db)
    )

    assert report.copied and report.gate is not None and report.gate.passed
    assert report.destination == f"{quarantined.host}/release/pass:1.1"  # DST without a tag takes SRC's
    assert report.digest == report.destination_digest == DEMO_1_1
    assert [(image.digest, image.platform, image.failing) for image in report.gate.images] == [
        (DEMO_1_1, "linux/amd64", 0)
    ]
    blobs, _ = blob_count(reader, "quarantine/demo", "1.1")
    counts = report.counts
    assert (counts.manifests, counts.blobs_mounted, counts.blobs_uploaded, counts.blobs_present) == (1, blobs, 0, 0)
    assert reader.get_manifest("release/pass", "1.1").data == reader.get_manifest("quarantine/demo", "1.1").data


def test_a_failing_image_is_not_promoted_and_nothing_reaches_the_release_repository(
    quarantined: Pushed, advisory_db: str, reader: RegistryClient
) -> None:
    report = promote(
        f"{quarantined.host}/quarantine/demo:1.0", f"{quarantined.host}/release/fail:1.0", options(advisory_db)
    )

    assert not report.copied and report.destination_digest is None
    assert report.gate is not None and report.gate.state == "Failed"
    (image,) = report.gate.images
    assert (image.digest, dict(image.counts), image.failing) == (DEMO_1_0, {"critical": 1, "high": 5, "medium": 7}, 6)
    assert report.gate.reasons() == ("linux/amd64: 6 finding(s) at or above high",)
    with pytest.raises(ManifestNotFoundError):
        reader.head_manifest("release/fail", "1.0")


def test_without_require_pass_the_image_is_copied_unscanned(quarantined: Pushed, reader: RegistryClient) -> None:
    no_db = PromoteOptions(require_pass=False, image=INSECURE)
    report = promote(f"{quarantined.host}/quarantine/demo:1.0", f"{quarantined.host}/release/unchecked:v1", no_db)
    assert report.copied and report.gate is None
    assert reader.head_manifest("release/unchecked", "v1").digest == DEMO_1_0


def test_across_registries_blobs_are_uploaded_in_chunks_and_a_rerun_finds_them_present(
    quarantined: Pushed, basic_auth_registry: RunningRegistry, advisory_db: str, reader: RegistryClient
) -> None:
    source, target = f"{quarantined.host}/quarantine/demo:1.1", f"{basic_auth_registry.host}/release/demo:1.1"
    clients = clients_for(quarantined.registry, basic_auth_registry)
    chunked = options(advisory_db, chunk_size=256 * 1024)  # the sample's largest layer is over 1 MB

    first = promote(source, target, chunked, clients=clients)
    again = promote(source, target, chunked, clients=clients)

    blobs, size = blob_count(reader, "quarantine/demo", "1.1")
    assert (first.counts.blobs_uploaded, first.counts.bytes_uploaded, first.counts.blobs_mounted) == (blobs, size, 0)
    assert (again.counts.blobs_uploaded, again.counts.blobs_present) == (0, blobs)
    with client(basic_auth_registry) as release:
        assert release.get_manifest("release/demo", "1.1").digest == DEMO_1_1


def test_an_index_is_promoted_with_every_platform_and_each_platform_is_scanned(
    quarantined: Pushed, advisory_db: str, reader: RegistryClient
) -> None:
    report = promote(
        f"{quarantined.host}/quarantine/multi:1", f"{quarantined.host}/release/multi:1", options(advisory_db)
    )

    assert report.copied and report.destination_digest == quarantined.index_digest
    assert report.gate is not None
    assert [(image.digest, image.platform) for image in report.gate.images] == [
        (quarantined.platform_digests[0], "linux/amd64"),
        (quarantined.platform_digests[1], "linux/arm64"),
    ]
    assert report.counts.manifests == 3
    for digest in quarantined.platform_digests:
        assert reader.head_manifest("release/multi", digest).digest == digest


def test_promoting_by_digest_keeps_the_digest_as_the_reference(quarantined: Pushed, reader: RegistryClient) -> None:
    no_gate = PromoteOptions(image=INSECURE)
    report = promote(f"{quarantined.host}/quarantine/demo@{DEMO_1_1}", f"{quarantined.host}/release/bydigest", no_gate)
    assert report.destination == f"{quarantined.host}/release/bydigest@{DEMO_1_1}"
    assert reader.head_manifest("release/bydigest", DEMO_1_1).digest == DEMO_1_1


def test_bad_requests_are_refused_before_anything_is_written(
    quarantined: Pushed, tmp_path: Path, reader: RegistryClient
) -> None:
    host, no_gate = quarantined.host, PromoteOptions(image=INSECURE)
    with pytest.raises(BadInputError, match="same repository"):
        promote(f"{host}/quarantine/demo:1.1", f"{host}/quarantine/demo:2", no_gate)
    with pytest.raises(BadInputError, match="promotion keeps the digest"):
        promote(f"{host}/quarantine/demo:1.1", f"{host}/release/x@{DEMO_1_0}", no_gate)
    with pytest.raises(BadInputError, match="must be a registry image"):
        promote(f"oci-archive:{SAMPLES / 'demo.oci.tar'}", f"{host}/release/x:1", no_gate)
    with pytest.raises(NotFoundError):
        promote(f"{host}/quarantine/demo:9.9", f"{host}/release/x:1", no_gate)
    empty_db = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(NoDataError):
        promote(f"{host}/quarantine/demo:1.1", f"{host}/release/x:1", options(empty_db))
    with pytest.raises(ManifestNotFoundError):
        reader.head_manifest("release/x", "1")


def test_cli_exit_codes_and_json(quarantined: Pushed, advisory_db: str, tmp_path: Path) -> None:
    host = quarantined.host
    common = ["--require-pass", "--fail-on", "high", "--db", advisory_db, "--insecure", "-o", "json"]
    failed = run_process(["promote", f"{host}/quarantine/demo:1.0", f"{host}/release/cli-fail", *common], tmp_path)
    passed = run_process(["promote", f"{host}/quarantine/demo:1.1", f"{host}/release/cli-pass", *common], tmp_path)

    assert failed.code == 1, failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("regwarden: gate failed:")
    document = json.loads(failed.stdout)
    assert (document["copied"], document["gate"]["state"], document["gate"]["images"][0]["failing"]) == (
        False,
        "Failed",
        6,
    )
    assert passed.code == 0, passed.stderr
    # What the gate could not check is said, as `scan` says it: the samples' advisories hold no Debian records.
    assert "regwarden: warning: the database has no Debian advisories: 2 Debian package name(s)" in passed.stderr
    document = json.loads(passed.stdout)
    assert (document["copied"], document["destination_digest"], document["gate"]["passed"]) == (True, DEMO_1_1, True)
    assert set(document["copy"]) == {
        "manifests",
        "blobs_present",
        "blobs_mounted",
        "blobs_uploaded",
        "bytes_uploaded",
        "blobs_foreign",
    }
