"""Advisory sources: where OSV records come from (an OSV export over HTTP, a zip, a directory, one file).

Every source yields raw `(id, OSV JSON bytes)` records; parsing and indexing happen once, in the store.
"""
