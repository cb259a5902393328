"""Reading SBOM files: regwarden's own output round-trips exactly; Syft and Trivy files read right; hostile
input is a BadInputError, never a traceback."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from regwarden.collect.sbomfile.read import read_sbom_file
from regwarden.model.errors import BadInputError, ExitCode
from regwarden.model.sbom import OperatingSystem, Package, PackageType, Sbom
from regwarden.report.cyclonedx import render_cyclonedx_json, render_cyclonedx_xml
from regwarden.report.sbom_json import render_sbom_json
from regwarden.report.spdx import render_spdx_json
from tests.report.sbom_fixture import SBOM

FOREIGN = Path(__file__).parent / "testdata" / "sbom_files"
RENDERERS: dict[str, Callable[[Sbom], bytes]] = {
    "cyclonedx-json": render_cyclonedx_json,
    "cyclonedx-xml": render_cyclonedx_xml,
    "spdx-json": render_spdx_json,
    "regwarden-json": render_sbom_json,
}
MINIMAL = Sbom(source="dir:/srv/app", packages=(), tool_version="0.1.0", created="2024-05-01T12:00:00+00:00")


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _identity(sbom: Sbom) -> set[tuple[str, str, str, PackageType]]:
    return {(p.name, p.version, p.purl, p.type) for p in sbom.packages}


# --- regwarden's own output: read(render(x)) == x


@pytest.mark.parametrize("output_format", RENDERERS)
@pytest.mark.parametrize("sbom", [SBOM, MINIMAL], ids=["image", "minimal"])
def test_round_trip_is_exact(tmp_path: Path, output_format: str, sbom: Sbom) -> None:
    back = read_sbom_file(_write(tmp_path, "sbom", RENDERERS[output_format](sbom)))
    assert set(back.packages) == set(sbom.packages)
    assert len(back.packages) == len(sbom.packages)
    for field in dataclasses.fields(Sbom):
        if field.name != "packages":
            assert getattr(back, field.name) == getattr(sbom, field.name), field.name


@pytest.mark.parametrize("output_format", RENDERERS)
@pytest.mark.parametrize("purl", ["pkg:golang/a%2/tool@1.0", "pkg:golang/@1.0"], ids=["re-encoded", "unparseable"])
def test_round_trip_keeps_a_purl_as_written(tmp_path: Path, output_format: str, purl: str) -> None:
    odd = Package("tool", "1.0", PackageType.GOLANG, purl, "go-module-binary")
    sbom = dataclasses.replace(MINIMAL, packages=(odd,))
    assert read_sbom_file(_write(tmp_path, "sbom", RENDERERS[output_format](sbom))).packages == (odd,)


@pytest.mark.parametrize("output_format", RENDERERS)
def test_round_trip_keeps_package_metadata_and_licence_order(tmp_path: Path, output_format: str) -> None:
    back = read_sbom_file(_write(tmp_path, "sbom", RENDERERS[output_format](SBOM)))
    by_purl = {p.purl: p for p in back.packages}
    assert {p.purl: dict(p.metadata) for p in SBOM.packages} == {purl: dict(p.metadata) for purl, p in by_purl.items()}
    assert {p.purl: p.licenses for p in SBOM.packages} == {purl: p.licenses for purl, p in by_purl.items()}


# --- SBOMs written by other tools


def test_syft_cyclonedx_json() -> None:
    sbom = read_sbom_file(FOREIGN / "syft-alpine.cdx.json")
    assert _identity(sbom) == {
        (
            "musl",
            "1.2.4_git20230717-r4",
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl&distro=alpine-3.19.1",
            PackageType.APK,
        ),
        (
            "busybox",
            "1.36.1-r15",
            "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.19.1",
            PackageType.APK,
        ),
        ("requests", "2.31.0", "pkg:pypi/requests@2.31.0", PackageType.PYPI),
        ("@types/node", "20.10.0", "pkg:npm/%40types/node@20.10.0", PackageType.NPM),
    }
    musl = next(p for p in sbom.packages if p.name == "musl")
    assert (musl.source_name, musl.arch, musl.cataloger, musl.licenses) == (
        "musl",
        "x86_64",
        "apk-db-cataloger",
        ("MIT",),
    )
    assert musl.cpes == ("cpe:2.3:a:musl-libc:musl:1.2.4_git20230717-r4:*:*:*:*:*:*:*",)
    assert (sbom.source, sbom.image_digest, sbom.created) == (
        "python:3.12-alpine3.19",
        "sha256:5c4a3f1e2d0b9a8c7e6f5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a",
        "2024-03-05T10:12:30+00:00",
    )
    assert sbom.operating_system == OperatingSystem("alpine", "3.19.1", pretty_name="Alpine Linux v3.19")
    assert (sbom.unknowns, sbom.layers, sbom.tool_version) == ((), (), None)


def test_trivy_cyclonedx_json() -> None:
    sbom = read_sbom_file(FOREIGN / "trivy-debian.cdx.json")
    assert _identity(sbom) == {
        (
            "libc6",
            "2.36-9+deb12u4",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5",
            PackageType.DEB,
        ),
        (
            "login",
            "1:4.13+dfsg1-1+b1",
            "pkg:deb/debian/login@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.5&epoch=1",
            PackageType.DEB,
        ),
        ("github.com/gorilla/mux", "v1.8.0", "pkg:golang/github.com/gorilla/mux@v1.8.0", PackageType.GOLANG),
        (
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            PackageType.MAVEN,
        ),
    }
    source = {p.name: (p.source_name, p.source_version, p.epoch) for p in sbom.packages if p.type is PackageType.DEB}
    assert source == {"libc6": ("glibc", "2.36-9+deb12u4", None), "login": ("shadow", "1:4.13+dfsg1-1", 1)}
    assert next(p for p in sbom.packages if p.name == "libc6").licenses == ("LGPL-2.1", "GPL-2.0")
    assert (sbom.source, sbom.image_digest) == ("registry.example.com/shop/app:2.0", None)
    assert sbom.operating_system == OperatingSystem("debian", "12.5")


def test_syft_spdx_json() -> None:
    sbom = read_sbom_file(FOREIGN / "syft-debian.spdx.json")
    assert _identity(sbom) == {
        (
            "libc6",
            "2.36-9+deb12u4",
            "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12",
            PackageType.DEB,
        ),
        (
            "tzdata",
            "2024a-0+deb12u1",
            "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
            PackageType.DEB,
        ),
        ("stdlib", "go1.21.5", "pkg:golang/stdlib@1.21.5", PackageType.GO_STDLIB),
    }
    libc = next(p for p in sbom.packages if p.name == "libc6")
    assert (libc.source_name, libc.licenses) == ("glibc", ("GPL-2.0-only AND LGPL-2.1-only",))
    assert libc.cpes == ("cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*",)
    assert (sbom.source, sbom.created, sbom.tool_version) == (
        "debian:12-slim",
        "2024-03-05T10:15:02+00:00",
        None,
    )
    assert sbom.image_digest == "sha256:7a1f4b9c2e8d3f6a0b5c9e2d7f1a4b8c3e6d9f2a5b8c1e4d7f0a3b6c9e2d5f8a"


@pytest.mark.parametrize("output_format", RENDERERS)
@pytest.mark.parametrize("name", ["syft-alpine.cdx.json", "trivy-debian.cdx.json", "syft-debian.spdx.json"])
def test_a_foreign_sbom_converts_to_every_format_without_loss(tmp_path: Path, output_format: str, name: str) -> None:
    foreign = read_sbom_file(FOREIGN / name)
    back = read_sbom_file(_write(tmp_path, "converted", RENDERERS[output_format](foreign)))
    assert set(back.packages) == set(foreign.packages)
    # regwarden wrote the converted file, so it names itself as the tool; everything else is kept.
    assert dataclasses.replace(back, packages=(), tool_version=None) == dataclasses.replace(foreign, packages=())


def test_a_foreign_library_without_purl_is_reported_not_dropped(tmp_path: Path) -> None:
    document = '{"bomFormat": "CycloneDX", "components": [{"type": "library", "name": "vendored-zlib"}]}'
    sbom = read_sbom_file(_write(tmp_path, "bom.json", document))
    assert sbom.packages == ()
    assert [(u.path, u.cataloger) for u in sbom.unknowns] == [("vendored-zlib", "sbom-file")]


# --- hostile and broken input

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">
<name>&lol9;</name><purl>pkg:npm/lol@1.0.0</purl></component></components></bom>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">
<name>&secret;</name><purl>pkg:npm/x@1.0.0</purl></component></components></bom>
"""
CDX_WITH_PURL = '{{"bomFormat": "CycloneDX", "components": [{{"type": "library", "name": "x", "purl": {purl}}}]}}'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('{"bomFormat": "CycloneDX", "components": [', "not valid JSON or XML", id="malformed-json"),
        pytest.param(b"\xff\xfe\x00garbage", "not valid JSON or XML", id="binary"),
        pytest.param("", "not valid JSON or XML", id="empty"),
        pytest.param("[" * 100_000, "nested too deeply", id="deep-nesting"),
        pytest.param(
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>'
            + '<component type="library"><name>n</name><components>' * 5000
            + "</components></component>" * 5000
            + "</components></bom>",
            "nested too deeply",
            id="deep-xml-components",
        ),
        pytest.param(BILLION_LAUGHS, "refused hostile XML", id="billion-laughs"),
        pytest.param(EXTERNAL_ENTITY, "refused hostile XML", id="external-entity"),
        pytest.param("<bom><components></bom>", "not well-formed XML", id="malformed-xml"),
        pytest.param("<html><body/></html>", "is not a CycloneDX bom", id="xml-not-cyclonedx"),
        pytest.param('{"name": "not an sbom"}', "neither CycloneDX", id="json-not-sbom"),
        pytest.param('["a list"]', "must be a JSON object", id="json-list"),
        pytest.param(
            CDX_WITH_PURL.format(purl='"pkg:github/acme/tool@1.0"'),
            "unsupported package type 'github'",
            id="unknown-purl-type",
        ),
        pytest.param(CDX_WITH_PURL.format(purl='"pkg:npm"'), "component 'x'", id="unparseable-purl"),
        pytest.param(CDX_WITH_PURL.format(purl='{"type": "npm"}'), "expected a string", id="purl-not-a-string"),
        pytest.param(
            '{"bomFormat": "CycloneDX", "components": "many"}',
            "components must be a list",
            id="components-not-list",
        ),
        pytest.param(
            '{"bomFormat": "CycloneDX", "metadata": {"component": {"properties": '
            '[{"name": "regwarden:image:layer:0:digest", "value": "sha256:a"}, '
            '{"name": "regwarden:image:layer:0:index", "value": "top"}]}}}',
            "must be an integer",
            id="bad-layer-index",
        ),
        pytest.param(
            '{"schema": "https://regwarden.dev/schema/sbom/v1", "source": "x", "packages": [{"name": "a"}]}',
            "packages[0] has no type",
            id="native-package-without-type",
        ),
        pytest.param(
            '{"schema": "https://regwarden.dev/schema/sbom/v1", "source": "x", "packages": [], "layers": '
            '[{"index": "0", "digest": "sha256:a"}]}',
            "layers.index must be an integer",
            id="native-layer-index-not-int",
        ),
        pytest.param(
            '{"schema": "https://regwarden.dev/schema/sbom/v1", "source": "x", "packages": [{"name": "a", '
            '"type": "cobol", "purl": "pkg:cobol/a@1", "cataloger": "c"}]}',
            "'cobol' is not a valid PackageType",
            id="native-unknown-type",
        ),
        pytest.param(
            '{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-A", "name": "a", '
            '"annotations": [{"comment": "regwarden-properties:{not json"}]}]}',
            "corrupt regwarden annotation",
            id="spdx-corrupt-annotation",
        ),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = _write(tmp_path, "input.sbom", content)
    with pytest.raises(BadInputError, match=r"input\.sbom") as caught:
        read_sbom_file(path)
    assert message in str(caught.value)
    assert caught.value.exit_code is ExitCode.BAD_INPUT


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="cannot read SBOM file"):
        read_sbom_file(tmp_path / "absent.json")
