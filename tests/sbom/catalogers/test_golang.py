"""Go binaries built here by the real toolchain (ELF 64/32, stripped, PE, Mach-O), one from a Debian
package, and the pre-1.18 pointer layout written into a real binary's `.go.buildinfo` section."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from regwarden.model.sbom import Location, PackageType
from regwarden.sbom.catalogers.binfmt import parse_binary
from regwarden.sbom.catalogers.golang import BUILDINFO_MAGIC, GoBinaryCataloger
from regwarden.sbom.catalogers.interface import CatalogContext, CatalogFile, CatalogResult

TESTDATA = Path(__file__).parent / "testdata" / "golang"
DEBIAN_GO_BINARY = Path("/usr/bin/docker-registry")
# The 16 bytes the Go linker puts before and after the modinfo text.
SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")
LDFLAGS_MAIN = '-s -w -X "main.version=1.4.2" -X "main.revision=9eeb4a7" -X "main.built=2025-04-22 20:49:45"'
LDFLAGS_PACKAGE = (
    "-X example.com/greet.Version=9.9.9 -X example.com/app/internal/run.version=1.0.0-beta.56 "
    '-extldflags "-z noexecstack"'
)
APP = "example.com/app"


@dataclass(frozen=True)
class GoBuilds:
    go_version: str
    """`go env GOVERSION` without the `go` prefix, e.g. `1.19.8`."""
    binaries: dict[str, Path]


def _go(args: list[str], cwd: Path, **env: str) -> str:
    go = shutil.which("go")
    if go is None:
        pytest.fail("the Go toolchain (Debian package golang-go) is required to build the Go fixtures")
    # No network, no toolchain switching, no go.work from a parent: local replacements and vendoring only.
    fixed = {
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "CGO_ENABLED": "0",
    }
    scratch = Path(tempfile.gettempdir()) / "regwarden-go-tests"
    full_env = {**os.environ, **fixed, "GOPATH": str(scratch / "gopath")}
    if not {"GOCACHE", "XDG_CACHE_HOME", "HOME"} & os.environ.keys():
        full_env["GOCACHE"] = str(scratch / "cache")  # go refuses to build without a cache directory
    completed = subprocess.run(
        [go, *args], cwd=cwd, env={**full_env, **env}, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        pytest.fail(f"go {' '.join(args)} failed: {completed.stderr}")
    return completed.stdout


@pytest.fixture(scope="session")
def go_builds(tmp_path_factory: pytest.TempPathFactory) -> GoBuilds:
    work = tmp_path_factory.mktemp("go")
    shutil.copytree(TESTDATA, work, dirs_exist_ok=True)
    out = work / "bin"
    app = work / "app"
    builds = {
        "elf64": (app, ["build", "-o", str(out / "app")], {}),
        "stripped": (app, ["build", "-ldflags=-s -w", "-o", str(out / "app-stripped")], {}),
        "elf32": (app, ["build", "-o", str(out / "app-386")], {"GOARCH": "386"}),
        "elf64-big-endian": (app, ["build", "-o", str(out / "app-s390x")], {"GOARCH": "s390x"}),
        "elf32-big-endian": (app, ["build", "-o", str(out / "app-mips")], {"GOARCH": "mips"}),
        "pe": (app, ["build", "-o", str(out / "app.exe")], {"GOOS": "windows"}),
        "macho": (app, ["build", "-o", str(out / "app-darwin")], {"GOOS": "darwin"}),
        "vendored": (work / "vendored", ["build", "-o", str(out / "vendored")], {"GOFLAGS": "-mod=vendor"}),
        # The shapes release pipelines use: quoted -X values beside other flags, a variable of another package.
        "ldflags-main": (app, ["build", "-ldflags", LDFLAGS_MAIN, "-o", str(out / "app-stamped")], {}),
        "ldflags-package": (app, ["build", "-ldflags", LDFLAGS_PACKAGE, "-o", str(out / "app-package")], {}),
    }
    binaries = {}
    for key, (cwd, args, env) in builds.items():
        _go(args, cwd, **env)
        binaries[key] = Path(args[-1])
    version = _go(["env", "GOVERSION"], work).strip().removeprefix("go")
    return GoBuilds(version, binaries)


def _catalog(*files: tuple[str, bytes]) -> CatalogResult:
    return GoBinaryCataloger().catalog([CatalogFile(p, c, 0o755) for p, c in files], CatalogContext())


def _triples(result: CatalogResult) -> set[tuple[str, str, str]]:
    return {(p.name, p.version, p.purl) for p in result.packages}


def _stdlib(version: str) -> tuple[str, str, str]:
    return ("stdlib", version, f"pkg:golang/stdlib@{version}")


@pytest.mark.parametrize(
    ("build", "goos", "goarch"),
    [
        ("elf64", "linux", "amd64"),
        ("stripped", "linux", "amd64"),
        ("elf32", "linux", "386"),
        ("elf64-big-endian", "linux", "s390x"),
        ("elf32-big-endian", "linux", "mips"),
        ("pe", "windows", "amd64"),
        ("macho", "darwin", "amd64"),
    ],
)
def test_module_with_a_local_replacement(go_builds: GoBuilds, build: str, goos: str, goarch: str) -> None:
    result = _catalog(("usr/local/bin/app", go_builds.binaries[build].read_bytes()))

    # The `(devel)` main module is reported without a version; a locally replaced dependency keeps its module path.
    assert _triples(result) == {
        (APP, "", f"pkg:golang/{APP}"),
        ("example.com/greet", "v0.1.0", "pkg:golang/example.com/greet@v0.1.0"),
        _stdlib(go_builds.go_version),
    }
    assert result.unknowns == ()
    greet = next(p for p in result.packages if p.name == "example.com/greet")
    stdlib = next(p for p in result.packages if p.name == "stdlib")
    main = next(p for p in result.packages if p.name == APP)
    assert (greet.type, stdlib.type, main.type) == (PackageType.GOLANG, PackageType.GO_STDLIB, PackageType.GOLANG)
    assert greet.locations == (Location("/usr/local/bin/app"),)
    assert greet.metadata["replaced_by"] == "../greet"
    assert (stdlib.metadata["GOOS"], stdlib.metadata["GOARCH"]) == (goos, goarch)
    assert stdlib.metadata["main_path"] == APP
    assert _about_main(result) == {
        "role": "main module",
        "version_note": "(devel): built from a source tree, no release version recorded",
    }


def _about_main(result: CatalogResult) -> dict[str, str]:
    """The main module's own metadata (without the build facts every package of the binary shares)."""
    main = next(p for p in result.packages if p.metadata.get("role") == "main module")
    shared = {"GOOS", "GOARCH", "go_version", "main_path", "vcs.revision", "vcs.time", "vcs.modified"}
    return {key: value for key, value in main.metadata.items() if key not in shared}


