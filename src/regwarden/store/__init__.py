"""The store: SQLAlchemy Core tables, repositories per aggregate, Alembic migrations (SQLite and PostgreSQL).

Entry point: `open_store(url)` → `Store` with `.advisories` (see store/advisories.py).
"""

from regwarden.store.advisories import WriteReport
from regwarden.store.database import Store, database_age, migrate, open_store

__all__ = ["Store", "WriteReport", "database_age", "migrate", "open_store"]
