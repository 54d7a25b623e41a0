"""Real services for every test: PostgreSQL or SQLite, real Redis, a real arq worker.

DATABASE_URL / REDIS_URL select the machine's servers; without them the tests use a
SQLite file and an embedded redis-server, like `make run` does.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from starlette.applications import Starlette

import app.models
from app.config import Settings
from app.db import Database
from app.embedded_redis import EmbeddedRedis
from app.main import create_app
from app.migrate import upgrade
from app.storage import LocalStorage
from app.web import services
from tests.cleanup import empty_database, flush_redis
from tests.factories import Actors


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis()
    yield server.start()
    server.stop()


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="madrina-test-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def settings(redis_url: str, workdir: Path) -> Settings:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{workdir / 'test.db'}"
    return Settings(
        environment="test",
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key-that-is-long-enough-0123456789",
        storage_dir=workdir / "storage",
        base_url="http://testserver",
        default_locale="it",
        max_upload_bytes=2 * 1024 * 1024,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    """The schema comes from the real migrations, never from create_all."""
    if not settings.is_sqlite:
        _drop_everything(settings)
    upgrade(settings.database_url)
    return settings


def _drop_everything(settings: Settings) -> None:
    async def drop() -> None:
        db = Database(settings, pool=False)
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await db.dispose()

    asyncio.run(drop())


@pytest.fixture
async def app(migrated: Settings, redis_url: str) -> AsyncIterator[Starlette]:
    flush_redis(redis_url)
    application = create_app(migrated)
    async with application.router.lifespan_context(application):
        yield application
        await empty_database(services(application).db)


@pytest.fixture
async def other_process(migrated: Settings) -> AsyncIterator[Starlette]:
    """A second web process on the same database and Redis, reading Redis at every request."""
    application = create_app(migrated.model_copy(update={"page_cache_check_seconds": 0}))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def db(app: Starlette) -> Database:
    database: Database = services(app).db
    return database


@pytest.fixture
def storage(app: Starlette) -> LocalStorage:
    store: LocalStorage = services(app).storage
    return store


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


@pytest.fixture
def actors(app: Starlette) -> Actors:
    return Actors(app)
