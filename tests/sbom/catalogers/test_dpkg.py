"""dpkg cataloger against a trimmed real Debian 12 status file, its .list files, and a distroless status.d."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from regwarden.model.sbom import OperatingSystem, Package, Unknown
from regwarden.sbom.catalogers.dpkg import DpkgCataloger, parse_paragraphs
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, FileRequest

TESTDATA = Path(__file__).parent / "testdata" / "dpkg"
DEBIAN_12 = OperatingSystem(id="debian", version_id="12", version_codename="bookworm")


def _wanted(request: FileRequest, path: str) -> bool:
    """The core's matching rule, as FileRequest documents it."""
    matched = (
        path.rpartition("/")[2] in request.basenames
        or path.endswith(request.suffixes)
        or path.startswith(request.directories)
    )
    return matched and (request.path_filter is None or request.path_filter(path))


def _files(root: Path) -> list[CatalogFile]:
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    files = [CatalogFile(p.relative_to(root).as_posix(), p.read_bytes()) for p in paths]
    return [file for file in files if _wanted(DpkgCataloger.request, file.path)]


def _summary(packages: Sequence[Package]) -> set[tuple[object, ...]]:
    return {(p.name, p.version, p.purl, p.source_name, p.source_version, p.epoch, p.arch) for p in packages}


def test_request_wants_exactly_the_dpkg_database_files() -> None:
    wanted = {
        "var/lib/dpkg/status",
        "var/lib/dpkg/status.d/libssl3",
        "var/lib/dpkg/status.d/libssl3.md5sums",
        "var/lib/dpkg/info/libc6:amd64.list",
    }
    unwanted = {
        "etc/apt/sources.list",
        "var/lib/dpkg/info/libc6:amd64.md5sums",
        "var/lib/dpkg/status-old",
        "usr/share/status",
        "var/lib/dpkg/status.d/sub/dir",
    }
    assert {p for p in wanted | unwanted if _wanted(DpkgCataloger.request, p)} == wanted


def test_real_status_file_packages() -> None:
    result = DpkgCataloger().catalog(_files(TESTDATA / "debian"), CatalogContext(operating_system=DEBIAN_12))
    d = "distro=debian-12"
    assert _summary(result.packages) == {
        (
            "base-files",
            "12.4+deb12u11",
            f"pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64&{d}",
            "base-files",
            "12.4+deb12u11",
            None,
            "amd64",
        ),
        (
            "bsdutils",
            "1:2.38.1-5+deb12u3",
            f"pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&{d}",
            "util-linux",
            "2.38.1-5+deb12u3",
            1,
            "amd64",
        ),
        (
            "gcc-12-base",
            "12.2.0-14+deb12u1",
            f"pkg:deb/debian/gcc-12-base@12.2.0-14%2Bdeb12u1?arch=amd64&{d}",
            "gcc-12",
            "12.2.0-14+deb12u1",
            None,
            "amd64",
        ),
        (
            "libbz2-1.0",
            "1.0.8-5+b1",
            f"pkg:deb/debian/libbz2-1.0@1.0.8-5%2Bb1?arch=amd64&{d}",
            "bzip2",
            "1.0.8-5",
            None,
            "amd64",
        ),
        (
            "libzstd1",
            "1.5.4+dfsg2-5",
            f"pkg:deb/debian/libzstd1@1.5.4%2Bdfsg2-5?arch=amd64&{d}",
            "libzstd",
            "1.5.4+dfsg2-5",
            None,
            "amd64",
        ),
        ("netbase", "6.4", f"pkg:deb/debian/netbase@6.4?arch=all&{d}", "netbase", "6.4", None, "all"),
        (
            "python3-yaml",
            "6.0-3+b2",
            f"pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&{d}",
            "pyyaml",
            "6.0-3",
            None,
            "amd64",
        ),
        (
            "readline-common",
            "8.2-1.3",
            f"pkg:deb/debian/readline-common@8.2-1.3?arch=all&{d}",
            "readline",
            "8.2-1.3",
            None,
            "all",
        ),
        (
            "sensible-utils",
            "0.0.17+nmu1",
            f"pkg:deb/debian/sensible-utils@0.0.17%2Bnmu1?arch=all&{d}",
            "sensible-utils",
            "0.0.17+nmu1",
            None,
            "all",
        ),
        (
            "zlib1g",
            "1:1.2.13.dfsg-1",
            f"pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&{d}",
            "zlib",
            "1:1.2.13.dfsg-1",
            1,
            "amd64",
        ),
    }
    assert result.unknowns == []
    assert {p.locations[0].path for p in result.packages} == {"/var/lib/dpkg/status"}


