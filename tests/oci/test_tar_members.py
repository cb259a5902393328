"""Seeking reads of tar members and the refusal of hostile archives (regwarden.oci.tar_members)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from regwarden.model.errors import IntegrityError, NotFoundError
from regwarden.oci.tar_members import TarMembers


def write_tar(path: Path, members: list[tarfile.TarInfo], contents: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for info in members:
            data = contents.get(info.name, b"")
            info.size = len(data) if info.isreg() else 0
            archive.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def entry(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


def test_members_by_normalized_name(tmp_path: Path) -> None:
    contents = {"./a/one.txt": b"first member", "b/two.txt": b"second" * 300}
    archive = write_tar(tmp_path / "t.tar", [entry("a", tarfile.DIRTYPE), *map(entry, contents)], contents)
    members = TarMembers(archive, allow_symlinks=False)
    assert members.names() == frozenset({"a/one.txt", "b/two.txt"})
    assert members.read("a/one.txt", 100) == b"first member"
    assert members.read("./b/two.txt", 10_000) == b"second" * 300
    assert members.size("b/two.txt") == 1800
    assert members.where("./a/one.txt") == f"{archive}:a/one.txt"


def test_reader_stops_at_the_member_boundary(tmp_path: Path) -> None:
    contents = {"first": b"12345", "second": b"next member must not leak"}
    members = TarMembers(write_tar(tmp_path / "t.tar", list(map(entry, contents)), contents), allow_symlinks=False)
    reader = members.open("first")
    assert reader.read(3) == b"123"
    assert reader.read(100) == b"45"
    assert reader.read() == b""
    reader.close()


def test_read_refuses_members_over_the_limit(tmp_path: Path) -> None:
    contents = {"big": b"x" * 101}
    members = TarMembers(write_tar(tmp_path / "t.tar", [entry("big")], contents), allow_symlinks=False)
    with pytest.raises(IntegrityError, match="101 bytes, more than the 100 allowed"):
        members.read("big", 100)
    with pytest.raises(NotFoundError, match="small"):
        members.read("small", 100)


def test_symlink_chain_is_followed_and_loops_are_refused(tmp_path: Path) -> None:
    contents = {"real/file": b"data"}
    chain = [
        entry("real/file"),
        entry("one", tarfile.SYMTYPE, "real/file"),
        entry("dir/two", tarfile.SYMTYPE, "../one"),
    ]
    members = TarMembers(write_tar(tmp_path / "chain.tar", chain, contents), allow_symlinks=True)
    assert members.read("dir/two", 10) == b"data"
    loop = [entry("a", tarfile.SYMTYPE, "b"), entry("b", tarfile.SYMTYPE, "a")]
    looped = TarMembers(write_tar(tmp_path / "loop.tar", loop, {}), allow_symlinks=True)
    with pytest.raises(IntegrityError, match="loop"):
        looped.read("a", 10)


def test_symlinks_refused_unless_allowed(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "t.tar", [entry("x"), entry("y", tarfile.SYMTYPE, "x")], {})
    with pytest.raises(IntegrityError, match="'y' is a link"):
        TarMembers(archive, allow_symlinks=False)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([entry("dev/null", tarfile.CHRTYPE)], "special file"),
        ([entry("fifo", tarfile.FIFOTYPE)], "special file"),
        ([entry("x"), entry("./x")], "appears twice"),
        ([entry("x"), entry("hard", tarfile.LNKTYPE, "x")], "is a link"),
        ([entry("a/../../x")], "escapes the archive"),
        ([entry("a\\..\\x")], "escapes the archive"),
    ],
)
def test_hostile_members_are_refused_even_with_symlinks_allowed(
    tmp_path: Path, members: list[tarfile.TarInfo], message: str
) -> None:
    archive = write_tar(tmp_path / "hostile.tar", members, {})
    with pytest.raises(IntegrityError, match=message):
        TarMembers(archive, allow_symlinks=True)
