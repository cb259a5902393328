"""`sync registry` against a real registry with the real test images: catalog, re-sync without layer I/O, tag
moves, an unreadable image recorded while the sync goes on; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
import sqlalchemy as sa

from regwarden.service.images import ImageOptions
from regwarden.service.sync_registry import SyncOptions, sync_registry
from regwarden.store import Store, open_store
from regwarden.store.inventory_schema import image_children, repositories, tag_history
from tests.cli.cli_support import invoke
from tests.support.images import layout_ref
from tests.support.registry import RunningRegistry, push, start_registry, stop_registry

REPO = Path(__file__).resolve().parents[2]
DEMO_1_0 = REPO / "samples" / "demo.oci.tar"
DEMO_1_1 = REPO / "samples" / "demo-1.1.oci.tar"
DEMO_1_0_DIGEST = "sha256:6543174edb1c5e91936b2112d18077e8c3a64c0daec5fafa9cdd9f09438176e3"
DEMO_1_1_DIGEST = "sha256:89a74006b412838da1184c821b040250ed04282e574e740485dbf317b22b57e0"
T1 = datetime(2026, 2, 1, tzinfo=UTC)
T2 = datetime(2026, 2, 2, tzinfo=UTC)


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[RunningRegistry]:
    """A registry of this test's own: the tests move tags and delete blobs."""
    running = start_registry(tmp_path / "registry")
    yield running
    stop_registry(running)


def manifest_digest(reference: str) -> str:
    raw = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"],
        capture_output=True,
        check=True,
    ).stdout
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def layout_digest(test_images: Path, ref: str) -> str:
    index = json.loads((test_images / "oci" / "index.json").read_text())
    [entry] = [
        m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref
    ]
    return str(entry["digest"])


def current_tags(store: Store) -> dict[tuple[str, str], str]:
    query = (
        sa.select(repositories.c.name, tag_history.c.tag, tag_history.c.digest)
        .join(repositories, repositories.c.id == tag_history.c.repository_id)
        .where(tag_history.c.moved_at.is_(None))
    )
    with store.engine.connect() as conn:
        return {(row.name, row.tag): row.digest for row in conn.execute(query)}


def options() -> SyncOptions:
    return SyncOptions(ImageOptions(insecure=True), repository_pattern="apps/.*")


def test_sync_catalogs_each_digest_once_and_a_resync_reads_no_layer(
    db_url: str, test_images: Path, own_registry: RunningRegistry
) -> None:
    host = own_registry.host
    push(f"oci-archive:{DEMO_1_0}", f"{host}/apps/web:1.0", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web:1.1", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web:latest", "oci")
    push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web-copy:1.1", "oci")  # one digest, two repositories
    push(layout_ref(test_images, "multi"), f"{host}/apps/multi:latest", "oci")
    push(f"oci-archive:{DEMO_1_0}", f"{host}/base/web:1.0", "oci")  # outside --repo
    multi, amd64 = manifest_digest(f"{host}/apps/multi:latest"), layout_digest(test_images, "pyapp-1.1")

    with open_store(db_url) as store:
        report = sync_registry(store, host, options(), now=T1)
        assert report.repositories == ("apps/multi", "apps/web", "apps/web-copy")
        assert {o.digest for o in report.catalogued} == {DEMO_1_0_DIGEST, DEMO_1_1_DIGEST, amd64}
        assert report.failed == ()
        assert store.catalog.statuses([multi]) == {multi: "catalogued"}  # through its linux/amd64 child
        assert current_tags(store) == {
            ("apps/web", "1.0"): DEMO_1_0_DIGEST,
            ("apps/web", "1.1"): DEMO_1_1_DIGEST,
            ("apps/web", "latest"): DEMO_1_1_DIGEST,
            ("apps/web-copy", "1.1"): DEMO_1_1_DIGEST,
            ("apps/multi", "latest"): multi,
        }
        with store.engine.connect() as conn:
            children = {(r.index_digest, r.child_digest) for r in conn.execute(sa.select(image_children))}
        assert children == {(multi, amd64)}
        names = store.impact.image_names([amd64, DEMO_1_1_DIGEST])
        assert names[amd64].reference() == f"{host}/apps/multi:latest"  # a child is named by its index's tags
        assert names[DEMO_1_1_DIGEST].reference() == f"{host}/apps/web:1.1"

        # Remove every layer and config blob from the registry: a re-sync that read one would fail.
        _delete_content_blobs(own_registry, [DEMO_1_0, DEMO_1_1], test_images, ("pyapp-1.1", "busybox-arm64"))
        again = sync_registry(store, host, options(), now=T2)
        assert (again.catalogued, again.failed, again.tag_moves) == ((), (), ())
        assert (again.manifests, again.already_known) == (4, 4)


