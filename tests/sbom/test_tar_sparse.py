"""GNU sparse maps: the checks that turn a bad map into an unreadable member rather than wrong content.

Whole archives from real GNU tar runs are in test_sparse_layers.py; these are the edge cases GNU tar never
writes, as small records and blocks.
"""

from __future__ import annotations

import pytest

from regwarden.oci.compression import CorruptLayerError
from regwarden.sbom.tar_sparse import SparseMap, SparseMapError, ordered_pax_map, pax_sparse, read_sparse_map


class Blocks:
    """A BlockSource over a list of 512-byte blocks, counting what was read."""

    def __init__(self, *blocks: bytes) -> None:
        self.blocks = [block.ljust(512, b"\0") for block in blocks]
        self.read = 0

    def data_block(self) -> bytes:
        return self.next_block()

    def next_block(self) -> bytes:
        if self.read >= len(self.blocks):
            raise SparseMapError("no more data")
        self.read += 1
        return self.blocks[self.read - 1]


def test_expand_puts_each_run_at_its_offset() -> None:
    sparse = SparseMap(10, ((1, 2), (6, 3), (10, 0)))
    sparse.check(5)
    assert sparse.expand(b"abXYZ") == b"\0ab\0\0\0XYZ\0"


@pytest.mark.parametrize(
    ("segments", "stored", "message"),
    [
        (((0, 4), (2, 4)), 8, "overlaps"),
        (((0, 4), (8, 4)), 8, "passes the real size"),
        (((0, 4),), 5, "map describes 4 data bytes, the member holds 5"),
    ],
)
def test_maps_that_do_not_fit_are_refused(segments: tuple[tuple[int, int], ...], stored: int, message: str) -> None:
    with pytest.raises(SparseMapError, match=message):
        SparseMap(10, segments).check(stored)


def test_pax_0_0_records_are_read_in_order_from_the_raw_header() -> None:
    raw = b"26 GNU.sparse.size=307200\n23 GNU.sparse.offset=0\n28 GNU.sparse.numbytes=4096\n"
    raw += b"28 GNU.sparse.offset=307200\n25 GNU.sparse.numbytes=0\n"
    assert ordered_pax_map(raw) == "0,4096,307200,0"
    assert ordered_pax_map(b"30 mtime=1796683278.875884204\n") is None
    # Two offsets in a row: no usable map, and the member says so.
    broken = ordered_pax_map(b"23 GNU.sparse.offset=0\n23 GNU.sparse.offset=9\n")
    with pytest.raises(SparseMapError, match=r"no GNU\.sparse\.map"):
        pax_sparse({"GNU.sparse.size": "9", "GNU.sparse.map": broken or ""})


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ({"GNU.sparse.major": "2", "GNU.sparse.minor": "0"}, r"unsupported GNU sparse format 2\.0"),
        ({"GNU.sparse.major": "1", "GNU.sparse.minor": "0"}, "invalid realsize"),
        ({"GNU.sparse.size": "-1", "GNU.sparse.map": "0,1"}, "invalid size"),
        ({"GNU.sparse.size": "9", "GNU.sparse.map": "0,1,5"}, "odd count"),
    ],
)
def test_bad_pax_records(records: dict[str, str], message: str) -> None:
    with pytest.raises(SparseMapError, match=message):
        read_sparse_map(records, None, Blocks(), 1024)


def test_a_1_0_map_may_span_blocks_and_cut_a_number_at_the_block_end() -> None:
    pairs = tuple((run * 100_000, 4096) for run in range(60))
    text = f"{len(pairs)}\n".encode() + b"".join(f"{offset}\n{size}\n".encode() for offset, size in pairs)
    assert len(text) > 512 and text[511:512].isdigit() and text[512:513].isdigit()  # a number crosses blocks
    records = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.realsize": "6000000"}
    blocks = Blocks(text[:512], text[512:])

    found = read_sparse_map(records, None, blocks, 4096)

    assert (found.segments, blocks.read) == (pairs, 2)


def test_a_1_0_map_longer_than_the_limit_is_refused() -> None:
    records = {"GNU.sparse.major": "1", "GNU.sparse.minor": "0", "GNU.sparse.realsize": "1"}
    with pytest.raises(SparseMapError, match="map longer than 1024 bytes"):
        read_sparse_map(records, None, Blocks(b"999\n" + b"1\n" * 200, b"1\n" * 256, b"1\n" * 256), 1024)


def test_old_gnu_extension_blocks_beyond_the_limit_fail_the_layer() -> None:
    header = bytearray(512)
    header[482] = 1  # another block follows
    extension = bytearray(512)
    extension[504] = 1  # ... forever
    with pytest.raises(CorruptLayerError, match="extension blocks over 1024 bytes"):
        read_sparse_map({}, bytes(header), Blocks(*[bytes(extension)] * 10), 1024)