def test_owned_files_from_list_files_including_multiarch_names() -> None:
    result = DpkgCataloger().catalog(_files(TESTDATA / "debian"), CatalogContext(operating_system=DEBIAN_12))
    zlib = "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"
    # zlib1g's list is `zlib1g:amd64.list`; shared directories (usr, usr/share, ...) go to the first package.
    assert {path for path, purl in result.owned_files.items() if purl == zlib} == {
        "lib/x86_64-linux-gnu/libz.so.1.2.13",
        "lib/x86_64-linux-gnu/libz.so.1",
        "usr/share/doc/zlib1g",
        "usr/share/doc/zlib1g/changelog.Debian.gz",
        "usr/share/doc/zlib1g/changelog.gz",
        "usr/share/doc/zlib1g/copyright",
    }
    assert result.owned_files["usr"] == "pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64&distro=debian-12"
    yaml = "pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&distro=debian-12"
    assert result.owned_files["usr/lib/python3/dist-packages/yaml/__init__.py"] == yaml
    assert "." not in result.owned_files
    assert not any(path.startswith("/") for path in result.owned_files)
    # The deinstalled package's files are not claimed by anyone.
    assert not any("gdbm" in purl for purl in result.owned_files.values())


def test_owned_files_keep_only_existing_regular_files_when_the_core_lists_them() -> None:
    existing = frozenset(
        {
            "usr/share/doc/gcc-12-base/copyright",
            "usr/share/doc/gcc-12-base/TODO.Debian",
            "usr/lib/python3/dist-packages/yaml/__init__.py",
        }
    )
    context = CatalogContext(operating_system=DEBIAN_12, all_paths=existing)
    result = DpkgCataloger().catalog(_files(TESTDATA / "debian"), context)
    gcc_base = "pkg:deb/debian/gcc-12-base@12.2.0-14%2Bdeb12u1?arch=amd64&distro=debian-12"
    yaml = "pkg:deb/debian/python3-yaml@6.0-3%2Bb2?arch=amd64&distro=debian-12"
    assert result.owned_files == {
        "usr/share/doc/gcc-12-base/copyright": gcc_base,
        "usr/share/doc/gcc-12-base/TODO.Debian": gcc_base,
        "usr/lib/python3/dist-packages/yaml/__init__.py": yaml,
    }


def test_distroless_status_d_and_md5sums() -> None:
    result = DpkgCataloger().catalog(_files(TESTDATA / "distroless"), CatalogContext(operating_system=DEBIAN_12))
    d = "distro=debian-12"
    assert _summary(result.packages) == {
        (
            "libc6",
            "2.36-9+deb12u14",
            f"pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&{d}",
            "glibc",
            "2.36-9+deb12u14",
            None,
            "amd64",
        ),
        (
            "libssl3",
            "3.0.19-1~deb12u2",
            f"pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&{d}",
            "openssl",
            "3.0.19-1~deb12u2",
            None,
            "amd64",
        ),
        (
            "tzdata",
            "2025b-0+deb12u2",
            f"pkg:deb/debian/tzdata@2025b-0%2Bdeb12u2?arch=all&{d}",
            "tzdata",
            "2025b-0+deb12u2",
            None,
            "all",
        ),
        # A stanza without a Version is reported, without a version (and the purl without one).
        ("netbase", "", f"pkg:deb/debian/netbase?arch=all&{d}", "netbase", "", None, "all"),
    }
    assert {p.name: dict(p.metadata) for p in result.packages if p.metadata} == {
        "netbase": {"version_note": "the control paragraph has no Version"}
    }
    assert result.unknowns == []
    libssl = f"pkg:deb/debian/libssl3@3.0.19-1~deb12u2?arch=amd64&{d}"
    assert result.owned_files == dict.fromkeys(
        (
            "usr/lib/x86_64-linux-gnu/engines-3/afalg.so",
            "usr/lib/x86_64-linux-gnu/engines-3/loader_attic.so",
            "usr/lib/x86_64-linux-gnu/engines-3/padlock.so",
            "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
            "usr/lib/x86_64-linux-gnu/libssl.so.3",
            "usr/lib/x86_64-linux-gnu/ossl-modules/legacy.so",
            "usr/share/doc/libssl3/changelog.Debian.gz",
            "usr/share/doc/libssl3/changelog.gz",
            "usr/share/doc/libssl3/copyright",
        ),
        libssl,
    )
    assert {p.locations[0].path for p in result.packages} == {
        "/var/lib/dpkg/status.d/libc6",
        "/var/lib/dpkg/status.d/libssl3",
        "/var/lib/dpkg/status.d/tzdata",
        "/var/lib/dpkg/status.d/netbase",
    }


def test_unknown_os_uses_debian_namespace_without_distro() -> None:
    status = b"Package: curl\nStatus: install ok installed\nArchitecture: arm64\nVersion: 7.88.1-10\n"
    result = DpkgCataloger().catalog([CatalogFile("var/lib/dpkg/status", status)], CatalogContext())
    assert [p.purl for p in result.packages] == ["pkg:deb/debian/curl@7.88.1-10?arch=arm64"]


