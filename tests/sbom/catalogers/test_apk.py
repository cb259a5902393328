"""apk cataloger against a real Alpine 3.18 `installed` database."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.model.sbom import OperatingSystem, Unknown
from regwarden.sbom.catalogers.apk import ApkCataloger
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult, FileRequest

INSTALLED = Path(__file__).parent / "testdata" / "apk" / "alpine-3.18" / "lib" / "apk" / "db" / "installed"
ALPINE = OperatingSystem(id="alpine", version_id="3.18.4")
DB_PATH = "lib/apk/db/installed"


def _wanted(request: FileRequest, path: str) -> bool:
    """The core's matching rule, as FileRequest documents it."""
    matched = (
        path.rpartition("/")[2] in request.basenames
        or path.endswith(request.suffixes)
        or path.startswith(request.directories)
    )
    return matched and (request.path_filter is None or request.path_filter(path))


def _catalog(content: bytes, os: OperatingSystem | None = ALPINE) -> tuple[set[tuple[object, ...]], CatalogResult]:
    result = ApkCataloger().catalog([CatalogFile(DB_PATH, content)], CatalogContext(operating_system=os))
    return {(p.name, p.version, p.purl, p.source_name, p.licenses) for p in result.packages}, result


def test_request_wants_only_the_database() -> None:
    paths = {DB_PATH, "usr/lib/apk/db/installed", "lib/apk/db/triggers", "etc/installed", "usr/lib/apk/db/scripts.tar"}
    assert {p for p in paths if _wanted(ApkCataloger.request, p)} == {DB_PATH, "usr/lib/apk/db/installed"}


def test_merged_usr_database_is_read() -> None:
    """Wolfi/Chainguard (apk-tools 3, merged /usr): /lib is a symlink, the file is usr/lib/apk/db/installed."""
    content = b"P:glibc\nV:2.38-r5\nA:x86_64\nF:usr/lib\nR:libc.so.6\n"
    result = ApkCataloger().catalog([CatalogFile("usr/lib/apk/db/installed", content)], CatalogContext())
    assert {(p.name, p.version, p.locations[0].path) for p in result.packages} == {
        ("glibc", "2.38-r5", "/usr/lib/apk/db/installed")
    }
    assert dict(result.owned_files) == {"usr/lib/libc.so.6": "pkg:apk/alpine/glibc@2.38-r5?arch=x86_64"}


def test_lib_database_wins_when_both_exist() -> None:
    files = [
        CatalogFile("usr/lib/apk/db/installed", b"P:stale\nV:1-r0\n"),
        CatalogFile(DB_PATH, b"P:musl\nV:1.2.4-r2\n"),
    ]
    result = ApkCataloger().catalog(files, CatalogContext())
    assert {(p.name, p.locations[0].path) for p in result.packages} == {("musl", "/lib/apk/db/installed")}
    assert result.unknowns == []


@pytest.mark.parametrize(
    ("line", "licenses"),
    [
        (b"L:MIT BSD GPL2+", ("MIT", "BSD", "GPL2+")),  # Alpine <= 3.15: a list of names
        (b"L:GPL2  GPL2", ("GPL2",)),
        (b"L:MIT AND BSD-2-Clause", ("MIT AND BSD-2-Clause",)),
        (b"L:(MIT OR Apache-2.0) AND Zlib", ("(MIT OR Apache-2.0) AND Zlib",)),
        (b"L:GPL-2.0-or-later WITH Linux-syscall-note", ("GPL-2.0-or-later WITH Linux-syscall-note",)),
        (b"L:", ()),
    ],
)
def test_licence_field_list_or_expression(line: bytes, licenses: tuple[str, ...]) -> None:
    packages, _ = _catalog(b"P:musl-utils\nV:1.1.24-r2\n" + line + b"\n", os=None)
    assert {p[4] for p in packages} == {licenses}


