"""Emptying what a test used: every table (the schema stays) and a Redis database."""

from __future__ import annotations

import redis
from sqlalchemy import text

from app.db import Database, metadata


async def empty_database(db: Database) -> None:
    """Delete every row, children first; on PostgreSQL also restart the id sequences.

    On PostgreSQL this is one DO block of DELETEs, not TRUNCATE: TRUNCATE gives each of the
    ~90 tables and their indexes new files, which takes a good part of a second, and this
    runs after every test; deleting the few rows a test wrote takes milliseconds."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with db.transaction() as session:
        if db.settings.is_sqlite:
            for name in tables:
                await session.execute(text(f'DELETE FROM "{name}"'))
        else:
            deletes = " ".join(f'DELETE FROM "{name}";' for name in tables)
            # Every sequence of the schema belongs to a table's id column (as TRUNCATE ...
            # RESTART IDENTITY would): the next row gets id 1 again.
            restart = (
                "PERFORM setval(format('%I.%I', schemaname, sequencename)::regclass,"
                " start_value, false) FROM pg_sequences WHERE schemaname = current_schema();"
            )
            await session.execute(text(f"DO $$ BEGIN {deletes} {restart} END $$"))


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
