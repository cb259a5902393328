"""OSV records from local files, for air-gapped imports: an export zip, a directory tree, or one file.

JSON and YAML records are both accepted (OSV allows either); YAML is turned into JSON here so the store only
ever sees JSON. A zip is verified (every member's CRC) before a single record is yielded, so a corrupt archive
fails as a whole instead of half-loading.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import yaml

from regwarden.model.errors import IntegrityError
from regwarden.vuln.sources.interface import AdvisorySource, AdvisorySourceError, RawRecord

JSON_SUFFIXES = frozenset({".json"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
RECORD_SUFFIXES = JSON_SUFFIXES | YAML_SUFFIXES


class OsvZipSource:
    """An OSV export zip (`<ECOSYSTEM>/all.zip`): one `<ID>.json` member per record."""

    needs_network = False

    def __init__(self, path: Path, location: str | None = None) -> None:
        self.path = path
        self._location = location or str(path)

    @property
    def location(self) -> str:
        return self._location

    def verify(self) -> None:
        """Raise IntegrityError unless the file is a zip whose every member passes its CRC check."""
        try:
            with zipfile.ZipFile(self.path) as archive:
                bad_member = archive.testzip()
        except (zipfile.BadZipFile, OSError) as error:
            raise IntegrityError(f"{self._location} is not a readable zip archive: {error}") from error
        except (zlib.error, EOFError, NotImplementedError) as error:
            raise IntegrityError(f"{self._location} is corrupt: {error}") from error
        if bad_member is not None:
            raise IntegrityError(f"{self._location} is corrupt: member {bad_member} fails its CRC check")

    def records(self) -> Iterator[RawRecord]:
        self.verify()
        with zipfile.ZipFile(self.path) as archive:
            for info in archive.infolist():
                member = PurePosixPath(info.filename)
                if info.is_dir() or member.suffix.lower() not in RECORD_SUFFIXES:
                    continue
                yield member.stem, _as_json(member.suffix, archive.read(info))


class OsvDirectorySource:
    """Every `*.json`, `*.yaml` and `*.yml` below a directory (e.g. a clone of an advisory repository)."""

    needs_network = False

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def records(self) -> Iterator[RawRecord]:
        files = sorted(p for p in self.path.rglob("*") if p.is_file() and p.suffix.lower() in RECORD_SUFFIXES)
        for file in files:
            yield file.stem, _as_json(file.suffix, _read(file))


class OsvFileSource:
    """One OSV record in a JSON or YAML file, or a JSON array of records."""

    needs_network = False

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def location(self) -> str:
        return str(self.path)

    def records(self) -> Iterator[RawRecord]:
        data = _as_json(self.path.suffix, _read(self.path))
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError):
            # Unreadable: hand it on unchanged so the store rejects it with a reason, like any bad record.
            yield self.path.stem, data
            return
        if isinstance(document, list):
            for position, item in enumerate(document):
                yield _item_id(item, f"{self.path.stem}[{position}]"), json.dumps(item).encode()
            return
        yield self.path.stem, data


def open_path_source(path: Path) -> AdvisorySource:
    """The source for `db import PATH`: a directory, a zip, or one JSON/YAML record file."""
    if path.is_dir():
        return OsvDirectorySource(path)
    if not path.is_file():
        raise AdvisorySourceError(f"{path}: no such file or directory")
    if zipfile.is_zipfile(path):
        return OsvZipSource(path)
    if path.suffix.lower() == ".zip":
        raise IntegrityError(f"{path} is not a readable zip archive")
    if path.suffix.lower() in RECORD_SUFFIXES:
        return OsvFileSource(path)
    raise AdvisorySourceError(f"{path}: expected an OSV zip, a directory, or a .json/.yaml/.yml record file")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise AdvisorySourceError(f"cannot read {path}: {error.strerror or error}") from error


def _as_json(suffix: str, data: bytes) -> bytes:
    if suffix.lower() not in YAML_SUFFIXES:
        return data
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError:
        return data
    try:
        # YAML turns unquoted timestamps into datetimes; OSV wants them back as RFC 3339 text.
        return json.dumps(document, default=_timestamp_text).encode()
    except (TypeError, ValueError):
        return data


def _timestamp_text(value: object) -> str:
    if isinstance(value, datetime):
        text = value.isoformat()
        return text.replace("+00:00", "Z") if value.tzinfo is not None else f"{text}Z"
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _item_id(item: object, fallback: str) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return str(item["id"])
    return fallback