def test_real_installed_database() -> None:
    packages, result = _catalog(INSTALLED.read_bytes())
    q = "arch=aarch64&distro=alpine-3.18.4"
    assert packages == {
        (
            "alpine-baselayout",
            "3.4.3-r1",
            f"pkg:apk/alpine/alpine-baselayout@3.4.3-r1?{q}",
            "alpine-baselayout",
            ("GPL-2.0-only",),
        ),
        (
            "alpine-baselayout-data",
            "3.4.3-r1",
            f"pkg:apk/alpine/alpine-baselayout-data@3.4.3-r1?{q}",
            "alpine-baselayout",
            ("GPL-2.0-only",),
        ),
        ("libssl3", "3.1.2-r0", f"pkg:apk/alpine/libssl3@3.1.2-r0?{q}", "openssl", ("Apache-2.0",)),
        ("musl", "1.2.4-r1", f"pkg:apk/alpine/musl@1.2.4-r1?{q}", "musl", ("MIT",)),
        (
            "musl-utils",
            "1.2.4-r1",
            f"pkg:apk/alpine/musl-utils@1.2.4-r1?{q}",
            "musl",
            ("MIT AND BSD-2-Clause AND GPL-2.0-or-later",),
        ),
        ("scanelf", "1.3.7-r1", f"pkg:apk/alpine/scanelf@1.3.7-r1?{q}", "pax-utils", ("GPL-2.0-only",)),
        ("ssl_client", "1.36.1-r2", f"pkg:apk/alpine/ssl_client@1.36.1-r2?{q}", "busybox", ("GPL-2.0-only",)),
        ("zlib", "1.2.13-r1", f"pkg:apk/alpine/zlib@1.2.13-r1?{q}", "zlib", ("Zlib",)),
    }
    assert result.unknowns == []


def test_owned_files_from_folder_and_file_lines() -> None:
    _, result = _catalog(INSTALLED.read_bytes())
    owned: dict[str, str] = dict(result.owned_files)
    by_package: dict[str, set[str]] = {}
    for path, purl in owned.items():
        by_package.setdefault(purl.split("@")[0].rsplit("/", 1)[1], set()).add(path)
    assert by_package["musl-utils"] == {
        "sbin/ldconfig",
        "usr/bin/getconf",
        "usr/bin/getent",
        "usr/bin/iconv",
        "usr/bin/ldd",
    }
    assert by_package["libssl3"] == {"lib/libssl.so.3", "usr/lib/libssl.so.3"}
    assert by_package["zlib"] == {"lib/libz.so.1", "lib/libz.so.1.2.13"}
    assert len(by_package["alpine-baselayout"]) == 13
    assert "etc/passwd" in by_package["alpine-baselayout-data"]


def test_unknown_os_uses_alpine_namespace() -> None:
    packages, _ = _catalog(b"P:musl\nV:1.2.4-r2\nA:x86_64\n", os=None)
    assert packages == {("musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64", "musl", ())}


def test_wolfi_namespace_comes_from_the_os() -> None:
    packages, _ = _catalog(b"P:glibc\nV:2.38-r5\n", os=OperatingSystem("wolfi", "20230201"))
    assert {purl for _, _, purl, _, _ in packages} == {"pkg:apk/wolfi/glibc@2.38-r5?distro=wolfi-20230201"}


def test_malformed_records_become_unknowns_and_the_rest_is_read() -> None:
    content = (
        b"P:good\r\nV:1-r0\r\nA:x86_64\r\n\r\n\r\n"
        b"P:broken\nthis line has no colon\nV:2-r0\n\n"
        b"P:noversion\nA:x86_64\n\n"
        b"P:last\nV:3-r0\n"
    )
    packages, result = _catalog(content, os=None)
    assert {(name, version) for name, version, _, _, _ in packages} == {("good", "1-r0"), ("last", "3-r0")}
    assert set(result.unknowns) == {
        Unknown("/lib/apk/db/installed", "package at line 6: line 7: not a field", "apk"),
        Unknown("/lib/apk/db/installed", "package at line 10: no P (name) or V (version) field", "apk"),
    }


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xff\xfe\x00\x01", INSTALLED.read_bytes()[:1234]])
def test_junk_and_truncation_never_raise(content: bytes) -> None:
    _, result = _catalog(content)
    assert all(isinstance(u, Unknown) for u in result.unknowns)
