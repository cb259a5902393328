"""rpm cataloger against real rpm databases in the three backends (see testdata/rpm/README.md)."""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from regwarden.model.sbom import OperatingSystem, Unknown
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest
from regwarden.sbom.catalogers.rpm import RpmCataloger, rpm_namespace
from regwarden.sbom.catalogers.rpmdb.header import RpmHeaderError, parse_header

TESTDATA = Path(__file__).parent / "testdata" / "rpm"
DATABASES = {
    "sqlite": "var/lib/rpm/rpmdb.sqlite",
    "bdb": "var/lib/rpm/Packages",
    "bdb-inline": "var/lib/rpm/Packages",
    "ndb": "usr/lib/sysimage/rpm/Packages.db",
}
RHEL = OperatingSystem(id="rhel", version_id="8.9")
HELLO = "pkg:rpm/redhat/hello@2.12-3.el8?arch=x86_64&distro=rhel-8.9&epoch=1"
HELLO_DATA = "pkg:rpm/redhat/hello-data@2.12-3.el8?arch=noarch&distro=rhel-8.9&epoch=1"
GREET = "pkg:rpm/redhat/python3-greet@0.4.1-1?arch=noarch&distro=rhel-8.9"


def _wanted(request: FileRequest, path: str) -> bool:
    """The core's matching rule, as FileRequest documents it."""
    matched = (
        path.rpartition("/")[2] in request.basenames
        or path.endswith(request.suffixes)
        or path.startswith(request.directories)
    )
    return matched and (request.path_filter is None or request.path_filter(path))


def _database(fixture: str) -> CatalogFile:
    path = DATABASES[fixture]
    return CatalogFile(path, (TESTDATA / fixture / path).read_bytes())


def _catalog(*files: CatalogFile, os: OperatingSystem | None = RHEL) -> CatalogResult:
    return RpmCataloger().catalog(files, CatalogContext(operating_system=os))


def test_request_wants_the_databases_in_their_directories() -> None:
    wanted = {
        "var/lib/rpm/Packages",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/share/rpm/Packages",
    }
    unwanted = {"var/lib/rpm/Basenames", "usr/share/doc/Packages", "var/lib/rpm/sub/Packages", "Packages"}
    assert {p for p in wanted | unwanted if _wanted(RpmCataloger.request, p)} == wanted


@pytest.mark.parametrize("fixture", sorted(DATABASES))
def test_every_backend_yields_the_same_packages(fixture: str) -> None:
    result = _catalog(_database(fixture))
    summary = {
        (p.name, p.version, p.epoch, p.arch, p.purl, p.source_name, p.source_version, p.licenses)
        for p in result.packages
    }
    assert summary == {
        ("hello", "2.12-3.el8", 1, "x86_64", HELLO, "hello", "2.12-3.el8", ("GPL-3.0-or-later",)),
        ("hello-data", "2.12-3.el8", 1, "noarch", HELLO_DATA, "hello", "2.12-3.el8", ("CC0-1.0",)),
        ("python3-greet", "0.4.1-1", None, "noarch", GREET, "python3-greet", "0.4.1-1", ("MIT",)),
    }
    assert result.unknowns == []
    assert {p.locations[0].path for p in result.packages} == {"/" + DATABASES[fixture]}
    assert {p.name: dict(p.metadata) for p in result.packages} == {
        "hello": {"vendor": "Regwarden Test"},
        "hello-data": {"vendor": "Regwarden Test"},
        "python3-greet": {},
    }


@pytest.mark.parametrize("fixture", sorted(DATABASES))
def test_owned_files_leave_out_directories(fixture: str) -> None:
    assert _catalog(_database(fixture)).owned_files == {
        "usr/bin/hello": HELLO,
        "usr/share/doc/hello/README": HELLO,
        "usr/share/hello/greeting.txt": HELLO_DATA,
        "usr/lib/python3.9/site-packages/greet/__init__.py": GREET,
        "usr/lib/python3.9/site-packages/greet-0.4.1.dist-info/METADATA": GREET,
    }


def test_namespace_without_os_comes_from_the_vendor() -> None:
    result = _catalog(_database("sqlite"), os=None)
    assert {p.purl for p in result.packages} == {
        "pkg:rpm/regwardentest/hello@2.12-3.el8?arch=x86_64&epoch=1",
        "pkg:rpm/regwardentest/hello-data@2.12-3.el8?arch=noarch&epoch=1",
        "pkg:rpm/rpm/python3-greet@0.4.1-1?arch=noarch",
    }


@pytest.mark.parametrize(
    ("vendor", "os", "expected"),
    [
        ("Red Hat, Inc.", None, "redhat"),
        ("Fedora Project", None, "fedora"),
        ("Amazon Linux", None, "amazon"),
        (None, None, "rpm"),
        ("!!!", None, "rpm"),
        ("Red Hat, Inc.", OperatingSystem("centos", "7.9.2009"), "centos"),
        (None, OperatingSystem("sles", "15.5"), "suse"),
        (None, OperatingSystem("fedora", "39"), "fedora"),
    ],
)
def test_rpm_namespace(vendor: str | None, os: OperatingSystem | None, expected: str) -> None:
    assert rpm_namespace(vendor, os) == expected


