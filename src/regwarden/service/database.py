"""Advisory database use cases: `db update` (OSV exports over HTTP), `db import PATH`, `db status`.

Each ecosystem is written in its own transaction, only after its download is complete and verified, so any
failure (HTTP 500, timeout, corrupt zip, interrupted download) leaves that ecosystem's previous records answering
lookups. One ecosystem failing does not stop the others; the report lists the failure and the caller re-raises it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from regwarden.model.advisory_database import DatabaseStatus, EcosystemUpdate, ImportReport, RematchReport, UpdateReport
from regwarden.model.errors import BadInputError, NoDataError, NotFoundError, RegwardenError
from regwarden.service.rematch import mark_matched_through, rematch_advisories
from regwarden.store import Store, database_age, open_store
from regwarden.store.records import utc_text
from regwarden.vuln.sources.interface import TransferProgress
from regwarden.vuln.sources.osv_export import DEFAULT_BASE_URL, OsvExport
from regwarden.vuln.sources.osv_files import open_path_source

OSV_URL_ENV = "REGWARDEN_OSV_URL"
ECOSYSTEMS_ENV = "REGWARDEN_ECOSYSTEMS"
DEFAULT_ECOSYSTEMS = (
    "Debian",
    "Alpine",
    "PyPI",
    "npm",
    "Go",
    "Maven",
    "crates.io",
    "RubyGems",
    "NuGet",
    "Packagist",
)
"""What `db update` fetches without `--ecosystem` and `REGWARDEN_ECOSYSTEMS`, besides every ecosystem scans needed:
the ecosystems regwarden's catalogers produce packages for."""
INCREMENTAL_LIMIT = 2000
"""Above this many changed records one `all.zip` is cheaper than one request per record."""


@dataclass(frozen=True)
class UpdateOptions:
    ecosystems: tuple[str, ...] = ()
    """Empty: `REGWARDEN_ECOSYSTEMS` (else DEFAULT_ECOSYSTEMS) plus every ecosystem scans recorded as needed."""
    base_url: str | None = None
    """None: `REGWARDEN_OSV_URL`, else the public OSV bucket."""
    full: bool = False
    """Download every `all.zip` even when an incremental update is possible."""
    timeout: float = 60.0
    cache_dir: Path | None = None
    """Where partial downloads wait to be resumed; None: the user's cache dir."""


def update_database(
    options: UpdateOptions,
    *,
    db_url: str | None = None,
    progress: TransferProgress | None = None,
    transport: httpx.BaseTransport | None = None,
    environ: Mapping[str, str] | None = None,
    endpoints: Sequence[str] = (),
) -> UpdateReport:
    """Bring each ecosystem up to date from the OSV exports (failures are collected per ecosystem), then re-match
    the inventory against what changed; `endpoints` are the webhooks its events are queued to."""
    env = os.environ if environ is None else environ
    base_url = options.base_url or env.get(OSV_URL_ENV) or DEFAULT_BASE_URL
    cache_dir = options.cache_dir or default_cache_dir(env)
    updated: list[EcosystemUpdate] = []
    failed: list[tuple[str, RegwardenError]] = []
    with (
        open_store(db_url, env) as store,
        httpx.Client(transport=transport, timeout=options.timeout, follow_redirects=True) as client,
    ):
        for ecosystem in _ecosystems(options, store, env):
            export = OsvExport(base_url, ecosystem, client, cache_dir, progress)
            try:
                updated.append(_update_one(store, export, full=options.full))
            except RegwardenError as error:
                failed.append((ecosystem, error))
        changed = {advisory for update in updated for advisory in update.changed}
        removed = {advisory for update in updated for advisory in update.removed}
        rematch = _rematch(store, changed, removed, endpoints)
    return UpdateReport(tuple(updated), tuple(failed), rematch)


def import_advisories(path: Path, *, db_url: str | None = None, endpoints: Sequence[str] = ()) -> ImportReport:
    """Load OSV records from a zip, a directory or one file (air-gapped), merging them by id; then re-match the
    inventory against the new and changed ones."""
    source = open_path_source(path)
    with open_store(db_url) as store:
        report = store.advisories.merge(source.records(), collection=None, source=source.location)
        rematch = _rematch(store, set(report.changed), set(), endpoints)
    return ImportReport(
        source.location, report.written, report.rejected, report.kept_newer, report.collections, report.changed, rematch
    )


