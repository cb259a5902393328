"""The OSV export over real HTTP (tests/support/osv_server.py): full download, resume with Range/If-Range,
modified_id.csv, and clear errors for 404, 500, timeouts and interruptions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from regwarden.model.errors import IntegrityError, NotFoundError, UnreachableError
from regwarden.vuln.sources.osv_export import ModifiedEntry, OsvExport
from tests.support.osv_server import OsvBucket, corrupt, load_records, osv_server


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, int | None, int]] = []
        self.advanced = 0

    def start(self, label: str, total: int | None, completed: int = 0) -> None:
        self.events.append((label, total, completed))

    def advance(self, amount: int) -> None:
        self.advanced += amount

    def finish(self) -> None:
        return None


@pytest.fixture
def bucket() -> Iterator[OsvBucket]:
    with osv_server() as running:
        running.publish("PyPI", load_records("PyPI"))
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=2.0) as opened:
        yield opened


def export(
    bucket: OsvBucket, client: httpx.Client, cache: Path, progress: RecordingProgress | None = None
) -> OsvExport:
    return OsvExport(bucket.url, "PyPI", client, cache, progress)


def test_full_download_verifies_and_reports_progress(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    progress = RecordingProgress()
    source = export(bucket, client, tmp_path, progress).download_all()
    size = len(bucket.files["PyPI/all.zip"])
    assert source.path.read_bytes() == bucket.files["PyPI/all.zip"]
    assert source.location == f"{bucket.url}/PyPI/all.zip"
    assert progress.events == [("PyPI all.zip", size, 0)] and progress.advanced == size
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PyPI-all.zip"]


def test_interrupted_download_resumes_with_range(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    bucket.cut_after["PyPI/all.zip"] = 300
    with pytest.raises(UnreachableError, match="run again to resume"):
        export(bucket, client, tmp_path).download_all()
    assert (tmp_path / "PyPI-all.zip.part").stat().st_size == 300
    source = export(bucket, client, tmp_path).download_all()
    assert source.path.read_bytes() == bucket.files["PyPI/all.zip"]
    first, second = bucket.requests
    assert "range" not in {k.lower() for k in first.headers}
    assert second.headers["Range"] == "bytes=300-"
    assert second.headers["If-Range"].startswith('"')


def test_changed_export_restarts_instead_of_splicing(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    bucket.cut_after["PyPI/all.zip"] = 300
    with pytest.raises(UnreachableError):
        export(bucket, client, tmp_path).download_all()
    bucket.publish("PyPI", load_records("PyPI")[:1])
    source = export(bucket, client, tmp_path).download_all()
    assert source.path.read_bytes() == bucket.files["PyPI/all.zip"]


def test_corrupt_zip_is_deleted_and_raised(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    bucket.files["PyPI/all.zip"] = corrupt(bucket.files["PyPI/all.zip"])
    with pytest.raises(IntegrityError, match=r"all\.zip is corrupt"):
        export(bucket, client, tmp_path).download_all()
    assert list(tmp_path.iterdir()) == []


def test_server_error_is_unreachable(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    bucket.fail["PyPI/all.zip"] = 500
    with pytest.raises(UnreachableError, match="answered HTTP 500"):
        export(bucket, client, tmp_path).download_all()


def test_unknown_ecosystem_is_not_found(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"Nope/all\.zip does not exist"):
        OsvExport(bucket.url, "Nope", client, tmp_path).download_all()


def test_timeout_is_unreachable(bucket: OsvBucket, tmp_path: Path) -> None:
    bucket.stall.add("PyPI/all.zip")
    with httpx.Client(timeout=0.3) as impatient, pytest.raises(UnreachableError, match="timed out"):
        export(bucket, impatient, tmp_path).download_all()


def test_modified_ids_and_record_fetch(bucket: OsvBucket, client: httpx.Client, tmp_path: Path) -> None:
    source = export(bucket, client, tmp_path)
    assert source.modified_ids() == [
        ModifiedEntry("2024-02-01T12:30:00Z", "GHSA-j8r2-6x86-q33q"),
        ModifiedEntry("2024-01-10T08:00:00Z", "GHSA-8q59-q68h-6hv4"),
        ModifiedEntry("2023-11-08T04:03:00Z", "PYSEC-2021-142"),
    ]
    [(record_id, data)] = list(source.fetch_records(["PYSEC-2021-142"]))
    assert (record_id, data) == ("PYSEC-2021-142", bucket.files["PyPI/PYSEC-2021-142.json"])


def test_ecosystem_names_are_url_quoted(client: httpx.Client, tmp_path: Path) -> None:
    with osv_server() as bucket:
        bucket.publish("Red Hat", load_records("PyPI")[:1])
        source = OsvExport(bucket.url, "Red Hat", client, tmp_path).download_all()
        assert source.location == f"{bucket.url}/Red%20Hat/all.zip"
        assert bucket.paths() == ["Red Hat/all.zip"]