def test_tag_moves_are_history_and_an_unreadable_image_is_recorded(db_url: str, own_registry: RunningRegistry) -> None:
    host = own_registry.host
    push(f"oci-archive:{DEMO_1_0}", f"{host}/apps/web:latest", "oci")
    with open_store(db_url) as store:
        sync_registry(store, host, options(), now=T1)
        push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/web:latest", "oci")
        push(f"oci-archive:{DEMO_1_1}", f"{host}/apps/broken:1", "oci")
        _delete_content_blobs(own_registry, [DEMO_1_1])
        report = sync_registry(store, host, options(), now=T2)
        moves = {(m.repository, m.tag, m.before, m.after) for m in report.tag_moves}
        assert moves == {
            (f"{host}/apps/web", "latest", DEMO_1_0_DIGEST, DEMO_1_1_DIGEST),
            (f"{host}/apps/broken", "1", None, DEMO_1_1_DIGEST),
        }
        # The same digest in two repositories is read once; its blobs are gone, so it is recorded as failed.
        assert [(o.digest, "blob" in (o.error or "").lower()) for o in report.failed] == [(DEMO_1_1_DIGEST, True)]
        assert report.catalogued == ()
        assert store.catalog.statuses([DEMO_1_1_DIGEST]) == {DEMO_1_1_DIGEST: "failed"}
        with store.engine.connect() as conn:
            history = conn.execute(
                sa.select(tag_history.c.digest, tag_history.c.moved_at, tag_history.c.first_seen)
                .where(tag_history.c.tag == "latest")
                .order_by(tag_history.c.id)
            ).all()
        assert [(row.digest, row.moved_at is not None) for row in history] == [
            (DEMO_1_0_DIGEST, True),
            (DEMO_1_1_DIGEST, False),
        ]


def test_sync_cli_reports_failures_with_exit_4(tmp_path: Path, own_registry: RunningRegistry) -> None:
    host = own_registry.host
    push(f"oci-archive:{DEMO_1_0}", f"{host}/apps/broken:1", "oci")
    _delete_content_blobs(own_registry, [DEMO_1_0])
    db = str(tmp_path / "inventory.db")
    outcome = invoke(["sync", "registry", host, "--insecure", "--db", db, "-o", "json"])
    assert outcome.code == 4
    document = json.loads(outcome.stdout)
    assert [entry["digest"] for entry in document["failed"]] == [DEMO_1_0_DIGEST]
    assert "could not be catalogued" in outcome.stderr


def test_a_bad_repository_pattern_is_a_usage_error(tmp_path: Path, own_registry: RunningRegistry) -> None:
    from regwarden.model.errors import BadInputError

    with open_store(str(tmp_path / "i.db")) as store, pytest.raises(BadInputError, match="regular expression"):
        sync_registry(store, own_registry.host, SyncOptions(repository_pattern="apps/(["))


def _delete_content_blobs(
    registry: RunningRegistry, archives: list[Path], test_images: Path | None = None, refs: tuple[str, ...] = ()
) -> None:
    """Delete the layer and config blobs (not manifests) of these images from the registry's storage."""
    manifests = [_archive_manifest(path) for path in archives]
    manifests += [_layout_blob(test_images, layout_digest(test_images, ref)) for ref in refs if test_images]
    blobs = registry.root / "data" / "docker" / "registry" / "v2" / "blobs" / "sha256"
    for manifest in manifests:
        for descriptor in [manifest["config"], *manifest["layers"]]:  # type: ignore[list-item]
            hex_digest = str(descriptor["digest"]).removeprefix("sha256:")  # type: ignore[index]
            shutil.rmtree(blobs / hex_digest[:2] / hex_digest, ignore_errors=True)


def _archive_manifest(path: Path) -> dict[str, object]:
    with tarfile.open(path) as archive:
        index = json.load(_member(archive, "index.json"))
        digest = index["manifests"][0]["digest"].removeprefix("sha256:")
        document: dict[str, object] = json.load(_member(archive, f"blobs/sha256/{digest}"))
    return document


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    found = archive.extractfile(name)
    assert found is not None
    return found


def _layout_blob(test_images: Path, digest: str) -> dict[str, object]:
    path = test_images / "oci" / "blobs" / "sha256" / digest.removeprefix("sha256:")
    data: dict[str, object] = json.loads(path.read_text())
    return data