def test_dependency_replaced_by_another_module_reports_the_replacement(go_builds: GoBuilds) -> None:
    result = _catalog(("app", go_builds.binaries["vendored"].read_bytes()))

    assert _triples(result) == {
        ("example.com/vendored", "", "pkg:golang/example.com/vendored"),
        ("example.com/new", "v1.2.0", "pkg:golang/example.com/new@v1.2.0"),
        _stdlib(go_builds.go_version),
    }
    assert result.unknowns == ()
    new = next(p for p in result.packages if p.name == "example.com/new")
    assert (new.metadata["replaces"], "replaced_by" in new.metadata) == ("example.com/old@v1.0.0", False)


def test_main_module_version_stamped_with_ldflags(go_builds: GoBuilds) -> None:
    result = _catalog(("usr/local/bin/app", go_builds.binaries["ldflags-main"].read_bytes()))

    assert _triples(result) == {
        (APP, "v1.4.2", f"pkg:golang/{APP}@v1.4.2"),
        ("example.com/greet", "v0.1.0", "pkg:golang/example.com/greet@v0.1.0"),
        _stdlib(go_builds.go_version),
    }
    assert _about_main(result) == {"role": "main module", "version_from": "-X main.version"}


def test_a_version_variable_of_the_main_modules_own_package_wins_over_a_dependencys(go_builds: GoBuilds) -> None:
    result = _catalog(("usr/local/bin/app", go_builds.binaries["ldflags-package"].read_bytes()))

    main = next(p for p in result.packages if p.name == APP)
    assert (main.version, main.purl) == ("v1.0.0-beta.56", f"pkg:golang/{APP}@v1.0.0-beta.56")
    assert _about_main(result) == {"role": "main module", "version_from": f"-X {APP}/internal/run.version"}


def _expected_from_go_version_m(binary: Path) -> set[tuple[str, str, str]]:
    """What `go version -m` says is in a binary, for the dep lines and the toolchain (the oracle)."""
    text = _go(["version", "-m", str(binary)], binary.parent)
    first, *lines = text.splitlines()
    version = first.rsplit(" ", 1)[1].removeprefix("go")
    modules: list[tuple[str, str]] = []
    for line in lines:
        fields = line.strip().split("\t")
        if fields[0] == "dep":
            modules.append((fields[1], fields[2]))
        elif fields[0] == "=>" and len(fields) > 2 and fields[2] != "(devel)":
            modules[-1] = (fields[1], fields[2])
    expected = {(path, v, f"pkg:golang/{path}@{v}") for path, v in modules}
    return expected | {_stdlib(version)}


def test_go_binary_from_a_debian_package() -> None:
    assert DEBIAN_GO_BINARY.is_file(), "Debian package docker-registry must be installed"

    result = _catalog(("usr/bin/docker-registry", DEBIAN_GO_BINARY.read_bytes()))

    assert _triples(result) == _expected_from_go_version_m(DEBIAN_GO_BINARY)
    assert result.unknowns == ()
    assert {p.metadata["main_path"] for p in result.packages} == {"github.com/docker/distribution/cmd/registry"}


