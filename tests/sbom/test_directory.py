"""The `dir:PATH` source: a real directory tree, seen through the same API as a squashed image."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regwarden.model.errors import BadInputError
from regwarden.sbom.catalogers.binfmt import MarkedExecutables
from regwarden.sbom.catalogers.interface import FileRequest
from regwarden.sbom.directory import filesystem_from_directory
from regwarden.sbom.filesystem import EntryKind, FilesystemLimits
from regwarden.sbom.layer_scan import DISMISSED

ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 120  # an executable with no Go build info
REQUEST = FileRequest(basenames=frozenset({"os-release", "status", "package.json", "secret"}), max_size=100)


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "usr/lib").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "app/node_modules/left-pad").mkdir(parents=True)
    (root / "usr/lib/os-release").write_bytes(b"ID=debian\n")
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    (root / "var/lib/dpkg/status").write_bytes(b"Package: libc6\n")
    (root / "app/node_modules/left-pad/package.json").write_bytes(b'{"name": "left-pad"}')
    (root / "app/big/").mkdir()
    (root / "app/big/package.json").write_bytes(b"x" * 500)
    (root / "usr/bin").mkdir()
    (root / "usr/bin/tool").write_bytes(b"\x7fELF")
    (root / "usr/bin/tool").chmod(0o755)
    (tmp_path / "secret").write_bytes(b"host secret")  # outside the root: must never be read
    (root / "etc/secret").symlink_to("../../secret")
    (root / "escape").symlink_to(tmp_path)
    return root


def test_a_directory_is_one_layer_with_the_wanted_files(tree: Path) -> None:
    filesystem = filesystem_from_directory(tree, REQUEST)
    assert [ref.index for ref in filesystem.layers] == [0]
    assert set(filesystem.paths()) == {
        "usr/lib/os-release",
        "var/lib/dpkg/status",
        "app/node_modules/left-pad/package.json",
        "app/big/package.json",
        "usr/bin/tool",
    }
    assert {f.path: f.content for f in filesystem.wanted_files()} == {
        "usr/lib/os-release": b"ID=debian\n",
        "etc/os-release": b"ID=debian\n",
        "var/lib/dpkg/status": b"Package: libc6\n",
        "app/node_modules/left-pad/package.json": b'{"name": "left-pad"}',
    }
    tool = filesystem.entry("/usr/bin/tool")
    assert tool is not None and (tool.kind, tool.mode, tool.size) == (EntryKind.FILE, 0o755, 4)
    added = filesystem.added_by("var/lib/dpkg/status")
    assert added is not None and added.index == 0


def test_symlinks_are_links_resolved_inside_the_tree_never_followed_out(tree: Path) -> None:
    filesystem = filesystem_from_directory(tree, REQUEST)
    escape = filesystem.entry("escape")
    assert escape is not None and escape.kind == EntryKind.SYMLINK
    assert not filesystem.exists("escape/secret")  # the walk did not descend into the link
    assert filesystem.resolve("etc/secret") == "secret"  # `..` clamped at the tree's root
    assert b"host secret" not in {f.content for f in filesystem.wanted_files()}
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {
        ("/etc/secret", "symlink target /secret is missing"),
        ("/app/big/package.json", "size limit: 500 bytes is over the 100-byte limit"),
    }


def test_special_files_are_recorded_without_content(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    filesystem = filesystem_from_directory(tmp_path, FileRequest(basenames=frozenset({"pipe"})))
    pipe = filesystem.entry("pipe")
    assert pipe is not None and pipe.kind == EntryKind.FIFO
    assert {(u.path, u.reason) for u in filesystem.unknowns} == {("/pipe", "special file (fifo): no content")}


def test_the_memory_budget_applies(tree: Path) -> None:
    filesystem = filesystem_from_directory(tree, REQUEST, FilesystemLimits(max_kept_bytes=12))
    assert {f.path for f in filesystem.wanted_files()} == {"usr/lib/os-release", "etc/os-release"}


def test_a_path_that_is_not_a_directory_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    for root in (tmp_path / "file", tmp_path / "missing"):
        with pytest.raises(BadInputError, match="is not a directory"):
            filesystem_from_directory(root, REQUEST)


def test_a_tree_over_the_entry_limit_is_bad_input(tree: Path) -> None:
    with pytest.raises(BadInputError) as raised:
        filesystem_from_directory(tree, REQUEST, FilesystemLimits(max_entries=5))
    assert str(raised.value) == f"dir:{tree} has more than 5 entries"
    assert len(filesystem_from_directory(tree, REQUEST, FilesystemLimits(max_entries=100)).layers) == 1


def test_executables_are_kept_only_when_they_hold_a_marker_as_in_layers(tmp_path: Path) -> None:
    go_like = ELF + b"\0\xff Go buildinf:" + b"\0" * 16
    for name, body in (("true", ELF), ("go-tool", go_like)):
        (tmp_path / name).write_bytes(body)
        (tmp_path / name).chmod(0o755)
    marked = MarkedExecutables(executables=True, markers=(b"\xff Go buildinf:",))
    # The budget holds the Go binary only: a dismissed executable must cost nothing from it.
    filesystem = filesystem_from_directory(tmp_path, marked, FilesystemLimits(max_kept_bytes=len(go_like)))
    assert {f.path: f.content for f in filesystem.wanted_files()} == {"true": DISMISSED, "go-tool": go_like}
    assert filesystem.unknowns == ()
