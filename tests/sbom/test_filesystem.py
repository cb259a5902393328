"""The squashed layer filesystem: whiteouts, opaque directories, links, layer attribution, wanted content."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.filesystem import EntryKind, FilesystemLimits, ImageFilesystem, build_filesystem
from tests.sbom.layer_fixtures import MemorySource, Spec, image

STATUS = FileRequest(basenames=frozenset({"status", "os-release"}))
COMPRESSIONS = ["tar", "gzip", "zstd"]


def kept(filesystem: ImageFilesystem) -> dict[str, tuple[bytes, int]]:
    return {f.path: (f.content, f.layer.index) for f in filesystem.wanted_files()}


def layer_of(filesystem: ImageFilesystem, path: str) -> int:
    entry = filesystem.entry(path)
    assert entry is not None, path
    return entry.layer.index


def added(filesystem: ImageFilesystem, path: str) -> int:
    ref = filesystem.added_by(path)
    assert ref is not None, path
    return ref.index


@pytest.mark.parametrize("kind", COMPRESSIONS)
def test_three_layers_squash_to_the_exact_files_with_their_layers(kind: str) -> None:
    source = image(
        [("dir", "etc"), ("file", "etc/os-release", b"ID=debian\n"), ("file", "var/lib/dpkg/status", b"A")],
        [("file", "var/lib/dpkg/status", b"A B"), ("file", "usr/bin/tool", b"\x7fELF", 0o755)],
        [("file", "etc/motd", b"hi"), ("file", "var/lib/dpkg/status", b"A B C")],
        kind=kind,
    )
    filesystem = build_filesystem(source, STATUS)
    assert [ref.index for ref in filesystem.layers] == [0, 1, 2]
    assert set(filesystem.paths()) == {"etc/os-release", "var/lib/dpkg/status", "usr/bin/tool", "etc/motd"}
    assert kept(filesystem) == {"etc/os-release": (b"ID=debian\n", 0), "var/lib/dpkg/status": (b"A B C", 2)}
    assert [(ref.index, body) for ref, body in filesystem.versions("var/lib/dpkg/status")] == [
        (0, b"A"),
        (1, b"A B"),
        (2, b"A B C"),
    ]
    assert added(filesystem, "var/lib/dpkg/status") == 0
    assert layer_of(filesystem, "var/lib/dpkg/status") == 2
    assert (added(filesystem, "usr/bin/tool"), layer_of(filesystem, "usr/bin/tool")) == (1, 1)
    assert filesystem.unknowns == ()


def test_entries_describe_type_mode_size_and_target() -> None:
    filesystem = build_filesystem(
        image([("file", "bin/sh", b"#!", 0o4755), ("symlink", "bin/bash", "sh"), ("dir", "tmp")]), STATUS
    )
    shell, link, tmp = filesystem.entry("/bin/sh"), filesystem.entry("./bin/bash"), filesystem.entry("tmp/")
    assert shell is not None and (shell.kind, shell.mode, shell.size) == (EntryKind.FILE, 0o4755, 2)
    assert link is not None and (link.kind, link.link_target) == (EntryKind.SYMLINK, "sh")
    assert tmp is not None and tmp.kind == EntryKind.DIRECTORY
    assert filesystem.exists("bin") and not filesystem.exists("bin/zsh")
    assert filesystem.entry("nowhere") is None and filesystem.added_by("nowhere") is None


def test_parent_directories_missing_from_the_tar_exist_implicitly() -> None:
    filesystem = build_filesystem(image([("file", "a/b/c.txt", b"x")]), STATUS)
    entry = filesystem.entry("a/b")
    assert entry is not None and entry.kind == EntryKind.DIRECTORY
    assert filesystem.exists("a")


def test_whiteout_deletes_a_file_and_a_whole_directory_of_lower_layers() -> None:
    filesystem = build_filesystem(
        image(
            [
                ("file", "keep", b"k"),
                ("file", "gone", b"g"),
                ("file", "dir/a", b"a"),
                ("file", "dir/sub/b", b"b"),
            ],
            [("file", ".wh.gone", b""), ("file", ".wh.dir", b"")],
        ),
        STATUS,
    )
    assert set(filesystem.paths()) == {"keep"}
    assert not filesystem.exists("dir") and not filesystem.exists("dir/sub")


def test_opaque_directory_hides_lower_children_but_keeps_its_own_layer_in_any_tar_order() -> None:
    filesystem = build_filesystem(
        image(
            [
                ("dir", "opt"),
                ("file", "opt/old", b"o"),
                ("file", "opt/sub/deep", b"d"),
                ("file", "other", b"x"),
            ],
            # the marker comes after a same-layer child in the tar: that child must survive
            [
                ("dir", "opt"),
                ("file", "opt/new", b"n"),
                ("file", "opt/.wh..wh..opq", b""),
                ("file", "opt/z", b"z"),
            ],
        ),
        STATUS,
    )
    assert set(filesystem.paths()) == {"opt/new", "opt/z", "other"}
    assert added(filesystem, "opt") == 0


def test_a_whiteout_never_hides_an_entry_of_its_own_layer() -> None:
    filesystem = build_filesystem(
        image([("file", "etc/conf", b"old")], [("file", "etc/conf", b"new"), ("file", "etc/.wh.conf", b"")]),
        FileRequest(basenames=frozenset({"conf"})),
    )
    assert kept(filesystem) == {"etc/conf": (b"new", 1)}
    assert added(filesystem, "etc/conf") == 1  # the whiteout broke continuity with layer 0


def test_a_file_replacing_a_directory_takes_its_subtree_and_vice_versa() -> None:
    filesystem = build_filesystem(
        image(
            [("file", "x/inner", b"i"), ("file", "y", b"file")],
            [("file", "x", b"now a file"), ("dir", "y"), ("file", "y/child", b"c")],
        ),
        STATUS,
    )
    assert set(filesystem.paths()) == {"x", "y/child"}
    x, y = filesystem.entry("x"), filesystem.entry("y")
    assert x is not None and x.kind == EntryKind.FILE
    assert y is not None and y.kind == EntryKind.DIRECTORY
    assert (added(filesystem, "x"), layer_of(filesystem, "x")) == (0, 1)  # replaced, never absent


def test_added_by_restarts_after_a_deletion() -> None:
    filesystem = build_filesystem(
        image(
            [("file", "var/lib/dpkg/status", b"1")],
            [("file", "var/lib/dpkg/.wh.status", b"")],
            [("file", "var/lib/dpkg/status", b"3")],
            [("file", "var/lib/dpkg/status", b"4")],
        ),
        STATUS,
    )
    assert added(filesystem, "var/lib/dpkg/status") == 2
    assert [(r.index, b) for r, b in filesystem.versions("var/lib/dpkg/status")] == [
        (0, b"1"),
        (2, b"3"),
        (3, b"4"),
    ]


@pytest.mark.parametrize("kind", COMPRESSIONS)
def test_hard_links_resolve_to_their_target_content_in_the_same_or_a_lower_layer(kind: str) -> None:
    source = image(
        [("file", "usr/bin/python3.11", b"PYTHON", 0o755), ("file", "etc/status", b"S")],
        [("hardlink", "usr/bin/python3", "usr/bin/python3.11"), ("hardlink", "etc/os-release", "etc/status")],
        kind=kind,
    )
    request = FileRequest(basenames=frozenset({"python3", "os-release"}))
    filesystem = build_filesystem(source, request)
    assert kept(filesystem) == {"usr/bin/python3": (b"PYTHON", 1), "etc/os-release": (b"S", 1)}
    link = filesystem.entry("usr/bin/python3")
    assert link is not None and (link.kind, link.size, link.link_target) == (
        EntryKind.FILE,
        6,
        "usr/bin/python3.11",
    )
    # the wanted links' targets were skipped in the first pass: layer 0 is read a second time, once
    assert source.opened == [0, 1, 0]
    assert filesystem.unknowns == ()


def test_every_version_of_a_wanted_path_is_read_even_when_it_was_a_hard_link() -> None:
    source = image(
        [("file", "usr/share/real", b"from a link")],
        [("hardlink", "var/lib/dpkg/status", "usr/share/real")],
        [("file", "var/lib/dpkg/status", b"rewritten")],
    )
    filesystem = build_filesystem(source, STATUS)
    assert [(r.index, b) for r, b in filesystem.versions("var/lib/dpkg/status")] == [
        (1, b"from a link"),
        (2, b"rewritten"),
    ]
    assert source.opened == [0, 1, 2, 0]


def test_a_hard_link_chain_in_one_layer_shares_the_first_body() -> None:
    filesystem = build_filesystem(
        image([("file", "a", b"body"), ("hardlink", "b", "a"), ("hardlink", "c", "b")]),
        FileRequest(basenames=frozenset({"a", "b", "c"})),
    )
    assert kept(filesystem) == {"a": (b"body", 0), "b": (b"body", 0), "c": (b"body", 0)}


def test_symlinks_resolve_inside_the_image() -> None:
    filesystem = build_filesystem(
        image(
            [
                ("file", "usr/lib/os-release", b"ID=alpine"),
                ("symlink", "etc/os-release", "../usr/lib/os-release"),
                ("symlink", "lib", "/usr/lib"),
                ("symlink", "loop1", "loop2"),
                ("symlink", "loop2", "loop1"),
                ("symlink", "escape", "../../../../etc/shadow"),
            ]
        ),
        STATUS,
    )
    assert filesystem.resolve("etc/os-release") == "usr/lib/os-release"
    assert filesystem.resolve("/lib/os-release") == "usr/lib/os-release"
    assert filesystem.resolve("lib/../etc/os-release") == "usr/etc/os-release"  # `..` of /usr/lib, as POSIX
    assert filesystem.resolve("escape") == "etc/shadow"
    assert filesystem.resolve("loop1") is None
    assert kept(filesystem) == {"usr/lib/os-release": (b"ID=alpine", 0), "etc/os-release": (b"ID=alpine", 0)}


def test_a_wanted_symlink_to_a_skipped_file_is_fetched_by_a_second_pass() -> None:
    source = image(
        [("file", "usr/lib/os-release.real", b"ID=debian")],
        [("symlink", "etc/os-release", "/usr/lib/os-release.real")],
    )
    filesystem = build_filesystem(source, STATUS)
    assert kept(filesystem) == {"etc/os-release": (b"ID=debian", 0)}
    assert source.opened == [0, 1, 0]


@pytest.mark.parametrize("tar_format", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
def test_long_names_in_gnu_pax_and_ustar_prefix_form(tar_format: int) -> None:
    deep = "/".join(["d" * 20] * 6) + "/status"  # 133 characters: beyond the 100-byte name field
    source = image([("file", deep, b"long"), ("symlink", deep + "-link", "status")])
    source.blobs = [_retar(source.blobs[0], tar_format)]
    filesystem = build_filesystem(source, STATUS)
    assert kept(filesystem) == {deep: (b"long", 0)}
    assert set(filesystem.paths()) == {deep}


def _retar(blob: bytes, tar_format: int) -> bytes:
    import io

    out = io.BytesIO()
    with (
        tarfile.open(fileobj=io.BytesIO(blob)) as source,
        tarfile.open(fileobj=out, mode="w", format=tar_format) as tar,
    ):
        for member in source.getmembers():
            tar.addfile(member, source.extractfile(member) if member.isfile() else None)
    return out.getvalue()


def test_request_kinds_and_the_largest_max_size_among_requests() -> None:
    requests = [
        FileRequest(suffixes=(".jar",), max_size=3),
        FileRequest(directories=("var/lib/dpkg/status.d/",)),
        FileRequest(executables=True, path_filter=lambda path: path.startswith("usr/")),
        FileRequest(basenames=frozenset({"big.jar"}), max_size=100),
    ]
    filesystem = build_filesystem(
        image(
            [
                ("file", "app/small.jar", b"PK"),
                ("file", "app/big.jar", b"PK-bigger"),
                ("file", "app/other.jar", b"PK-bigger"),
                ("file", "var/lib/dpkg/status.d/libc6", b"Package: libc6"),
                ("file", "usr/bin/run", b"ELF", 0o755),
                ("file", "opt/bin/run", b"ELF", 0o755),
                ("file", "usr/share/doc", b"text", 0o644),
            ]
        ),
        requests,
    )
    assert kept(filesystem) == {
        "app/small.jar": (b"PK", 0),
        "app/big.jar": (b"PK-bigger", 0),
        "var/lib/dpkg/status.d/libc6": (b"Package: libc6", 0),
        "usr/bin/run": (b"ELF", 0),
    }
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/app/other.jar", "size limit: 9 bytes is over the 3-byte limit")
    }


def test_a_wanted_symlink_whose_target_does_not_fit_the_budget_is_an_unknown() -> None:
    source = image(
        [("file", "usr/lib/os-release.real", b"ID=debian")],
        [("symlink", "etc/os-release", "/usr/lib/os-release.real")],
    )
    filesystem = build_filesystem(source, STATUS, FilesystemLimits(max_kept_bytes=3))
    assert kept(filesystem) == {}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/etc/os-release", "symlink target /usr/lib/os-release.real: content could not be read")
    }


def test_the_memory_budget_turns_further_wanted_files_into_unknowns() -> None:
    source = image([("file", "a/status", b"12345"), ("file", "b/status", b"678")])
    filesystem = build_filesystem(source, STATUS, FilesystemLimits(max_kept_bytes=6))
    assert kept(filesystem) == {"a/status": (b"12345", 0)}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/b/status", "memory budget for file contents exhausted")
    }


@pytest.mark.parametrize("workers", [1, 2, 5])
def test_parallel_scans_apply_in_layer_order(workers: int) -> None:
    layers = [[("file", "status", f"v{i}".encode()), ("file", f"only{i}", b"x")] for i in range(7)]
    layers[3].append(("file", ".wh.only1", b""))
    filesystem = build_filesystem(image(*layers, kind="gzip"), STATUS, workers=workers)
    assert kept(filesystem) == {"status": (b"v6", 6)}
    assert [b for _, b in filesystem.versions("status")] == [f"v{i}".encode() for i in range(7)]
    assert set(filesystem.paths()) == {"status"} | {f"only{i}" for i in range(7)} - {"only1"}


# --- property: random layer stacks squash exactly like a naive reference ------------------------------------

NAMES = ["a", "a/b", "a/b/c", "a/d", "e", "e/f"]


def _random_layer(rng: random.Random) -> list[Spec]:
    specs: list[Spec] = []
    for _ in range(rng.randint(1, 6)):
        path = rng.choice(NAMES)
        parent, _, base = path.rpartition("/")
        prefix = parent + "/" if parent else ""
        roll = rng.random()
        if roll < 0.4:
            specs.append(("file", path, rng.choice([b"1", b"2", b"3"])))
        elif roll < 0.6:
            specs.append(("dir", path))
        elif roll < 0.85:
            specs.append(("file", prefix + ".wh." + base, b""))
        else:
            specs.append(("file", prefix + ".wh..wh..opq", b""))
    return specs


def _reference(layers: list[list[Spec]]) -> dict[str, tuple[str, bytes, int, int]]:
    """path -> (kind, content, layer, added): whiteouts first, then entries, by scanning every path."""
    state: dict[str, tuple[str, bytes, int, int]] = {}

    def drop(prefix: str) -> None:
        for path in [p for p in state if p == prefix or p.startswith(prefix + "/") or not prefix]:
            del state[path]

    for index, layer in enumerate(layers):
        for spec in layer:
            path = str(spec[1])
            parent, _, base = path.rpartition("/")
            if base == ".wh..wh..opq":
                for child in [p for p in state if (p.startswith(parent + "/") if parent else True)]:
                    del state[child]
            elif base.startswith(".wh."):
                drop(f"{parent}/{base[4:]}" if parent else base[4:])
        for spec in layer:
            kind, path = str(spec[0]), str(spec[1])
            if path.rpartition("/")[2].startswith(".wh."):
                continue
            old = state.get(path)
            if old is not None and old[0] == "dir" and kind != "dir":
                drop(path)
            parts = path.split("/")
            for depth in range(1, len(parts)):
                ancestor = "/".join(parts[:depth])
                above = state.get(ancestor)
                if above is None or above[0] != "dir":
                    state[ancestor] = ("dir", b"", index, index if above is None else above[3])
            content = spec[2] if kind == "file" else b""
            assert isinstance(content, bytes)
            state[path] = (kind, content, index, index if old is None else old[3])
    return state


@pytest.mark.parametrize("seed", range(60))
def test_random_whiteout_sequences_match_the_reference_squash(seed: int) -> None:
    rng = random.Random(seed)
    layers = [_random_layer(rng) for _ in range(rng.randint(1, 5))]
    want = FileRequest(basenames=frozenset(path.rpartition("/")[2] for path in NAMES))
    filesystem = build_filesystem(image(*layers), want)
    expected = _reference(layers)
    actual = {}
    for path in expected.keys() | set(filesystem.paths()):
        entry = filesystem.entry(path)
        if entry is not None:
            body = filesystem.content(path) or b""
            actual[path] = (
                str(entry.kind.value).replace("directory", "dir"),
                body,
                entry.layer.index,
                added(filesystem, path),
            )
    assert actual == expected


# --- real layers: umoci writes them (whiteouts, hard links, symlinks) and unpacks the reference rootfs ----


class LayoutSource(MemorySource):
    """The layers of the only image in an OCI layout, read straight from its blobs."""

    def __init__(self, layout: Path) -> None:
        index = json.loads((layout / "index.json").read_text())
        manifest = json.loads(_blob(layout, index["manifests"][0]["digest"]))
        super().__init__([_blob(layout, layer["digest"]) for layer in manifest["layers"]])


def _blob(layout: Path, digest: str) -> bytes:
    return (layout / "blobs" / "sha256" / digest.removeprefix("sha256:")).read_bytes()


def _umoci(*args: str | Path) -> None:
    subprocess.run(["umoci", *map(str, args)], check=True, capture_output=True)


def _unpack(layout: Path, bundle: Path) -> None:
    rootless = () if os.geteuid() == 0 else ("--rootless",)
    _umoci("unpack", *rootless, "--image", f"{layout}:t", bundle)


def _tree(root: Path) -> dict[str, tuple[str, bytes]]:
    tree: dict[str, tuple[str, bytes]] = {}
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            tree[name] = ("symlink", str(path.readlink()).encode())
        elif path.is_dir():
            tree[name] = ("directory", b"")
        else:
            tree[name] = ("file", path.read_bytes())
    return tree


@pytest.mark.skipif(shutil.which("umoci") is None, reason="needs umoci (Debian package umoci)")
def test_layers_written_by_umoci_squash_exactly_like_umoci_unpacks_them(tmp_path: Path) -> None:
    layout, bundle = tmp_path / "layout", tmp_path / "bundle"
    _umoci("init", "--layout", layout)
    _umoci("new", "--image", f"{layout}:t")
    for step in (_base_layer, _upgrade_layer, _rebuild_layer):
        _unpack(layout, bundle)
        step(bundle / "rootfs")
        _umoci("repack", "--image", f"{layout}:t", bundle)
        shutil.rmtree(bundle)
    _unpack(layout, bundle)
    expected = _tree(bundle / "rootfs")

    source = LayoutSource(layout)
    everything = FileRequest(path_filter=lambda _: True, suffixes=("",))
    filesystem = build_filesystem(source, everything)
    actual = {}
    for path in expected.keys() | set(filesystem.paths()):
        entry = filesystem.entry(path)
        if entry is not None:
            body = filesystem.content(path) or str(entry.link_target or "").encode()
            actual[path] = (entry.kind.value, body)
    assert actual == expected
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(source.blobs[0]))) as first_layer:
        links = {member.name for member in first_layer.getmembers() if member.islnk()}
    assert links & {"usr/bin/python3", "usr/bin/python3.11"}  # the hard link really is a tar LNKTYPE
    assert len(source.blobs) == 3
    assert added(filesystem, "var/lib/dpkg/status") == 0
    assert added(filesystem, "etc/os-release") == 2
    assert filesystem.content("usr/bin/python3") == filesystem.content("usr/bin/python3.11") == b"PY"
    assert [b for _, b in filesystem.versions("var/lib/dpkg/status")] == [
        b"Package: a\n",
        b"Package: a\n\nPackage: b\n",
    ]
    assert filesystem.unknowns == ()


def _base_layer(root: Path) -> None:
    _write(root / "etc/os-release", b"ID=debian\n")
    _write(root / "var/lib/dpkg/status", b"Package: a\n")
    _write(root / "opt/app/lib/x.py", b"x")
    _write(root / "opt/app/lib/y.py", b"y")
    _write(root / "usr/bin/python3.11", b"PY")
    os.link(root / "usr/bin/python3.11", root / "usr/bin/python3")
    (root / "etc/alternatives").symlink_to("../usr/bin/python3")


def _upgrade_layer(root: Path) -> None:
    _write(root / "var/lib/dpkg/status", b"Package: a\n\nPackage: b\n")
    (root / "etc/os-release").unlink()
    shutil.rmtree(root / "opt/app/lib")
    _write(root / "opt/app/lib", b"now a file")


def _rebuild_layer(root: Path) -> None:
    _write(root / "etc/os-release", b"ID=debian\nVERSION_ID=12\n")
    shutil.rmtree(root / "opt")
    _write(root / "opt/new", b"n")


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
