"""Chisel cataloger against a hand-written manifest of an Ubuntu 24.04 chiselled image (see testdata/chisel)."""

from __future__ import annotations

from pathlib import Path

import pytest
import zstandard

from regwarden.model.sbom import OperatingSystem, PackageType, Unknown
from regwarden.sbom.catalogers.chisel import MANIFEST_PATH, ChiselCataloger
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult

MANIFEST = (Path(__file__).parent / "testdata" / "chisel" / "manifest.wall.json").read_bytes()
UBUNTU = OperatingSystem(id="ubuntu", version_id="24.04", version_codename="noble")
Q = "arch=amd64&distro=ubuntu-24.04"


def _catalog(content: bytes, os: OperatingSystem | None = UBUNTU) -> CatalogResult:
    return ChiselCataloger().catalog([CatalogFile(MANIFEST_PATH, content)], CatalogContext(operating_system=os))


def test_request_wants_only_the_manifest() -> None:
    paths = {MANIFEST_PATH, "var/lib/chisel/other.wall", "srv/var/lib/chisel/manifest.wall", "manifest.wall"}
    assert {p for p in paths if ChiselCataloger.request.wants(p, 0o644)} == {MANIFEST_PATH}


def test_packages_of_a_compressed_manifest() -> None:
    result = _catalog(zstandard.ZstdCompressor().compress(MANIFEST))
    assert {(p.name, p.version, p.purl, p.arch, p.epoch, p.source_name) for p in result.packages} == {
        ("base-files", "13ubuntu10.1", f"pkg:deb/ubuntu/base-files@13ubuntu10.1?{Q}", "amd64", None, None),
        ("libc6", "2.39-0ubuntu8.3", f"pkg:deb/ubuntu/libc6@2.39-0ubuntu8.3?{Q}", "amd64", None, None),
        ("libssl3t64", "3.0.13-0ubuntu3.4", f"pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.4?{Q}", "amd64", None, None),
        ("zlib1g", "1:1.3.dfsg-3.1ubuntu2.1", f"pkg:deb/ubuntu/zlib1g@1:1.3.dfsg-3.1ubuntu2.1?{Q}", "amd64", 1, None),
    }
    assert {(p.type, p.cataloger, p.locations[0].path) for p in result.packages} == {
        (PackageType.DEB, "chisel", "/var/lib/chisel/manifest.wall")
    }
    assert result.unknowns == []


def test_owned_files_are_the_regular_files_of_each_slice() -> None:
    result = _catalog(zstandard.ZstdCompressor().compress(MANIFEST))
    assert dict(result.owned_files) == {
        "usr/lib/os-release": f"pkg:deb/ubuntu/base-files@13ubuntu10.1?{Q}",
        "usr/lib/x86_64-linux-gnu/libc.so.6": f"pkg:deb/ubuntu/libc6@2.39-0ubuntu8.3?{Q}",
        "usr/lib/x86_64-linux-gnu/libssl.so.3": f"pkg:deb/ubuntu/libssl3t64@3.0.13-0ubuntu3.4?{Q}",
        "usr/lib/x86_64-linux-gnu/libz.so.1.3": f"pkg:deb/ubuntu/zlib1g@1:1.3.dfsg-3.1ubuntu2.1?{Q}",
    }


def test_uncompressed_manifest_reads_the_same() -> None:
    compressed = _catalog(zstandard.ZstdCompressor().compress(MANIFEST))
    assert set(_catalog(MANIFEST).packages) == set(compressed.packages)


def test_package_entry_without_version_is_an_unknown_and_the_rest_is_read() -> None:
    content = MANIFEST + b'{"kind":"package","name":"broken","arch":"amd64"}\n'
    result = _catalog(content, os=None)
    assert {p.name for p in result.packages} == {"base-files", "libc6", "libssl3t64", "zlib1g"}
    assert result.unknowns == [
        Unknown("/var/lib/chisel/manifest.wall", "line 18: package entry without a name or version", "chisel")
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "line 1: invalid JSON"),
        (b'{"kind":"package","name":"x","version":"1"}\n', "not a jsonwall manifest"),
        (MANIFEST.replace(b'{"kind":"slice","name":"libc6_libs"}', b"{not json"), "line 17: invalid JSON"),
        (b'{"jsonwall":"1.0"}\n["a list"]\n', "line 2: not a JSON object"),
        (zstandard.ZstdCompressor().compress(MANIFEST)[:40], "corrupt zstd data"),
        (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "corrupt zstd data"),
    ],
)
def test_unreadable_manifest_is_one_unknown(content: bytes, reason: str) -> None:
    result = _catalog(content)
    assert list(result.packages) == []
    assert len(result.unknowns) == 1
    assert (result.unknowns[0].path, result.unknowns[0].cataloger) == ("/var/lib/chisel/manifest.wall", "chisel")
    assert result.unknowns[0].reason.startswith(reason)


def test_zstd_bomb_is_refused() -> None:
    bomb = zstandard.ZstdCompressor().compress(b'{"jsonwall":"1.0"}\n' + b" " * (64 * 1024 * 1024 + 10))
    result = _catalog(bomb)
    assert list(result.packages) == []
    assert [u.reason for u in result.unknowns] == ["manifest inflates to more than 67108864 bytes"]