def test_ubuntu_namespace_comes_from_the_os() -> None:
    status = b"Package: bash\nStatus: install ok installed\nVersion: 5.1-6ubuntu1\n"
    context = CatalogContext(operating_system=OperatingSystem("ubuntu", "22.04"))
    result = DpkgCataloger().catalog([CatalogFile("var/lib/dpkg/status", status)], context)
    assert [p.purl for p in result.packages] == ["pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04"]


def test_states_crlf_continuations_and_a_malformed_paragraph() -> None:
    status = (
        b"\r\n\r\n"
        b"Package: half\r\nStatus: install ok half-configured\r\nVersion: 1.0\r\n"
        b"Description: first line\r\n more\r\n .\r\n\tlast\r\n\r\n\r\n\r\n"
        b"Package: gone\nStatus: deinstall ok config-files\nVersion: 2.0\n\n"
        b"Package: never\nStatus: purge ok not-installed\nVersion: 3.0\n\n"
        b"Package: broken\nthis is not a field\nVersion: 4.0\n\n"
        b" orphan continuation\nPackage: orphan\nVersion: 5\n\n"
        b"Package: noversion\nStatus: install ok installed\n\n"
        b"Package: badstatus\nStatus: installed\nVersion: 6\n\n"
        b"Package: fine\nStatus: install ok installed\nVersion: 7.0\nSource: upstream\n"
    )
    result = DpkgCataloger().catalog([CatalogFile("var/lib/dpkg/status", status)], CatalogContext())
    assert {(p.name, p.version, p.source_name, p.source_version) for p in result.packages} == {
        ("half", "1.0", "half", "1.0"),
        ("noversion", "", "noversion", ""),
        ("fine", "7.0", "upstream", "7.0"),
    }
    assert {p.name: dict(p.metadata) for p in result.packages} == {
        "half": {"dpkg_status": "half-configured"},
        "noversion": {"version_note": "the control paragraph has no Version"},
        "fine": {},
    }
    assert set(result.unknowns) == {
        Unknown("/var/lib/dpkg/status", "paragraph at line 21: line 22: not a field", "dpkg"),
        Unknown("/var/lib/dpkg/status", "paragraph at line 25: line 25: continuation line without a field", "dpkg"),
        Unknown(
            "/var/lib/dpkg/status",
            "paragraph at line 32: Status 'installed' is not 'want flag state'",
            "dpkg",
        ),
    }


def test_paragraph_fields_keep_continuation_lines() -> None:
    (paragraph,) = parse_paragraphs("Package: a\nDescription: short\n long one\n .\n")
    assert paragraph.line == 1
    assert dict(paragraph.fields) == {"Package": "a", "Description": "short\nlong one\n."}
    assert paragraph.error is None


@pytest.mark.parametrize("content", [b"", b"\n\n\n", b"\xff\xfe\x00\x01", b"Package"])
def test_junk_never_raises(content: bytes) -> None:
    result = DpkgCataloger().catalog([CatalogFile("var/lib/dpkg/status", content)], CatalogContext())
    assert list(result.packages) == []
    assert len(result.unknowns) == (1 if content.strip(b"\n") else 0)


def test_one_package_in_two_architectures_keeps_each_file_list() -> None:
    status = (
        b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9\n\n"
        b"Package: libc6\nStatus: install ok installed\nArchitecture: i386\nVersion: 2.36-9\n"
    )
    files = [
        CatalogFile("var/lib/dpkg/status", status),
        CatalogFile("var/lib/dpkg/info/libc6:amd64.list", b"/lib/x86_64-linux-gnu/libc.so.6\n"),
        CatalogFile("var/lib/dpkg/info/libc6:i386.list", b"/lib/i386-linux-gnu/libc.so.6\n"),
    ]
    result = DpkgCataloger().catalog(files, CatalogContext(operating_system=DEBIAN_12))
    assert result.owned_files == {
        "lib/x86_64-linux-gnu/libc.so.6": "pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12",
        "lib/i386-linux-gnu/libc.so.6": "pkg:deb/debian/libc6@2.36-9?arch=i386&distro=debian-12",
    }


def test_a_paragraph_without_a_package_name_is_an_unknown() -> None:
    status = b"Status: install ok installed\nVersion: 1.0\nArchitecture: amd64\n"
    result = DpkgCataloger().catalog([CatalogFile("var/lib/dpkg/status.d/mystery", status)], CatalogContext())
    assert list(result.packages) == []
    assert list(result.unknowns) == [
        Unknown("/var/lib/dpkg/status.d/mystery", "paragraph at line 1: no Package field", "dpkg")
    ]
