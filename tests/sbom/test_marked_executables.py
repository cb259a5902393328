"""Executables wanted only for markers (MarkedExecutables): read once, kept whole only when a marker is there.

The layers hold real ELF files of this machine (`/bin/true`, `/bin/ls`) and the same bytes with a marker
appended, so the outcome is what `regwarden sbom` does with a Debian image's `/usr/bin`.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from regwarden.sbom.catalogers.binfmt import MarkedExecutables
from regwarden.sbom.catalogers.golang import BUILDINFO_MAGIC, GoBinaryCataloger
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.catalogers.rust import CargoAuditableCataloger
from regwarden.sbom.filesystem import FilesystemLimits, ImageFilesystem, build_filesystem
from regwarden.sbom.layer_scan import DISMISSED
from regwarden.sbom.wanted import WantedMatcher
from tests.sbom.layer_fixtures import MemorySource, image

GO = MarkedExecutables(executables=True, markers=(b"\xff Go buildinf:",))
RUST = MarkedExecutables(executables=True, markers=(b".dep-v0",))
SCRIPTS = FileRequest(basenames=frozenset({"entrypoint"}))
TRUE = Path("/bin/true").read_bytes()
LS = Path("/bin/ls").read_bytes()
GO_LIKE = TRUE + b"\0" * 3 + b"\xff Go buildinf:" + b"\0" * 16
RUST_LIKE = LS + b".dep-v0\0"


def kept(filesystem: ImageFilesystem) -> dict[str, bytes]:
    return {f.path: f.content for f in filesystem.wanted_files()}


@pytest.mark.parametrize("kind", ["tar", "gzip", "zstd"])
def test_only_executables_holding_a_marker_keep_their_content(kind: str) -> None:
    source = image(
        [
            ("file", "usr/bin/true", TRUE, 0o755),
            ("file", "usr/bin/go-tool", GO_LIKE, 0o755),
            ("file", "usr/bin/rust-tool", RUST_LIKE, 0o755),
            ("file", "usr/share/doc/not-executable", GO_LIKE, 0o644),
            ("file", "entrypoint", LS, 0o755),
        ],
        kind=kind,
    )
    filesystem = build_filesystem(source, [GO, RUST, SCRIPTS])
    assert kept(filesystem) == {
        "usr/bin/true": DISMISSED,
        "usr/bin/go-tool": GO_LIKE,
        "usr/bin/rust-tool": RUST_LIKE,
        "entrypoint": LS,  # another request wants it by name: kept whatever it holds
    }
    assert filesystem.unknowns == ()
    assert source.opened == [0]


def _layer(files: dict[str, bytes], links: dict[str, str]) -> bytes:
    """Executables and hard links to them, with the execute bits real tars give links (the shared fixture
    builder writes hard links as 0o644)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, content in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mode = len(content), 0o755
            tar.addfile(info, io.BytesIO(content))
        for path, target in links.items():
            info = tarfile.TarInfo(path)
            info.type, info.linkname, info.mode = tarfile.LNKTYPE, target, 0o755
            tar.addfile(info)
    return out.getvalue()


def test_hard_links_to_a_dismissed_executable_need_no_second_pass() -> None:
    source = MemorySource(
        [
            _layer({"usr/bin/perl5.36": TRUE}, {"usr/bin/perl": "usr/bin/perl5.36"}),
            _layer({}, {"usr/bin/perl-again": "usr/bin/perl5.36"}),
        ]
    )
    filesystem = build_filesystem(source, GO)
    assert kept(filesystem) == {
        "usr/bin/perl5.36": DISMISSED,
        "usr/bin/perl": DISMISSED,
        "usr/bin/perl-again": DISMISSED,
    }
    assert filesystem.unknowns == ()
    assert sorted(source.opened) == [0, 1]


