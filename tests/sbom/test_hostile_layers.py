"""Hostile layers are contained: per-entry problems become Unknowns, whole-layer problems IntegrityErrors."""

from __future__ import annotations

import io
import tarfile

import pytest
import zstandard

from regwarden.model.errors import IntegrityError
from regwarden.oci.compression import CorruptLayerError
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.filesystem import EntryKind, FilesystemLimits, LayerLimitError, build_filesystem
from tests.sbom.layer_fixtures import MemorySource, image, make_tar

EVERYTHING = FileRequest(basenames=frozenset({"abs", "f", "passwd", "h", "os-release", "x"}))


def reasons(source: MemorySource, request: FileRequest = EVERYTHING) -> set[tuple[str, str]]:
    return {(u.path, u.reason) for u in build_filesystem(source, request).unknowns}


def test_absolute_and_parent_paths_are_clamped_inside_the_image_and_recorded() -> None:
    source = image([("file", "/etc/abs", b"A"), ("file", "../../up/f", b"F"), ("file", "a/../../x", b"X")])
    filesystem = build_filesystem(source, EVERYTHING)
    assert set(filesystem.paths()) == {"etc/abs", "up/f", "x"}
    assert filesystem.content("up/f") == b"F"
    assert {(u.path, u.reason, u.layer.index if u.layer else None) for u in filesystem.unknowns} == {
        ("/etc/abs", "absolute path (taken relative to the image root): '/etc/abs'", 0),
        ("/up/f", "path escapes the image root (clamped inside it): '../../up/f'", 0),
        ("/x", "path escapes the image root (clamped inside it): 'a/../../x'", 0),
    }


def test_a_hard_link_to_a_missing_file_is_an_unknown_not_an_entry() -> None:
    source = image([("file", "present", b"p")], [("hardlink", "h", "missing"), ("hardlink", "d", "dir")])
    source.blobs[0] = make_tar([("file", "present", b"p"), ("dir", "dir")])
    filesystem = build_filesystem(source, EVERYTHING)
    assert not filesystem.exists("h") and not filesystem.exists("d")
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/h", "hard link target /missing is missing"),
        ("/d", "hard link target /dir is not a regular file"),
    }


def test_a_hard_link_escaping_the_root_links_to_the_file_inside_the_image() -> None:
    source = image([("file", "etc/passwd", b"root:x:0:0")], [("hardlink", "h", "../../../etc/passwd")])
    filesystem = build_filesystem(source, EVERYTHING)
    assert filesystem.content("h") == b"root:x:0:0"
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/h", "hard link target: path escapes the image root (clamped inside it)")
    }


def test_symlinks_pointing_outside_never_reach_the_host() -> None:
    # the host has /etc/shadow and /etc/passwd; the image does not, so the wanted links have no content
    source = image([("symlink", "etc/os-release", "../../../../etc/shadow"), ("symlink", "x", "/etc/passwd")])
    filesystem = build_filesystem(source, EVERYTHING)
    assert filesystem.resolve("etc/os-release") == "etc/shadow"
    assert filesystem.wanted_files() == []
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/x", "symlink target /etc/passwd is missing"),
        ("/etc/os-release", "symlink target /etc/shadow is missing"),
    }


def test_very_deep_paths_and_a_bare_whiteout_name_are_harmless() -> None:
    deep, deeper = "a/" * 2000 + "f", "b/" * 3000 + "f"
    filesystem = build_filesystem(
        image([("file", deep, b"deep"), ("file", deeper, b"!"), ("file", "top", b"t")], [("file", ".wh.", b"")]),
        EVERYTHING,
    )
    assert set(filesystem.paths()) == {deep, "top"}
    assert filesystem.content(deep) == b"deep"
    assert filesystem.resolve(deep) == deep
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/" + deeper[:200] + "...", "name or link target longer than 4096 bytes")
    }


def test_a_wanted_symlink_loop_is_an_unknown() -> None:
    filesystem = build_filesystem(image([("symlink", "f", "x"), ("symlink", "x", "/f")]), EVERYTHING)
    assert filesystem.resolve("f") is None
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/f", "symlink loop (more than 40 links)"),
        ("/x", "symlink loop (more than 40 links)"),
    }


def test_devices_and_fifos_are_recorded_without_content() -> None:
    filesystem = build_filesystem(image([("chardev", "dev/null"), ("fifo", "run/pipe")]), EVERYTHING)
    null, pipe = filesystem.entry("dev/null"), filesystem.entry("run/pipe")
    assert null is not None and null.kind == EntryKind.CHAR_DEVICE
    assert pipe is not None and pipe.kind == EntryKind.FIFO
    assert set(filesystem.paths()) == set()
    assert filesystem.unknowns == ()  # nobody asked for them


