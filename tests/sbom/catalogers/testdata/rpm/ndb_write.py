"""Writes rpm's installed headers from an rpmdb.sqlite as an NDB Packages.db.

Debian's rpm 4.18 is built without the NDB backend, so this writes the layout rpm's lib/backend/ndb/rpmpkg.c
writes: a 32-byte header ("RpmP", version 0, generation, slot page count, next package index) inside the first
4096-byte slot page, 16-byte slots ("Slot", pkgidx, blkoff, blkcnt; blocks are 16 bytes), then each blob as
"BlbS", pkgidx, timestamp, length, the header, zero padding, and a tail of adler32, length, "BlbE".
"""

import sqlite3
import struct
import sys
import zlib

PAGE, BLK = 4096, 16
rows = sqlite3.connect(sys.argv[1]).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
slots = bytearray(b"Slot" + bytes(12)) * (PAGE // 16)
blobs = bytearray()
blkoff = PAGE // BLK
for hnum, blob in rows:
    blob = bytes(blob)
    head = struct.pack("<4sIII", b"BlbS", hnum, 1700000000, len(blob))
    blkcnt = (len(head) + len(blob) + 12 + BLK - 1) // BLK
    pad = bytes(blkcnt * BLK - len(head) - len(blob) - 12)
    adler = zlib.adler32(head + blob + pad)
    blobs += head + blob + pad + struct.pack("<II4s", adler, len(blob), b"BlbE")
    slots[16 * (hnum + 1) : 16 * (hnum + 2)] = struct.pack("<4sIII", b"Slot", hnum, blkoff, blkcnt)
    blkoff += blkcnt
next_idx = max(hnum for hnum, _ in rows) + 1
slots[0:32] = struct.pack("<4sIIII", b"RpmP", 0, len(rows) + 1, 1, next_idx) + bytes(12)
sys.stdout.buffer.write(bytes(slots) + bytes(blobs))
