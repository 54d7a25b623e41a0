"""One app and one world for the security suites (put back as built after a write succeeds)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.applications import Starlette

from app.config import Settings
from app.main import create_app
from app.web import services
from tests.cleanup import empty_database, flush_redis
from tests.security.saved import Saved, files_under, restore, save
from tests.security.world import World, build_world
from tests.snapshots import Snapshot, changed_tables, snapshot


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
    test starts from the same state again.

    The world is built once through the services, then saved; a dirty world is put back
    from what was saved (tests/security/saved.py), the same rows with the same ids."""

    def __init__(self, app: Starlette, redis_url: str) -> None:
        self.app = app
        self.redis_url = redis_url
        self.current: World | None = None
        self.saved: Saved | None = None
        self.dirty = True
        # True while every table holds exactly the saved rows: nothing was sent since the
        # world was built or put back, but writes that were refused and changed nothing.
        self.pristine = False
        self.builds = 0
        self.restores = 0

    async def get(self) -> World:
        db = services(self.app).db
        if self.current is None or self.saved is None:
            await empty_database(db)
            flush_redis(self.redis_url)
            storage_root = services(self.app).storage.root
            files_before = files_under(storage_root)
            self.current = await build_world(self.app)
            self.saved = await save(db, self.redis_url, self.current, storage_root, files_before)
            self.builds += 1
        elif self.dirty:
            await restore(db, self.redis_url, self.saved)
            # Every row back as it was (cheap next to the build it replaces).
            assert changed_tables(self.saved.snapshot, await snapshot(db)) == []
            self.restores += 1
        else:
            return self.current
        self.dirty = False
        self.pristine = True
        return self.current

    async def rows(self) -> Snapshot:
        """Every row of every table now (without reading them while the world is pristine)."""
        if self.pristine and not self.dirty and self.saved is not None:
            return self.saved.snapshot
        return await snapshot(services(self.app).db)

    async def drop(self) -> None:
        if self.current is not None:
            await self.current.close()
            self.current = None
            self.saved = None


@pytest.fixture(scope="module")
async def world_holder(shared_app: Starlette, redis_url: str) -> AsyncIterator[WorldHolder]:
    holder = WorldHolder(shared_app, redis_url)
    yield holder
    await holder.drop()
