"""The migrations make exactly the schema the models describe (so a model change without
its migration fails here, not on somebody's server)."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from app.db import Database, metadata


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


# SQLite cannot reflect an index on an expression (lower(name)): there it is left out of
# the comparison, which PostgreSQL makes in full.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
async def test_migrated_schema_matches_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)

    assert differences == []


def _index_names(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = connection.exec_driver_sql("SELECT indexname FROM pg_indexes")
    return {name for (name,) in rows}


async def test_every_index_survives_the_migrations(db: Database) -> None:
    """Where the comparison cannot see (an index on lower(name) on SQLite), check by name:
    a migration that copies a table on SQLite would silently drop such an index."""
    declared = {index.name for table in metadata.tables.values() for index in table.indexes}
    async with db.engine.connect() as connection:
        present = await connection.run_sync(_index_names)

    assert declared - present == set()
