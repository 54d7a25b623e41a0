"""The security world saved once after it is built, and put back after a write changed it.

Building the world goes through the services (users, sessions, tokens, invitations ...) and
takes seconds; putting back what it left behind takes a few bulk statements. What is saved
is everything the world consists of:

- every row of every table (the same ids), and on PostgreSQL every sequence's position, so
  the next row gets the id it would get in a freshly built world;
- every key of the Redis database (its value and time to live);
- the stored files the build wrote (a write may delete one);
- each client's cookies and headers (a logout clears its cookie; the session row comes back,
  so the cookie is valid again).

Afterwards the page cache's generation moves on, as after any write, so no page kept while
the world was changed is served again.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from http.cookiejar import Cookie
from pathlib import Path
from typing import cast

import redis
from httpx import AsyncClient, Headers
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app import pagecache
from app.db import Database, metadata
from tests.security.world import World
from tests.snapshots import Snapshot, snapshot

Sequence = tuple[str, int, bool]  # name, value, whether nextval has been called


@dataclass
class SavedClient:
    http: AsyncClient
    cookies: list[Cookie]
    headers: Headers


@dataclass
class Saved:
    rows: dict[str, list[tuple[object, ...]]]  # to insert again
    snapshot: Snapshot  # to compare with tests.snapshots.snapshot
    sequences: list[Sequence]
    sqlite_sequence: list[tuple[str, int]]
    redis: list[tuple[bytes, int, bytes]]  # key, milliseconds to live (0: none), DUMP value
    files: dict[Path, bytes]
    clients: list[SavedClient] = field(default_factory=list)


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


async def save(
    db: Database, redis_url: str, world: World, storage_root: Path, files_before: set[Path]
) -> Saved:
    """What the freshly built world consists of (call it right after the build)."""
    async with db.engine.connect() as conn:
        sequences = await _sequences(conn) if not db.settings.is_sqlite else []
        sqlite_sequence = await _sqlite_sequence(conn) if db.settings.is_sqlite else []
    client = redis.Redis.from_url(redis_url)
    try:
        keys = []
        for key in client.scan_iter(count=1000):
            ttl = cast(int, client.pttl(key))
            value = cast(bytes | None, client.dump(key))
            if ttl != -2 and value is not None:
                keys.append((key, max(ttl, 0), value))
    finally:
        client.close()
    rows: dict[str, list[tuple[object, ...]]] = {}
    async with db.read() as session:
        for table in metadata.sorted_tables:
            rows[table.name] = [tuple(row) for row in (await session.execute(select(table))).all()]
    return Saved(
        rows=rows,
        snapshot=await snapshot(db),
        sequences=sequences,
        sqlite_sequence=sqlite_sequence,
        redis=keys,
        files={path: path.read_bytes() for path in files_under(storage_root) - files_before},
        clients=[
            SavedClient(
                http=http,
                cookies=[copy.copy(cookie) for cookie in http.cookies.jar],
                headers=Headers(http.headers),
            )
            for http in (*world.pages.values(), *world.api.values())
        ],
    )


async def restore(db: Database, redis_url: str, saved: Saved) -> None:
    """Put the world back as `save` found it."""
    tables = metadata.sorted_tables
    async with db.engine.begin() as conn:
        for table in reversed(tables):  # children first
            await conn.execute(table.delete())
        for table in tables:  # parents first
            rows = saved.rows[table.name]
            if rows:
                keys = [column.key for column in table.columns]
                await conn.execute(
                    table.insert(), [dict(zip(keys, row, strict=True)) for row in rows]
                )
        if db.settings.is_sqlite:
            await _put_sqlite_sequence(conn, saved.sqlite_sequence)
        else:
            await _put_sequences(conn, saved.sequences)
    client = redis.Redis.from_url(redis_url)
    try:
        pipe = client.pipeline(transaction=False)
        pipe.flushdb()
        for key, ttl, value in saved.redis:
            pipe.restore(key, ttl, value)
        pipe.execute()
    finally:
        client.close()
    for path, data in saved.files.items():
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for kept in saved.clients:
        kept.http.cookies.clear()
        for cookie in kept.cookies:
            kept.http.cookies.jar.set_cookie(copy.copy(cookie))
        kept.http.headers = Headers(kept.headers)
    await pagecache.changed()


async def _sequences(conn: AsyncConnection) -> list[Sequence]:
    found = await conn.execute(
        text(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename),"
            " coalesce(last_value, start_value), last_value IS NOT NULL FROM pg_sequences"
        )
    )
    return [(str(name), int(value), bool(called)) for name, value, called in found.all()]


async def _put_sequences(conn: AsyncConnection, sequences: list[Sequence]) -> None:
    if sequences:
        names, values, called = zip(*sequences, strict=True)
        await conn.execute(
            text(
                "SELECT setval(n::regclass, v, c)"
                " FROM unnest(CAST(:names AS text[]), CAST(:values AS bigint[]),"
                " CAST(:called AS boolean[])) AS t(n, v, c)"
            ),
            {"names": list(names), "values": list(values), "called": list(called)},
        )


async def _sqlite_sequence(conn: AsyncConnection) -> list[tuple[str, int]]:
    """AUTOINCREMENT tables' counters, where there are any."""
    exists = await conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
    )
    if exists.first() is None:
        return []
    found = await conn.execute(text("SELECT name, seq FROM sqlite_sequence"))
    return [(str(name), int(seq)) for name, seq in found.all()]


async def _put_sqlite_sequence(conn: AsyncConnection, counters: list[tuple[str, int]]) -> None:
    if counters:
        await conn.execute(text("DELETE FROM sqlite_sequence"))
        await conn.execute(
            text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            [{"name": name, "seq": seq} for name, seq in counters],
        )
