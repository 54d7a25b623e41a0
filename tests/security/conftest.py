"""One app and one world for the whole security suite (rebuilt only after a write succeeds)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from app.config import Settings
from app.main import create_app
from app.web import services
from tests.cleanup import empty_database, flush_redis
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
async def shared_app(migrated: Settings, redis_url: str) -> AsyncIterator[Starlette]:
    """Like tests/conftest.py's `app`, but lives for a whole module."""
    flush_redis(redis_url)
    application = create_app(migrated)
    async with application.router.lifespan_context(application):
        await empty_database(services(application).db)
        yield application
        await empty_database(services(application).db)
    flush_redis(redis_url)


class WorldHolder:
    """Keeps the world between tests; a successful write marks it dirty so the next
    test starts from the same state again."""

    def __init__(self, app: Starlette, redis_url: str) -> None:
        self.app = app
        self.redis_url = redis_url
        self.current: World | None = None
        self.dirty = True
        self.builds = 0

    async def get(self) -> World:
        if self.dirty or self.current is None:
            await self.drop()
            await empty_database(services(self.app).db)
            flush_redis(self.redis_url)
            self.current = await build_world(self.app)
            self.dirty = False
            self.builds += 1
        return self.current

    async def drop(self) -> None:
        if self.current is not None:
            await self.current.close()
            self.current = None


@pytest.fixture(scope="module")
async def world_holder(shared_app: Starlette, redis_url: str) -> AsyncIterator[WorldHolder]:
    holder = WorldHolder(shared_app, redis_url)
    yield holder
    await holder.drop()
