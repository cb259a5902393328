"""cargo-auditable data in a real, stripped Rust executable (testdata/rust/build.sh rebuilds it)."""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

import pytest

from regwarden.model.sbom import Location, PackageType
from regwarden.sbom.catalogers.binfmt import parse_binary
from regwarden.sbom.catalogers.interface import CatalogContext, Cataloger, CatalogFile, CatalogResult
from regwarden.sbom.catalogers.rust import AuditDataError, CargoAuditableCataloger, parse_audit_data

TESTDATA = Path(__file__).parent / "testdata" / "rust"
BINARY = TESTDATA / "hello-auditable"


def _catalog(*files: tuple[str, bytes]) -> CatalogResult:
    cataloger: Cataloger = CargoAuditableCataloger()
    return cataloger.catalog([CatalogFile(p, c, 0o755) for p, c in files], CatalogContext())


def _with_section_content(binary: bytes, content: bytes) -> bytes:
    """The same executable with the bytes of its `.dep-v0` section replaced (same size)."""
    parsed = parse_binary(binary)
    section = parsed.section(".dep-v0") if parsed is not None else None
    assert section is not None
    assert len(content) <= section.size
    end = section.offset + section.size
    return binary[: section.offset] + content.ljust(section.size, b"\0") + binary[end:]


def test_every_runtime_crate_is_reported_with_its_source_and_the_root_marked() -> None:
    result = _catalog(("usr/local/bin/hello", BINARY.read_bytes()))

    # Left out as packages: the build-only serde_derive/proc-macro2/quote (not linked into the executable).
    assert {(p.name, p.version, p.purl, p.metadata["source"], p.metadata.get("role")) for p in result.packages} == {
        ("hello-auditable", "0.3.0", "pkg:cargo/hello-auditable@0.3.0", "local", "root crate"),
        ("internal-utils", "0.1.0", "pkg:cargo/internal-utils@0.1.0", "local", None),
        ("forked-log", "0.4.21", "pkg:cargo/forked-log@0.4.21", "git", None),
        ("anyhow", "1.0.86", "pkg:cargo/anyhow@1.0.86", "crates.io", None),
        ("serde", "1.0.203", "pkg:cargo/serde@1.0.203", "crates.io", None),
        ("smallvec", "1.13.2", "pkg:cargo/smallvec@1.13.2", "crates.io", None),
    }
    assert result.unknowns == ()
    assert {p.type for p in result.packages} == {PackageType.CARGO}
    assert {p.locations for p in result.packages} == {(Location("/usr/local/bin/hello"),)}
    # The build-only crates are named once, on the root crate.
    assert {
        p.name: p.metadata.get("build_only_crates") for p in result.packages if "build_only_crates" in p.metadata
    } == {"hello-auditable": "proc-macro2@1.0.85, quote@1.0.36, serde_derive@1.0.203"}


def test_alternate_registries_and_the_schemas_rust_spellings() -> None:
    audit = {
        "format": 1,
        "packages": [
            {"name": "tool", "version": "2.0.0", "source": "CratesIo", "root": True, "dependencies": [1, 2, 3]},
            {"name": "corp-auth", "version": "0.9.1", "source": "registry"},
            {"name": "vendored", "version": "1.0.0", "source": {"Other": "svn"}},
            {"name": "codegen", "version": "0.2.0", "source": "Local", "kind": "Build"},
        ],
    }
    content = zlib.compress(json.dumps(audit).encode())

    result = _catalog(("usr/bin/tool", _with_section_content(BINARY.read_bytes(), content)))

    assert {(p.name, p.metadata["source"], p.metadata.get("role")) for p in result.packages} == {
        ("tool", "crates.io", "root crate"),  # `cargo install tool`: the root is itself a crates.io crate
        ("corp-auth", "registry", None),
        ("vendored", "svn", None),
    }
    assert next(p for p in result.packages if p.name == "tool").metadata["build_only_crates"] == "codegen@0.2.0"


def test_without_a_root_the_build_only_crates_are_named_on_every_package() -> None:
    audit = {
        "packages": [
            {"name": "a", "version": "1.0.0", "source": "crates.io"},
            {"name": "b", "version": "1.0.0", "source": "crates.io", "kind": "build"},
        ]
    }
    content = zlib.compress(json.dumps(audit).encode())

    result = _catalog(("usr/bin/a", _with_section_content(BINARY.read_bytes(), content)))

    assert [(p.name, p.metadata) for p in result.packages] == [
        ("a", {"source": "crates.io", "build_only_crates": "b@1.0.0"})
    ]


def test_section_holds_the_committed_json() -> None:
    parsed = parse_binary(BINARY.read_bytes())
    section = parsed.section(".dep-v0") if parsed is not None else None
    assert parsed is not None and section is not None

    crates = parse_audit_data(parsed.content(section))

    assert {(c.name, c.source, c.kind, c.root) for c in crates if c.root or c.kind == "build"} == {
        ("hello-auditable", "local", "runtime", True),
        ("serde_derive", "crates.io", "build", False),
        ("proc-macro2", "crates.io", "build", False),
        ("quote", "crates.io", "build", False),
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not zlib at all", "not zlib data"),
        (zlib.compress(b"{not json"), "not JSON"),
        (zlib.compress(b'{"crates": []}'), 'no "packages" list'),
        (
            zlib.compress(b'{"packages": [{"name": "serde", "source": "crates.io"}]}'),
            "packages[0] lacks version",
        ),
        (zlib.compress(b'{"packages": ["serde"]}'), "packages[0] is not an object"),
    ],
)
def test_corrupt_section_is_unknown(content: bytes, reason: str) -> None:
    result = _catalog(("usr/bin/broken", _with_section_content(BINARY.read_bytes(), content)))

    assert result.packages == ()
    assert [(u.path, u.cataloger) for u in result.unknowns] == [("/usr/bin/broken", "cargo-auditable-binary")]
    assert reason in result.unknowns[0].reason


def test_decompression_bomb_is_refused() -> None:
    bomb = zlib.compress(b'{"packages": [' + b" " * (9 * 1024 * 1024) + b"]}", 9)

    with pytest.raises(AuditDataError, match="exceeds"):
        parse_audit_data(bomb)


def test_executables_without_the_section_are_not_reported() -> None:
    python = Path(sys.executable).resolve().read_bytes()

    result = _catalog(
        ("usr/bin/python3", python),
        ("usr/bin/script", b"#!/bin/sh\nexit 0\n"),
        ("usr/bin/truncated", BINARY.read_bytes()[:100]),
    )

    assert (result.packages, result.unknowns) == ((), ())


def test_requests_executables_only() -> None:
    request = CargoAuditableCataloger().request

    assert request.executables
    assert request.wants("usr/bin/tool", 0o755)
    assert not request.wants("usr/share/doc/readme", 0o644)
