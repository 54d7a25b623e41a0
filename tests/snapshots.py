"""Every row of every table, to show that a refused request changed nothing at all."""

from __future__ import annotations

from functools import cache

from sqlalchemy import select, text

from app.db import Database, metadata

Snapshot = dict[str, list[tuple[object, ...]]]


async def snapshot(db: Database) -> Snapshot:
    """Every row of every table, each table in primary-key order.

    On PostgreSQL each row comes as its text form (every column's value, as `row::text`
    writes it), all tables in one statement: one round trip instead of one a table. Compare
    snapshots with snapshots, never with rows read otherwise."""
    rows: Snapshot = {}
    async with db.read() as session:
        if db.settings.is_sqlite:
            for table in metadata.sorted_tables:
                found = await session.execute(select(table).order_by(*table.primary_key.columns))
                rows[table.name] = [tuple(row) for row in found.all()]
        else:
            for name, texts in (await session.execute(text(_every_row_as_text()))).all():
                rows[name] = [(row,) for row in texts]
    return rows


@cache
def _every_row_as_text() -> str:
    """One row a table: its name and its rows' text forms in primary-key order."""
    return " UNION ALL ".join(
        f"SELECT '{table.name}', coalesce(array_agg(snapshot_row::text ORDER BY "
        + ", ".join(f'snapshot_row."{column.name}"' for column in table.primary_key.columns)
        + f"), '{{}}') FROM \"{table.name}\" AS snapshot_row"
        for table in metadata.sorted_tables
    )


def changed_tables(before: Snapshot, after: Snapshot) -> list[str]:
    """The tables whose rows differ between the two snapshots."""
    return sorted(name for name in before if before[name] != after[name])
