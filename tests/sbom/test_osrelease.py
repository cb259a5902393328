"""OS identity from os-release and the distributions' fallback release files."""

from __future__ import annotations

from pathlib import Path

import pytest

from regwarden.model.sbom import OperatingSystem
from regwarden.sbom.osrelease import (
    OS_RELEASE_PATHS,
    detect_operating_system,
    distro_qualifier,
    parse_os_release,
)

DEBIAN_12 = Path(__file__).parent / "catalogers" / "testdata" / "osrelease" / "debian-12"


def test_real_debian_os_release() -> None:
    files = {
        "etc/os-release": (DEBIAN_12 / "etc" / "os-release").read_bytes(),
        "etc/debian_version": (DEBIAN_12 / "etc" / "debian_version").read_bytes(),
    }
    assert detect_operating_system(files) == OperatingSystem(
        id="debian",
        version_id="12",
        pretty_name="Debian GNU/Linux 12 (bookworm)",
        version_codename="bookworm",
    )


def test_quoting_escapes_and_comments_follow_the_spec() -> None:
    text = (
        "# a comment line\n"
        "\n"
        "NAME='Single $quoted \\n'\n"
        'PRETTY_NAME="Say \\"hi\\" \\$HOME \\\\ \\q"\n'
        "ID=plain\n"
        "VERSION=unquoted\\ with\\ escapes\n"
        'ID_LIKE="rhel centos fedora"\n'
        "  INDENTED=yes\n"
        "not an assignment\n"
        "lower_case=ok\n"
        "1BAD=key\n"
        "MIXED=\"con\"cat'enated'\n"
    )
    assert parse_os_release(text) == {
        "NAME": "Single $quoted \\n",
        "PRETTY_NAME": 'Say "hi" $HOME \\ \\q',
        "ID": "plain",
        "VERSION": "unquoted with escapes",
        "ID_LIKE": "rhel centos fedora",
        "INDENTED": "yes",
        "lower_case": "ok",
        "MIXED": "concatenated",
    }


def test_os_release_with_crlf_and_id_like() -> None:
    files = {"etc/os-release": b'ID="rocky"\r\nVERSION_ID="9.3"\r\nID_LIKE="rhel centos fedora"\r\n'}
    assert detect_operating_system(files) == OperatingSystem(
        id="rocky", version_id="9.3", id_like=("rhel", "centos", "fedora")
    )


def test_os_release_with_a_byte_order_mark() -> None:
    files = {"etc/os-release": b'\xef\xbb\xbfID=ubuntu\nVERSION_ID="22.04"\n'}
    assert detect_operating_system(files) == OperatingSystem(id="ubuntu", version_id="22.04")
    assert detect_operating_system({"etc/alpine-release": b"\xef\xbb\xbf3.19.1\n"}) == OperatingSystem(
        id="alpine", version_id="3.19.1"
    )


def test_etc_os_release_wins_over_usr_lib() -> None:
    files = {"etc/os-release": b"ID=alpine\nVERSION_ID=3.19.1\n", "usr/lib/os-release": b"ID=debian\n"}
    assert detect_operating_system(files) == OperatingSystem(id="alpine", version_id="3.19.1")
    assert detect_operating_system({"usr/lib/os-release": b"ID=Ubuntu\nVERSION_ID=22.04\n"}) == OperatingSystem(
        id="ubuntu", version_id="22.04"
    )


def test_debian_sid_os_release_takes_codename_from_debian_version() -> None:
    files = {
        "etc/os-release": b'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\n',
        "etc/debian_version": b"trixie/sid\n",
    }
    assert detect_operating_system(files) == OperatingSystem(
        id="debian", version_id=None, pretty_name="Debian GNU/Linux trixie/sid", version_codename="trixie"
    )


def test_os_release_without_id_falls_back_to_release_files() -> None:
    files = {"etc/os-release": b"NAME=nothing\n", "etc/alpine-release": b"3.19.1\n"}
    assert detect_operating_system(files) == OperatingSystem(id="alpine", version_id="3.19.1")


@pytest.mark.parametrize(
    ("path", "content", "expected"),
    [
        ("etc/debian_version", b"12.5\n", OperatingSystem(id="debian", version_id="12.5")),
        (
            "etc/debian_version",
            b"bookworm/sid\n",
            OperatingSystem(id="debian", version_id=None, version_codename="bookworm"),
        ),
        ("etc/alpine-release", b"3.19.1\n", OperatingSystem(id="alpine", version_id="3.19.1")),
        (
            "etc/redhat-release",
            b"Red Hat Enterprise Linux release 8.9 (Ootpa)\n",
            OperatingSystem("rhel", "8.9", pretty_name="Red Hat Enterprise Linux release 8.9 (Ootpa)"),
        ),
        (
            "etc/centos-release",
            b"CentOS Linux release 7.9.2009 (Core)\n",
            OperatingSystem("centos", "7.9.2009", pretty_name="CentOS Linux release 7.9.2009 (Core)"),
        ),
        (
            "etc/rocky-release",
            b"Rocky Linux release 9.3 (Blue Onyx)\n",
            OperatingSystem("rocky", "9.3", pretty_name="Rocky Linux release 9.3 (Blue Onyx)"),
        ),
        (
            "etc/almalinux-release",
            b"AlmaLinux release 8.9 (Midnight Oncilla)\n",
            OperatingSystem("almalinux", "8.9", pretty_name="AlmaLinux release 8.9 (Midnight Oncilla)"),
        ),
        (
            "etc/system-release",
            b"Amazon Linux release 2 (Karoo)\n",
            OperatingSystem("amzn", "2", pretty_name="Amazon Linux release 2 (Karoo)"),
        ),
    ],
)
def test_fallback_release_files(path: str, content: bytes, expected: OperatingSystem) -> None:
    assert path in OS_RELEASE_PATHS
    assert detect_operating_system({path: content}) == expected


def test_centos_release_is_preferred_over_its_redhat_release_link() -> None:
    files = {
        "etc/redhat-release": b"Unrecognised text\n",
        "etc/centos-release": b"CentOS Stream release 8\n",
    }
    assert detect_operating_system(files) == OperatingSystem("centos", "8", pretty_name="CentOS Stream release 8")


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"etc/os-release": b""},
        {"etc/os-release": b"\xff\xfe\x00garbage"},
        {"etc/redhat-release": b"Some Unknown OS release 1.0\n"},
        {"etc/system-release": b"no release word here\n"},
    ],
)
def test_nothing_recognisable_is_none(files: dict[str, bytes]) -> None:
    assert detect_operating_system(files) is None


def test_distro_qualifier() -> None:
    assert distro_qualifier(OperatingSystem("debian", "12")) == "debian-12"
    assert distro_qualifier(OperatingSystem("debian", None, version_codename="trixie")) == "debian"
    assert distro_qualifier(None) is None