def _with_pointer_buildinfo(binary: bytes, version: bytes, modinfo: bytes) -> bytes:
    """Rewrite `.go.buildinfo` in the Go 1.13-1.17 layout: pointers to string headers pointing to the data."""
    parsed = parse_binary(binary)
    section = parsed.section(".go.buildinfo") if parsed is not None else None
    assert section is not None
    base = section.address
    version_data, modinfo_data = base + 64, base + 64 + len(version)
    content = (
        BUILDINFO_MAGIC
        + bytes([8, 0])  # pointer size 8, little endian, no inline strings
        + struct.pack("<QQ", base + 32, base + 48)
        + struct.pack("<QQ", version_data, len(version))
        + struct.pack("<QQ", modinfo_data, len(modinfo))
        + version
        + modinfo
    )
    assert len(content) <= section.size
    end = section.offset + section.size
    return binary[: section.offset] + content.ljust(section.size, b"\0") + binary[end:]


def test_pointer_layout_of_go_1_13_to_1_17(go_builds: GoBuilds) -> None:
    text = b"path\texample.com/legacy\nmod\texample.com/legacy\tv1.4.0\th1:a=\ndep\tgolang.org/x/text\tv0.3.7\th1:b=\n"
    binary = _with_pointer_buildinfo(
        go_builds.binaries["elf64"].read_bytes(), b"go1.16.15", SENTINEL_START + text + SENTINEL_END
    )

    result = _catalog(("legacy", binary))

    # A released main module (not `(devel)`) keeps its version.
    assert _triples(result) == {
        ("example.com/legacy", "v1.4.0", "pkg:golang/example.com/legacy@v1.4.0"),
        ("golang.org/x/text", "v0.3.7", "pkg:golang/golang.org/x/text@v0.3.7"),
        _stdlib("1.16.15"),
    }
    assert result.unknowns == ()


def test_pointer_into_unmapped_memory_is_unknown(go_builds: GoBuilds) -> None:
    binary = bytearray(_with_pointer_buildinfo(go_builds.binaries["elf64"].read_bytes(), b"go1.16", b""))
    magic_at = binary.find(BUILDINFO_MAGIC)
    binary[magic_at + 16 : magic_at + 24] = struct.pack("<Q", 0x7FFF_0000_0000)

    result = _catalog(("legacy", bytes(binary)))

    assert result.packages == ()
    assert [(u.path, u.cataloger) for u in result.unknowns] == [("/legacy", "go-binary")]
    assert "not mapped" in result.unknowns[0].reason


def test_corrupt_inline_build_info_is_unknown(go_builds: GoBuilds) -> None:
    binary = bytearray(go_builds.binaries["elf64"].read_bytes())
    magic_at = binary.find(BUILDINFO_MAGIC)
    binary[magic_at + 32 : magic_at + 36] = b"\xff\xff\xff\x7f"  # a version string of 268 MB

    result = _catalog(("usr/bin/broken", bytes(binary)))

    assert result.packages == ()
    assert [(u.path, u.cataloger) for u in result.unknowns] == [("/usr/bin/broken", "go-binary")]
    assert "runs past the end" in result.unknowns[0].reason


def test_without_section_headers_the_writable_segment_is_searched(go_builds: GoBuilds) -> None:
    binary = bytearray(go_builds.binaries["elf64"].read_bytes())
    # What sstrip does: no section header table (e_shoff, e_shnum, e_shstrndx = 0), program headers kept.
    binary[0x28:0x30] = bytes(8)
    binary[0x3C:0x40] = bytes(4)
    parsed = parse_binary(bytes(binary))
    assert parsed is not None and parsed.sections == ()

    result = _catalog(("app", bytes(binary)))

    assert _triples(result) == {
        (APP, "", f"pkg:golang/{APP}"),
        ("example.com/greet", "v0.1.0", "pkg:golang/example.com/greet@v0.1.0"),
        _stdlib(go_builds.go_version),
    }


def test_files_that_are_not_go_are_silently_skipped(go_builds: GoBuilds) -> None:
    python = Path(sys.executable).resolve().read_bytes()
    go_binary = go_builds.binaries["elf64"].read_bytes()
    result = _catalog(
        ("usr/bin/python3", python),
        ("usr/bin/script.sh", b"#!/bin/sh\necho hello\n"),
        ("usr/bin/empty", b""),
        ("usr/bin/dos", b"MZ this is not a PE file at all"),
        ("usr/bin/truncated-elf", python[:40]),
        ("usr/bin/truncated-go", go_binary[:4096]),
    )

    assert result.packages == ()
    assert result.unknowns == ()


def test_requests_executables_only() -> None:
    request = GoBinaryCataloger().request

    assert request.executables
    assert (request.basenames, request.suffixes, request.directories) == (frozenset(), (), ())
