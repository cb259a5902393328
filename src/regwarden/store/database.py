"""Open the store: resolve the URL, connect, migrate to the newest schema, hand out repositories."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.store.advisories import AdvisoryRepository
from regwarden.store.api_tokens import TokenRepository
from regwarden.store.audit_findings import AuditFindingRepository
from regwarden.store.audit_log import AuditLogRepository
from regwarden.store.catalog import ImageCatalog
from regwarden.store.dashboard_queries import DashboardQueries
from regwarden.store.drift_queries import DriftQueries
from regwarden.store.engine import create_store_engine, resolve_url
from regwarden.store.events import EventRepository
from regwarden.store.exposures import ExposureRepository
from regwarden.store.findings import FindingRepository
from regwarden.store.history_queries import HistoryQueries
from regwarden.store.impact import ImpactQueries
from regwarden.store.jobs import JobRepository
from regwarden.store.leases import LeaseRepository
from regwarden.store.locations import LocationRepository
from regwarden.store.posture_runs import PostureRunRepository
from regwarden.store.quarantine import QuarantineRepository
from regwarden.store.sessions import SessionRepository
from regwarden.store.signatures import SignatureRepository
from regwarden.store.state import StateRepository
from regwarden.store.stored_sboms import StoredSboms
from regwarden.store.triage import TriageRepository
from regwarden.store.users import UserRepository
from regwarden.store.workload_pages import WorkloadQueries
from regwarden.store.workloads import WorkloadRepository

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x7265_6777_6172_6431
"""PostgreSQL advisory lock key held while migrating (`regward1` in ASCII; any fixed 64-bit number would do)."""


class Store:
    """One database connection pool and its repositories (advisories, and the inventory's). Close it (or use
    `with`) when done."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.advisories = AdvisoryRepository(engine)
        self.catalog = ImageCatalog(engine)
        self.locations = LocationRepository(engine)
        self.findings = FindingRepository(engine)
        self.workloads = WorkloadRepository(engine)
        self.exposures = ExposureRepository(engine)
        self.events = EventRepository(engine)
        self.triage = TriageRepository(engine)
        self.impact = ImpactQueries(engine)
        self.leases = LeaseRepository(engine)
        self.state = StateRepository(engine)
        self.sboms = StoredSboms(engine)
        self.history = HistoryQueries(engine)
        self.drift = DriftQueries(engine)
        self.audit_findings = AuditFindingRepository(engine)
        self.quarantine = QuarantineRepository(engine)
        self.jobs = JobRepository(engine)
        self.users = UserRepository(engine)
        self.sessions = SessionRepository(engine)
        self.tokens = TokenRepository(engine)
        self.audit_log = AuditLogRepository(engine)
        self.posture_runs = PostureRunRepository(engine)
        self.signatures = SignatureRepository(engine)
        self.dashboard = DashboardQueries(engine)
        self.workload_pages = WorkloadQueries(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def open_store(url: str | None = None, environ: Mapping[str, str] | None = None) -> Store:
    """The store at `url`, else `REGWARDEN_DB`, else the user's SQLite file; migrated to the newest schema."""
    engine = create_store_engine(resolve_url(url, environ))
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the packaged Alembic migrations up to `revision` on `engine`'s database."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Workers, servers and a migration Job all migrate when they start: one at a time (the lock lasts until
            # this transaction ends), so the others find the schema current instead of creating tables twice.
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The database's schema revision (None: a database no regwarden has migrated yet)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        current: str | None = MigrationContext.configure(connection).get_current_revision()
    return current


def database_age(store: Store, now: datetime | None = None) -> timedelta | None:
    """How old the stalest ecosystem in the store is; None when nothing was ever loaded.

    The stalest, not the freshest: one fresh ecosystem must not hide a month-old one from a staleness check.
    """
    oldest = store.advisories.oldest_update()
    if oldest is None:
        return None
    return (now or datetime.now(UTC)) - oldest