def test_a_package_in_two_databases_is_reported_once() -> None:
    result = _catalog(_database("sqlite"), _database("bdb"))
    assert sorted(p.name for p in result.packages) == ["hello", "hello-data", "python3-greet"]


def test_not_a_database_is_an_unknown() -> None:
    files = [
        CatalogFile("var/lib/rpm/rpmdb.sqlite", b"not sqlite at all"),
        CatalogFile("var/lib/rpm/Packages", bytes(4096)),
        CatalogFile("usr/lib/sysimage/rpm/Packages.db", b"RpmP"),
    ]
    result = _catalog(*files)
    assert list(result.packages) == []
    assert set(result.unknowns) == {
        Unknown("/var/lib/rpm/rpmdb.sqlite", "not an sqlite database (bad magic)", "rpm"),
        Unknown("/var/lib/rpm/Packages", "not a Berkeley DB hash file (bad magic)", "rpm"),
        Unknown("/usr/lib/sysimage/rpm/Packages.db", "NDB file of 4 bytes has no header", "rpm"),
    }


def test_a_sqlite_file_without_the_packages_table_is_an_unknown(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    database = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("CREATE TABLE Other (x)")
        connection.commit()
    result = _catalog(CatalogFile("var/lib/rpm/rpmdb.sqlite", database.read_bytes()))
    assert [u.reason for u in result.unknowns] == ["unreadable rpm sqlite database: no such table: Packages"]


@pytest.mark.parametrize("fixture", sorted(DATABASES))
def test_truncated_databases_never_raise(fixture: str) -> None:
    whole = _database(fixture)
    for size in range(0, len(whole.content), max(1, len(whole.content) // 97)):
        result = _catalog(CatalogFile(whole.path, whole.content[:size]))
        # A cut database loses packages, and says so.
        assert len(result.packages) == 3 or result.unknowns, size


@pytest.mark.parametrize("fixture", sorted(DATABASES))
def test_corrupted_databases_never_raise(fixture: str) -> None:
    whole = _database(fixture)
    rng = random.Random(fixture)
    for _ in range(150):
        damaged = bytearray(whole.content)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        result = _catalog(CatalogFile(whole.path, bytes(damaged)))
        assert all(isinstance(unknown, Unknown) for unknown in result.unknowns)


def test_one_bad_ndb_blob_loses_only_its_package() -> None:
    whole = _database("ndb")
    damaged = bytearray(whole.content)
    damaged[4096 + 100] ^= 0xFF  # inside the first blob, so its adler32 no longer matches
    result = _catalog(CatalogFile(whole.path, bytes(damaged)))
    assert len(result.packages) == 2
    assert [u.reason for u in result.unknowns] == ["package 1: blob at block 256 fails its adler32 check"]


# --- header blobs built by hand, for what the fixtures cannot show ---

_STRING, _INT32 = 6, 4


def _header(entries: list[tuple[int, int, bytes]]) -> bytes:
    index, data = b"", b""
    for tag, kind, value in entries:
        if kind == _INT32:
            data += bytes(-len(data) % 4)
        index += struct.pack(">iIiI", tag, kind, len(data), 1)
        data += value
    return struct.pack(">II", len(entries), len(data)) + index + data


def _nevra(name: bytes) -> list[tuple[int, int, bytes]]:
    return [(1000, _STRING, name + b"\0"), (1001, _STRING, b"1.0\0"), (1002, _STRING, b"1\0")]


def test_minimal_header_and_epoch() -> None:
    header = parse_header(_header([*_nevra(b"tiny"), (1003, _INT32, struct.pack(">i", 7))]))
    assert (header.name, header.version, header.release, header.epoch, header.files) == (
        "tiny",
        "1.0",
        "1",
        7,
        (),
    )


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"\0\0", "rpm header of 2 bytes is shorter than its 8-byte preamble"),
        (struct.pack(">II", 5, 0), "rpm header claims 5 entries and 0 data bytes, has 8"),
        (_header([(1000, _STRING, b"no-terminator")]), "rpm tag 1000 runs past the end of the header"),
        (_header([(1000, _INT32, b"\0\0\0\1")]), "rpm tag 1000 has type 4, expected a string"),
        (_header(_nevra(b"x"))[:-1], "rpm header claims 3 entries and 8 data bytes, has 63"),
        (_header([(1001, _STRING, b"1\0")]), "rpm header has no NAME, VERSION or RELEASE"),
    ],
)
def test_bad_headers_raise_header_errors(blob: bytes, reason: str) -> None:
    with pytest.raises(RpmHeaderError) as caught:
        parse_header(blob)
    assert str(caught.value) == reason


def test_gpg_pubkey_pseudo_packages_are_skipped() -> None:
    import sqlite3
    from contextlib import closing

    # Put a real header next to a gpg-pubkey header in an sqlite rpmdb.
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)")
        connection.execute("INSERT INTO Packages VALUES (1, ?)", (_header(_nevra(b"gpg-pubkey")),))
        connection.execute("INSERT INTO Packages VALUES (2, ?)", (_header(_nevra(b"real")),))
        connection.commit()
        content = connection.serialize()
    result = _catalog(CatalogFile("var/lib/rpm/rpmdb.sqlite", content), os=None)
    assert [(p.name, p.purl) for p in result.packages] == [("real", "pkg:rpm/rpm/real@1.0-1")]
