"""Emptying what a test used: every table (the schema stays) and a Redis database."""

from __future__ import annotations

import redis
from sqlalchemy import text

from app.db import Database, metadata


async def empty_database(db: Database) -> None:
    """Delete every row, children first; on PostgreSQL also restart the id sequences."""
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    async with db.transaction() as session:
        if db.settings.is_sqlite:
            for name in tables:
                await session.execute(text(f'DELETE FROM "{name}"'))
        else:
            quoted = ", ".join(f'"{name}"' for name in tables)
            await session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
