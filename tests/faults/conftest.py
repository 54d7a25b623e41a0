"""An app on a Redis of its own (so it can be flushed and restarted), and worker processes.

The database is the suite's (SQLite file or DATABASE_URL), emptied after each test like
the `app` fixture does; the Redis is private, so no other test's queue is touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from app.config import Settings
from app.db import Database
from app.main import create_app
from app.web import services
from tests.cleanup import empty_database
from tests.factories import Actors
from tests.faults.services import RedisServer, WorkerProcess


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_settings(migrated: Settings, private_redis: RedisServer, tmp_path: Path) -> Settings:
    return migrated.model_copy(
        update={"redis_url": private_redis.url, "storage_dir": tmp_path / "storage"}
    )


@pytest.fixture
async def fault_app(fault_settings: Settings) -> AsyncIterator[Starlette]:
    application = create_app(fault_settings)
    async with application.router.lifespan_context(application):
        yield application
        await empty_database(services(application).db)


@pytest.fixture
def fault_db(fault_app: Starlette) -> Database:
    database: Database = services(fault_app).db
    return database


@pytest.fixture
def fault_actors(fault_app: Starlette) -> Actors:
    return Actors(fault_app)


WorkerFactory = Callable[..., WorkerProcess]


@pytest.fixture
def workers(
    fault_app: Starlette, fault_settings: Settings, tmp_path: Path
) -> Iterator[WorkerFactory]:
    """Start `madrina worker` processes (settings as environment variables); all are
    stopped at the end, whatever the test did to them, before the database is emptied."""
    started: list[WorkerProcess] = []

    def start(**environment: str) -> WorkerProcess:
        log = tmp_path / f"worker-{len(started) + 1}.log"
        worker = WorkerProcess(fault_settings, log, **environment).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
