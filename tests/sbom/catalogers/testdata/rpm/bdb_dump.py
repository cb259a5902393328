"""Writes rpm's installed headers from an rpmdb.sqlite as a db_dump "bytevalue" file for db5.3_load."""

import sqlite3
import struct
import sys

rows = sqlite3.connect(sys.argv[1]).execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
print("VERSION=3\nformat=bytevalue\ntype=hash\nHEADER=END")
# rpm's BDB Packages keeps the next free header number under key 0.
print(" " + struct.pack("<I", 0).hex())
print(" " + struct.pack("<I", max(hnum for hnum, _ in rows) + 1).hex())
for hnum, blob in rows:
    print(" " + struct.pack("<I", hnum).hex())
    print(" " + bytes(blob).hex())
print("DATA=END")
