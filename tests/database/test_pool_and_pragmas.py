"""The database pool fits `--workers`, and every SQLite connection gets its pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from app.config import Settings
from app.db import POOL_TIMEOUT_SECONDS, Database

POSTGRES = "postgresql://madrina@127.0.0.1:5432/madrina"  # never connected to here


def _settings(database_url: str, **values: object) -> Settings:
    return Settings(database_url=database_url, _env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize(
    ("connections", "workers", "per_process"),
    [(20, 1, 20), (20, 2, 10), (20, 4, 5), (20, 16, 2), (40, 3, 13)],
)
async def test_each_web_process_gets_its_share_of_the_connections(
    connections: int, workers: int, per_process: int
) -> None:
    settings = _settings(POSTGRES, db_connections=connections, web_workers=workers)
    db = Database(settings)
    try:
        pool = db.engine.pool
        assert pool.size() == per_process  # type: ignore[attr-defined]
        assert pool._max_overflow == 0  # type: ignore[attr-defined]  # the size is the bound
        assert pool._timeout == POOL_TIMEOUT_SECONDS  # type: ignore[attr-defined]
        assert per_process * workers <= max(connections, 2 * workers)
    finally:
        await db.dispose()


async def test_a_worker_process_has_a_connection_per_job() -> None:
    db = Database(_settings(POSTGRES, web_workers=8), connections=10)
    try:
        assert db.engine.pool.size() == 10  # type: ignore[attr-defined]
    finally:
        await db.dispose()


def test_serve_passes_its_workers_to_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_WORKERS", "3")
    monkeypatch.setenv("DB_CONNECTIONS", "30")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.web_workers, settings.db_connections) == (3, 30)


async def test_sqlite_connections_have_the_chosen_pragmas(tmp_path: Path) -> None:
    db = Database(_settings(f"sqlite:///{tmp_path / 'pragmas.db'}"))
    expected = {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": 30000,
        "foreign_keys": 1,
        "cache_size": -16384,
        "mmap_size": 268435456,
        "temp_store": 2,  # MEMORY
    }
    try:
        # Every connection of the pool, not only the first: two at once.
        async with db.read() as first, db.read() as second:
            for session in (first, second):
                found = {
                    name: (await session.execute(text(f"PRAGMA {name}"))).scalar_one()
                    for name in expected
                }
                assert found == expected
    finally:
        await db.dispose()
