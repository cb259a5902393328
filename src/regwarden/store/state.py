"""Small named facts about the inventory as a whole (e.g. which advisory update it was last matched against)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from regwarden.store.inventory_schema import inventory_state
from regwarden.store.upsert import dialect_insert

MATCHED_THROUGH = "matched_through"
"""RFC 3339 time of the newest advisory update the whole inventory has been matched against."""


class StateRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: str) -> str | None:
        with self._engine.connect() as conn:
            value = conn.execute(sa.select(inventory_state.c.value).where(inventory_state.c.key == key)).scalar()
        return None if value is None else str(value)

    def set(self, key: str, value: str) -> None:
        with self._engine.begin() as conn:
            insert = dialect_insert(conn, inventory_state)
            conn.execute(
                insert.on_conflict_do_update(index_elements=["key"], set_={"value": insert.excluded.value}),
                [{"key": key, "value": value}],
            )
