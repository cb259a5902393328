"""The public OSV exports over HTTP: `<base>/<ECOSYSTEM>/all.zip`, `modified_id.csv` and `<ID>.json`.

Downloads are resumable: bytes go to `<cache>/<ECOSYSTEM>-all.zip.part`, and a later run asks for the rest with
`Range` + `If-Range` (the ETag of the first attempt), so a changed export restarts cleanly instead of splicing
two different files together. Every failure becomes a RegwardenError; nothing here touches the store.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from regwarden.model.errors import IntegrityError, NotFoundError, UnreachableError
from regwarden.vuln.sources.interface import NoProgress, RawRecord, TransferProgress
from regwarden.vuln.sources.osv_files import OsvZipSource

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"


@dataclass(frozen=True)
class ModifiedEntry:
    modified: str
    """As the index wrote it (RFC 3339)."""
    id: str


class OsvExport:
    """One ecosystem's export on an OSV bucket (or a mirror of it)."""

    needs_network = True

    def __init__(
        self,
        base_url: str,
        ecosystem: str,
        client: httpx.Client,
        cache_dir: Path,
        progress: TransferProgress | None = None,
    ) -> None:
        self.ecosystem = ecosystem
        self._prefix = f"{base_url.rstrip('/')}/{quote(ecosystem, safe='')}"
        self._client = client
        self._cache_dir = cache_dir
        self._progress = progress or NoProgress()

    @property
    def location(self) -> str:
        return f"{self._prefix}/all.zip"

    def records(self) -> Iterator[RawRecord]:
        """Every record of the complete export (downloads and verifies `all.zip` first)."""
        source = self.download_all()
        try:
            yield from source.records()
        finally:
            source.path.unlink(missing_ok=True)

    def download_all(self) -> OsvZipSource:
        """Download (or finish downloading) `all.zip`, verify it, and return it as a zip source.

        A corrupt download is deleted before IntegrityError is raised, so the next run starts afresh.
        """
        part = self._cache_dir / f"{_file_stem(self.ecosystem)}-all.zip.part"
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        self._fetch_to(part)
        done = part.with_suffix("")
        part.replace(done)
        _etag_file(part).unlink(missing_ok=True)
        source = OsvZipSource(done, location=self.location)
        try:
            source.verify()
        except IntegrityError:
            done.unlink(missing_ok=True)
            raise
        return source

    def modified_ids(self) -> list[ModifiedEntry]:
        """The export's `modified_id.csv`: one `<modified>,<id>` line per record."""
        text = self._get(f"{self._prefix}/modified_id.csv").decode("utf-8", errors="replace")
        entries: list[ModifiedEntry] = []
        for row in csv.reader(io.StringIO(text)):
            if len(row) >= 2 and row[0].strip() and row[1].strip():
                # The root index spells ids `<ECOSYSTEM>/<ID>`; per-ecosystem ones are bare ids.
                entries.append(ModifiedEntry(row[0].strip(), row[1].strip().rpartition("/")[2]))
        return entries

    def fetch_records(self, ids: list[str]) -> Iterator[RawRecord]:
        """`<ID>.json` for each id, in order."""
        self._progress.start(f"{self.ecosystem} changes", len(ids))
        try:
            for record_id in ids:
                yield record_id, self._get(f"{self._prefix}/{quote(record_id, safe='')}.json")
                self._progress.advance(1)
        finally:
            self._progress.finish()

    def _get(self, url: str) -> bytes:
        try:
            response = self._client.get(url)
        except httpx.TimeoutException as error:
            raise UnreachableError(f"timed out fetching {url}") from error
        except httpx.HTTPError as error:
            raise UnreachableError(f"cannot fetch {url}: {error}") from error
        _check_status(response, url)
        return response.content

    def _fetch_to(self, part: Path) -> None:
        headers = _resume_headers(part)
        url = self.location
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code == httpx.codes.REQUESTED_RANGE_NOT_SATISFIABLE:
                    raise _restart(part, url)
                _check_status(response, url)
                self._write_body(response, part)
        except httpx.TimeoutException as error:
            raise UnreachableError(f"timed out downloading {url}; run again to resume") from error
        except httpx.HTTPError as error:
            raise UnreachableError(f"download of {url} interrupted ({error}); run again to resume") from error

    def _write_body(self, response: httpx.Response, part: Path) -> None:
        resumed = response.status_code == httpx.codes.PARTIAL_CONTENT
        if not resumed:
            # A full answer (first run, no Range support, or the export changed): start the file over.
            part.unlink(missing_ok=True)
            etag = response.headers.get("ETag")
            if etag:
                _etag_file(part).write_text(etag, encoding="utf-8")
        offset = part.stat().st_size if part.exists() else 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        self._progress.start(f"{self.ecosystem} all.zip", total, offset)
        try:
            with part.open("ab" if resumed else "wb") as out:
                # Raw bytes as they arrive (identity encoding was requested): byte offsets must be file
                # offsets for Range to resume, and nothing may sit in a buffer when the connection drops.
                for chunk in response.iter_raw():
                    out.write(chunk)
                    self._progress.advance(len(chunk))
        finally:
            self._progress.finish()


def _resume_headers(part: Path) -> dict[str, str]:
    if not part.exists() or part.stat().st_size == 0:
        return {"Accept-Encoding": "identity"}
    headers = {"Accept-Encoding": "identity", "Range": f"bytes={part.stat().st_size}-"}
    etag_file = _etag_file(part)
    if etag_file.exists():
        headers["If-Range"] = etag_file.read_text(encoding="utf-8").strip()
    return headers


def _restart(part: Path, url: str) -> UnreachableError:
    # 416: our partial file does not fit the server's (it shrank or changed); drop it and let the user rerun.
    part.unlink(missing_ok=True)
    _etag_file(part).unlink(missing_ok=True)
    return UnreachableError(f"{url} changed during an interrupted download; run again to start over")


def _check_status(response: httpx.Response, url: str) -> None:
    if response.status_code == httpx.codes.NOT_FOUND:
        raise NotFoundError(f"{url} does not exist (is the ecosystem name spelled as OSV spells it?)")
    if response.status_code >= 400:
        raise UnreachableError(f"{url} answered HTTP {response.status_code}")


def _etag_file(part: Path) -> Path:
    return part.with_name(part.name + ".etag")


def _file_stem(ecosystem: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "_" for c in ecosystem)
