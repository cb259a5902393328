"""rpm's sqlite backend (rpm >= 4.16, default on Fedora 33+ and RHEL 9): table `Packages(hnum, blob)`."""

from __future__ import annotations

from contextlib import closing

from regwarden.sbom.catalogers.rpmdb.header import RpmDbError

_MAGIC = b"SQLite format 3\0"
_WAL_VERSIONS = slice(18, 20)


def read_sqlite_blobs(content: bytes) -> tuple[list[bytes], list[str]]:
    """Header blobs of an rpmdb.sqlite in install order, and rows that hold no blob; raises RpmDbError
    when the file is not an rpm sqlite database."""
    if not content.startswith(_MAGIC):
        raise RpmDbError("not an sqlite database (bad magic)")
    import sqlite3  # only rpm images need it; not imported on every run

    image = bytearray(content)
    # rpm opens its database in WAL mode; an in-memory copy cannot have a -wal file, so open it as a
    # rollback-journal database. Transactions rpm never checkpointed into the main file are not seen (rpm
    # checkpoints on close, so an image built by a finished rpm run has none).
    if image[_WAL_VERSIONS] == b"\x02\x02":
        image[_WAL_VERSIONS] = b"\x01\x01"
    with closing(sqlite3.connect(":memory:")) as connection:
        connection.text_factory = bytes  # a damaged file must not fail on decoding text it does not need
        try:
            connection.deserialize(bytes(image))
            rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
        except (sqlite3.Error, ValueError) as error:
            raise RpmDbError(f"unreadable rpm sqlite database: {error}") from error
    blobs = [blob for _, blob in rows if isinstance(blob, bytes)]
    problems = [f"header {hnum}: not a blob" for hnum, blob in rows if not isinstance(blob, bytes)]
    return blobs, problems
