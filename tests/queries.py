"""Counting the SQL statements the app sends, to show that a page's queries do not grow
with the number of things it lists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.db import Database

# SQLite's BEGIN goes through the cursor (app/db.py issues it), PostgreSQL's does not:
# leaving transaction control out makes the counts of both backends alike.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def sql_statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements the real engine sends while inside the block, in order."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            sent.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
