"""Readers of rpm's package databases (sqlite, Berkeley DB hash, NDB) and of the header blobs they store."""
