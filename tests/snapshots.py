"""Every row of every table, to show that a refused request changed nothing at all."""

from __future__ import annotations

from sqlalchemy import select

from app.db import Database, metadata

Snapshot = dict[str, list[tuple[object, ...]]]


async def snapshot(db: Database) -> Snapshot:
    """Every row of every table, each table in primary-key order."""
    rows: Snapshot = {}
    async with db.read() as session:
        for table in metadata.sorted_tables:
            found = await session.execute(select(table).order_by(*table.primary_key.columns))
            rows[table.name] = [tuple(row) for row in found.all()]
    return rows


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ between the two snapshots."""
    return sorted(name for name in before if before[name] != after[name])