def _rematch(store: Store, changed: set[str], removed: set[str], endpoints: Sequence[str]) -> RematchReport | None:
    """The inventory's side of an update; skipped when no advisory changed (an unchanged re-import is free), but
    the inventory is then current with this update all the same (`matched_through`, which `drift` reads)."""
    if not changed and not removed:
        mark_matched_through(store)
        return None
    return rematch_advisories(store, changed, removed, endpoints=endpoints)


def database_status(*, db_url: str | None = None) -> DatabaseStatus:
    """Per-ecosystem counts and update times; NoDataError when nothing was ever loaded."""
    with open_store(db_url) as store:
        ecosystems = tuple(store.advisories.status())
        if not ecosystems:
            raise NoDataError(
                f"the advisory database {store.url} is empty: run `regwarden db update` or `regwarden db import PATH`"
            )
        return DatabaseStatus(store.url, ecosystems, database_age(store))


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    cache_home = environ.get("XDG_CACHE_HOME") or ""
    base = Path(cache_home) if cache_home else Path(environ.get("HOME") or Path.home()) / ".cache"
    return base / "regwarden" / "osv"


def _ecosystems(options: UpdateOptions, store: Store, environ: Mapping[str, str]) -> tuple[str, ...]:
    """`--ecosystem` when given; else the configured list, then every ecosystem a scan has needed."""
    chosen = _names(options.ecosystems)
    if options.ecosystems and not chosen:
        raise BadInputError("--ecosystem needs a name, e.g. --ecosystem PyPI")
    return chosen or tuple(dict.fromkeys((*configured_ecosystems(environ), *store.advisories.seen_ecosystems())))


def configured_ecosystems(environ: Mapping[str, str]) -> tuple[str, ...]:
    """`REGWARDEN_ECOSYSTEMS` (comma-separated) when set, else DEFAULT_ECOSYSTEMS.

    Set but empty counts as unset (a CI variable that expands to nothing); commas with no names are an error.
    """
    value = environ.get(ECOSYSTEMS_ENV, "")
    if not value.strip():
        return DEFAULT_ECOSYSTEMS
    names = _names(value.split(","))
    if not names:
        raise BadInputError(f"{ECOSYSTEMS_ENV} is set but names no ecosystem; use e.g. {ECOSYSTEMS_ENV}=Debian,PyPI")
    return names


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.strip() for e in values if e.strip()))


def _update_one(store: Store, export: OsvExport, *, full: bool) -> EcosystemUpdate:
    watermark = None if full else store.advisories.watermark(export.ecosystem)
    if watermark is not None:
        incremental = _incremental(store, export, watermark)
        if incremental is not None:
            return incremental
    source = export.download_all()
    report = store.advisories.replace_collection(export.ecosystem, source.records(), source=source.location)
    source.path.unlink(missing_ok=True)
    return EcosystemUpdate(
        export.ecosystem, "full", report.written, report.rejected, source.location, report.changed, report.removed
    )


def _incremental(store: Store, export: OsvExport, watermark: str) -> EcosystemUpdate | None:
    """Fetch only records modified after `watermark`; None when a full download is the better choice."""
    newer = _newer_than(export, watermark)
    if newer is None or len(newer) > INCREMENTAL_LIMIT:
        return None
    if not newer:
        store.advisories.mark_current(export.ecosystem)
        return EcosystemUpdate(export.ecosystem, "unchanged", 0, (), export.location)
    # Fetch everything before the transaction opens: the database is locked only for the write itself.
    fetched = list(export.fetch_records(sorted(newer)))
    new_watermark = max(newer.values())
    report = store.advisories.merge(
        fetched, collection=export.ecosystem, source=export.location, watermark=new_watermark
    )
    return EcosystemUpdate(
        export.ecosystem, "incremental", report.written, report.rejected, export.location, report.changed
    )


def _newer_than(export: OsvExport, watermark: str) -> dict[str, str] | None:
    """id → normalised modified for index entries after the watermark; None if the index is unreadable."""
    try:
        entries = export.modified_ids()
    except NotFoundError:
        return None  # a mirror without the index still serves all.zip
    newer: dict[str, str] = {}
    for entry in entries:
        try:
            modified = utc_text(entry.modified)
        except BadInputError:
            return None  # an index we cannot read is no basis for skipping records: fall back to all.zip
        if modified > watermark:
            newer[entry.id] = max(modified, newer.get(entry.id, modified))
    return newer
