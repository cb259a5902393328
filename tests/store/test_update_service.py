"""`update_database` on both backends against a real local OSV bucket: a full update, then a failed one (corrupt
zip, HTTP 500) that must leave every previous answer in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from regwarden.model.errors import IntegrityError, UnreachableError
from regwarden.service.database import UpdateOptions, database_status, update_database
from regwarden.store import open_store
from tests.support.osv_server import OsvBucket, corrupt, export_zip, load_records, osv_server


@pytest.fixture
def bucket() -> Iterator[OsvBucket]:
    with osv_server() as running:
        running.publish("PyPI", load_records("PyPI"))
        running.publish("npm", load_records("npm"))
        yield running


def test_failed_update_keeps_previous_answers(db_url: str, bucket: OsvBucket, tmp_path: Path) -> None:
    options = UpdateOptions(ecosystems=("PyPI", "npm"), base_url=bucket.url, cache_dir=tmp_path / "cache")
    first = update_database(options, db_url=db_url)
    assert [(u.ecosystem, u.mode, u.written) for u in first.updated] == [("PyPI", "full", 3), ("npm", "full", 1)]

    bucket.files["PyPI/all.zip"] = corrupt(export_zip(load_records("PyPI")[:1]))
    bucket.fail["npm/modified_id.csv"] = 500
    forced = UpdateOptions(ecosystems=("PyPI",), base_url=bucket.url, cache_dir=tmp_path / "cache", full=True)
    second = update_database(forced, db_url=db_url)
    third = update_database(options, db_url=db_url)

    assert [(name, type(error)) for name, error in second.failed] == [("PyPI", IntegrityError)]
    assert [(name, type(error)) for name, error in third.failed] == [("npm", UnreachableError)]
    with open_store(db_url) as store:
        assert {a.id for a in store.advisories.lookup("PyPI", "pyyaml")} == {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
        assert {a.id for a in store.advisories.lookup("npm", "minimist")} == {"GHSA-xvch-5gv4-984h"}
    status = database_status(db_url=db_url)
    assert [(s.ecosystem, s.advisories) for s in status.ecosystems] == [("PyPI", 3), ("npm", 1)]
