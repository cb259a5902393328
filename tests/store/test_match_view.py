"""Match views on SQLite and PostgreSQL: `lookup_many` answers what `lookup` answers, key by key, with only the
entries filed under that key; rows without a view (written before revision 0002) decode from the whole record;
and matching through views gives exactly the report matching through `lookup` gives."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from regwarden.model.advisory import Advisory
from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.store import Store, migrate, open_store
from regwarden.store.engine import create_store_engine, resolve_url
from regwarden.store.match_view import ViewDecoder, encode_views
from regwarden.store.schema import affected_index
from regwarden.vuln.ecosystems import index_key
from regwarden.vuln.match import lookup_plan, match_sbom_report
from regwarden.vuln.osv import parse_osv
from tests.store.test_migrations import HEAD

OSV_DIR = Path(__file__).parents[1] / "vuln" / "testdata" / "osv"
MISSING = ("PyPI", "no-such-package")


def osv_records() -> list[tuple[str, bytes]]:
    return [(path.stem, path.read_bytes()) for path in sorted(OSV_DIR.glob("*.json"))]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        report = opened.advisories.merge(osv_records(), collection=None, source="fixtures")
        assert report.rejected == ()
        yield opened


def all_keys(store: Store) -> set[tuple[str, str]]:
    with store.engine.connect() as conn:
        return {(row.ecosystem_base, row.name) for row in conn.execute(sa.select(affected_index))}


def assert_same_as_lookup(store: Store, found: dict[tuple[str, str], list[Advisory]]) -> None:
    for key, views in found.items():
        whole = store.advisories.lookup(*key)
        assert [a.id for a in views] == [a.id for a in whole]
        for view, advisory in zip(views, whole, strict=True):
            entries = tuple(e for e in advisory.affected if index_key(e.ecosystem, e.name) == key)
            assert view.affected == entries
            urgencies = [e.ecosystem_specific.get("urgency") for e in entries]
            assert [e.ecosystem_specific.get("urgency") for e in view.affected] == urgencies
            assert (view.aliases, view.summary, view.severity, view.database_severity, view.source) == (
                advisory.aliases,
                advisory.summary,
                advisory.severity,
                advisory.database_severity,
                advisory.source,
            )


def test_lookup_many_answers_every_key_like_lookup(store: Store) -> None:
    keys = all_keys(store)
    assert ("Debian", "curl") in keys and ("PyPI", "pyyaml") in keys
    found = store.advisories.lookup_many([*keys, MISSING, ("PyPI", "PyYAML")])
    assert set(found) == keys | {MISSING}
    assert found[MISSING] == []
    assert {a.id for a in found[("PyPI", "pyyaml")]} == {"GHSA-8q59-q68h-6hv4", "PYSEC-2021-142"}
    assert "TEST-WITHDRAWN" not in {a.id for views in found.values() for a in views}
    assert_same_as_lookup(store, found)


def test_rows_without_a_usable_view_decode_the_whole_record(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(affected_index).where(affected_index.c.advisory_id == "DSA-5587-1").values(match_view=None)
        )
        damaged = affected_index.c.advisory_id == "PYSEC-2021-142"
        conn.execute(sa.update(affected_index).where(damaged).values(match_view="[99]"))
    found = store.advisories.lookup_many(all_keys(store))
    assert [a.id for a in found[("Debian", "curl")]] == ["DLA-3692-1", "DSA-5587-1"]
    # A whole record keeps what views leave out: proof that these two came from `raw`, not from a view.
    assert [a.published for a in found[("Debian", "curl")]] == [None, "2023-12-19T00:00:00Z"]
    assert {a.id: a.details is not None for a in found[("PyPI", "pyyaml")]} == {
        "GHSA-8q59-q68h-6hv4": False,
        "PYSEC-2021-142": True,
    }
    assert_same_as_lookup(store, found)


def _pkg(kind: PackageType, name: str, version: str, **extra: object) -> Package:
    purl = str(extra.pop("purl", f"pkg:{kind.value}/{name}@{version}"))
    return Package(name, version, kind, purl, "test", **extra)  # type: ignore[arg-type]


def _deb(name: str, source: str, version: str) -> Package:
    return _pkg(PackageType.DEB, name, version, source_name=source, source_version=version)


SBOMS = (
    Sbom(
        "debian-12",
        (_deb("libcurl4", "curl", "7.88.1-10+deb12u4"), _deb("libc6", "glibc", "2.36-9+deb12u4")),
        operating_system=OperatingSystem("debian", "12"),
    ),
    Sbom("debian-10", (_deb("curl", "curl", "7.64.0-4+deb10u2"),), operating_system=OperatingSystem("debian", "10")),
    Sbom("debian-any", (_deb("libcurl4", "curl", "7.88.1-10"),), operating_system=OperatingSystem("debian", None)),
    Sbom("ubuntu", (_deb("libc6", "glibc", "2.35-0ubuntu3.1"),), operating_system=OperatingSystem("ubuntu", "22.04")),
    Sbom(
        "alpine",
        (_pkg(PackageType.APK, "libcrypto3", "3.1.4-r4", source_name="openssl", source_version="3.1.4-r4"),),
        operating_system=OperatingSystem("alpine", "3.19.1"),
    ),
    Sbom(
        "languages",
        (
            _pkg(PackageType.PYPI, "PyYAML", "5.3.1"),
            _pkg(PackageType.PYPI, "requests", "2.31.0"),
            _pkg(PackageType.PYPI, "PyYAML", "garbage!"),
            _pkg(PackageType.NPM, "multi", "1.5.0"),
            _pkg(PackageType.NPM, "@babel/traverse", "7.23.0", purl="pkg:npm/%40babel/traverse@7.23.0"),
            _pkg(PackageType.GEM, "limited", "1.0.0"),
            _pkg(PackageType.CARGO, "gitty", "1.0.0"),
            _pkg(PackageType.NUGET, "newtonsoft.json", "12.0.3"),
            _pkg(PackageType.GO_STDLIB, "stdlib", "1.21.5", purl="pkg:golang/stdlib@1.21.5"),
            _pkg(PackageType.MAVEN, "org.example:lib", "1.0.0"),
        ),
    ),
)


@pytest.mark.parametrize("sbom", SBOMS, ids=[s.source for s in SBOMS])
def test_matching_through_views_reports_exactly_what_lookup_reports(store: Store, sbom: Sbom) -> None:
    plan = lookup_plan(sbom)
    table = store.advisories.lookup_many(plan.keys, plan.wanted)
    through_views = match_sbom_report(sbom, lambda e, n: table[(e, n)], database="db", database_age_days=2.0)
    through_lookup = match_sbom_report(sbom, store.advisories.lookup, database="db", database_age_days=2.0)
    assert through_views == through_lookup
    assert through_lookup.findings or through_lookup.unknowns  # every SBOM here exercises some advisory


def test_upgrading_a_0001_database_keeps_its_records_answering(db_url: str) -> None:
    engine = create_store_engine(resolve_url(db_url))
    try:
        migrate(engine, "0001")
        raw = (OSV_DIR / "GHSA-8q59-q68h-6hv4.json").read_bytes()
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO advisories (id, modified, collection, source, raw) "
                    "VALUES ('GHSA-8q59-q68h-6hv4', '2024-01-01T00:00:00.000000Z', 'PyPI', 'old', :raw)"
                ),
                {"raw": zlib.compress(raw)},
            )
            conn.execute(sa.text("INSERT INTO affected_index VALUES ('PyPI', 'pyyaml', 'GHSA-8q59-q68h-6hv4')"))
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == HEAD
            assert conn.execute(sa.select(affected_index.c.match_view)).scalars().all() == [None]
        found = store.advisories.lookup_many([("PyPI", "pyyaml")])
        assert [(a.id, a.source) for a in found[("PyPI", "pyyaml")]] == [("GHSA-8q59-q68h-6hv4", "old")]
        assert_same_as_lookup(store, found)


def test_wanted_leaves_out_entries_and_advisories_left_without_any(store: Store) -> None:
    def not_alpine_318(key: tuple[str, str], ecosystem: str) -> bool:
        return ecosystem != "Alpine:v3.18" and ecosystem != "Debian:10"

    found = store.advisories.lookup_many([("Alpine", "openssl"), ("Debian", "curl")], not_alpine_318)
    [alpine] = found[("Alpine", "openssl")]
    assert [e.ecosystem for e in alpine.affected] == ["Alpine:v3.19"]
    assert [a.id for a in found[("Debian", "curl")]] == ["DSA-5587-1"]  # DLA-3692-1 is Debian:10 only


def test_decoder_builds_kept_entries_once_and_answers_repeats_from_its_cache() -> None:
    document = json.loads((OSV_DIR / "UBUNTU-CVE-2024-2961.json").read_text(encoding="utf-8"))
    advisory = parse_osv(document, "fixtures")
    [(key, view)] = encode_views(advisory).items()
    assert key == ("Ubuntu", "glibc")
    decoder = ViewDecoder()
    whole = decoder.decode(view)
    assert whole is not None
    assert whole.affected == advisory.affected
    assert (whole.id, whole.aliases, whole.summary, whole.source) == (
        advisory.id,
        advisory.aliases,
        advisory.summary,
        "fixtures",
    )
    assert decoder.decode(view) is whole
    only_2204 = decoder.decode(view, lambda ecosystem: ecosystem == "Ubuntu:22.04:LTS")
    assert only_2204 is not None
    assert only_2204.affected == advisory.affected[:1]
    assert decoder.decode(view, lambda ecosystem: ecosystem == "Ubuntu:22.04:LTS") is only_2204
    nothing = decoder.decode(view, lambda ecosystem: False)
    assert nothing is not None and nothing.affected == ()
    decoder.clear()
    assert decoder.decode(view) is not whole


@pytest.mark.parametrize("damaged", ["not json", "[1]", '{"a": 1}', '[2,"x","m",[],null,null,[],null,null,[]]'])
def test_decoder_refuses_views_it_cannot_read(damaged: str) -> None:
    assert ViewDecoder().decode(damaged) is None