def test_special_files_nobody_asked_for_are_not_unknowns() -> None:
    # /dev nodes are in most base images; they are only a problem where a cataloger wanted a file.
    wants_status = FileRequest(basenames=frozenset({"status"}))
    filesystem = build_filesystem(image([("chardev", "dev/null"), ("fifo", "var/lib/dpkg/status")]), wants_status)
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/var/lib/dpkg/status", "special file (fifo): no content"),
    }


def test_unknown_entry_types_are_recorded_and_skipped() -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        odd = tarfile.TarInfo("weird")
        odd.type = b"Z"
        tar.addfile(odd)
        tar.addfile(tarfile.TarInfo("after"))
    filesystem = build_filesystem(MemorySource([out.getvalue()]), EVERYTHING)
    assert set(filesystem.paths()) == {"after"}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {("/weird", "unsupported tar entry type b'Z'")}


def _raises(source: MemorySource, error: type[IntegrityError], match: str, **limits: int | float) -> None:
    with pytest.raises(error, match=match) as caught:
        build_filesystem(source, EVERYTHING, FilesystemLimits(**limits))  # type: ignore[arg-type]
    assert isinstance(caught.value, IntegrityError)
    assert "layer " in str(caught.value) or error is CorruptLayerError


def test_a_layer_over_the_size_limit_is_refused() -> None:
    _raises(
        image([("file", "big", bytes(50_000))]),
        LayerLimitError,
        "uncompressed size exceeds",
        max_layer_bytes=20_000,
    )


def test_a_compression_bomb_is_refused_by_ratio() -> None:
    bomb = MemorySource([zstandard.ZstdCompressor(level=19).compress(make_tar([("file", "z", bytes(8 << 20))]))])
    _raises(bomb, LayerLimitError, "decompresses to over 50 times", max_ratio=50, ratio_floor_bytes=1 << 20)


def test_too_many_entries_are_refused() -> None:
    many = image([("file", f"f{i}", b"") for i in range(10)])
    _raises(many, LayerLimitError, "more than 5 tar entries", max_entries=5)


def test_a_huge_pax_header_is_refused() -> None:
    long_name = "d/" * 3000 + "f"
    _raises(
        image([("file", long_name, b"x")]),
        LayerLimitError,
        r"tar extension header \(x\)",
        max_header_bytes=4096,
    )


def test_pax_records_with_bad_or_huge_sizes_fail_cleanly() -> None:
    for size, match in (("abc", "invalid pax size"), ("99999999999999", "truncated tar")):
        info = tarfile.TarInfo("f")
        info.size = 1
        info.pax_headers = {"size": size}
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(info, io.BytesIO(b"x"))
        _raises(MemorySource([out.getvalue()]), CorruptLayerError, match)


@pytest.mark.parametrize(
    "records",
    [b"99999999999999999999 path=x\n", b"5 path=x\n", b"12 path-x12\n", b"abc path=x\n"],
)
def test_malformed_pax_records_fail_cleanly(records: bytes) -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        pax = tarfile.TarInfo("PaxHeader")
        pax.type, pax.size = tarfile.XHDTYPE, len(records)
        tar.addfile(pax, io.BytesIO(records))
        tar.addfile(tarfile.TarInfo("f"))
    _raises(MemorySource([out.getvalue()]), CorruptLayerError, "malformed pax")


@pytest.mark.parametrize(
    ("cut", "match"),
    [(512 + 100, "truncated tar \\(the stream ends inside an entry\\)"), (300, "partial header block")],
)
def test_a_truncated_tar_fails_cleanly(cut: int, match: str) -> None:
    _raises(MemorySource([make_tar([("file", "f", bytes(5000))])[:cut]]), CorruptLayerError, match)


def test_a_corrupt_header_fails_its_checksum() -> None:
    blob = bytearray(make_tar([("file", "f", b"x")]))
    blob[0] = ord("g")
    _raises(MemorySource([bytes(blob)]), CorruptLayerError, "bad tar header checksum")


def test_data_after_the_end_of_archive_marker_is_ignored_like_runtimes_do_but_recorded() -> None:
    smuggled = make_tar([("file", "f", b"x")]) + make_tar([("file", "hidden", b"y")])
    filesystem = build_filesystem(MemorySource([smuggled]), EVERYTHING)
    assert set(filesystem.paths()) == {"f"}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/", "data after the tar end-of-archive marker (ignored, as runtimes do)")
    }


def test_corrupt_compressed_layers_fail_even_when_scanned_in_parallel() -> None:
    good = make_tar([("file", "f", b"x")])
    source = MemorySource([good, b"\x1f\x8b\x08\x00garbage-garbage", good])
    with pytest.raises(CorruptLayerError, match="corrupt gzip layer data"):
        build_filesystem(source, EVERYTHING, workers=3)
