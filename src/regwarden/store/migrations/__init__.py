"""Alembic migrations for the store, run programmatically by `regwarden.store.migrate` (no alembic.ini)."""