def test_a_dismissed_version_still_breaks_the_run_of_versions() -> None:
    """Layer attribution walks the versions of a path; a marker-less version in between must stay visible."""
    source = image(
        [("file", "app", GO_LIKE, 0o755)],
        [("file", "app", TRUE, 0o755)],
        [("file", "app", GO_LIKE, 0o755)],
    )
    filesystem = build_filesystem(source, GO)
    assert [(layer.index, content) for layer, content in filesystem.versions("app")] == [
        (0, GO_LIKE),
        (1, DISMISSED),
        (2, GO_LIKE),
    ]


def test_dismissed_executables_cost_nothing_from_the_memory_budget() -> None:
    source = image(
        [("file", f"usr/bin/tool{i}", TRUE, 0o755) for i in range(5)] + [("file", "usr/bin/go", GO_LIKE, 0o755)]
    )
    filesystem = build_filesystem(source, GO, FilesystemLimits(max_kept_bytes=len(GO_LIKE)))
    assert kept(filesystem)["usr/bin/go"] == GO_LIKE
    assert filesystem.unknowns == ()


def test_a_marked_executable_over_the_budget_is_still_an_unknown() -> None:
    source = image([("file", "usr/bin/go", GO_LIKE, 0o755)])
    filesystem = build_filesystem(source, GO, FilesystemLimits(max_kept_bytes=len(GO_LIKE) - 1))
    assert kept(filesystem) == {}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/usr/bin/go", "memory budget for file contents exhausted")
    }


def test_an_executable_over_the_size_limit_is_an_unknown_whatever_it_holds() -> None:
    request = MarkedExecutables(executables=True, max_size=len(TRUE) - 1, markers=(BUILDINFO_MAGIC,))
    filesystem = build_filesystem(image([("file", "usr/bin/true", TRUE, 0o755)]), request)
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/usr/bin/true", f"size limit: {len(TRUE)} bytes is over the {len(TRUE) - 1}-byte limit")
    }


def test_the_matcher_names_markers_only_when_every_wanting_request_is_marked() -> None:
    matcher = WantedMatcher([GO, RUST, SCRIPTS, MarkedExecutables(basenames=frozenset({"bare"}))])
    assert matcher.markers("usr/bin/tool", 0o755) == (b"\xff Go buildinf:", b".dep-v0")
    assert matcher.markers("entrypoint", 0o755) is None
    assert matcher.markers("bare", 0o644) is None  # a marked request without markers wants everything


def test_the_binary_catalogers_declare_the_bytes_they_search_for() -> None:
    go, rust = GoBinaryCataloger().request, CargoAuditableCataloger().request
    assert isinstance(go, MarkedExecutables) and go.markers == (BUILDINFO_MAGIC,)
    assert isinstance(rust, MarkedExecutables) and rust.markers == (b".dep-v0",)


@pytest.mark.parametrize("kind", ["tar", "gzip"])
@pytest.mark.parametrize("before_boundary", [0, 1, 7, 13, 14, 600])
def test_a_marker_split_across_read_chunks_is_found(kind: str, before_boundary: int) -> None:
    """The body starts after one 512-byte header and the stream is read in 1 MiB chunks, so a marker placed
    `before_boundary` bytes before 1 MiB - 512 straddles two chunks (for 1..13, the magic being 14 bytes)."""
    boundary = 1024 * 1024 - 512
    at = boundary - before_boundary
    body = TRUE + bytes(at - len(TRUE)) + BUILDINFO_MAGIC + bytes(2 * 1024 * 1024)
    filesystem = build_filesystem(image([("file", "usr/bin/big", body, 0o755)], kind=kind), GO)
    assert kept(filesystem) == {"usr/bin/big": body}
    without = body.replace(BUILDINFO_MAGIC, bytes(len(BUILDINFO_MAGIC)))
    filesystem = build_filesystem(image([("file", "usr/bin/big", without, 0o755)], kind=kind), GO)
    assert kept(filesystem) == {"usr/bin/big": DISMISSED}
