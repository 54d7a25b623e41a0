from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from app import jobs
from app.db import Database, utcnow
from app.events import service
from app.events.models import AuditEntry, HandledEvent, OutboxEvent
from app.events.schemas import DomainEvent, action
from app.events.tasks import reconcile
from tests.factories import run_jobs

calls: list[str] = []


class TestHappened(DomainEvent):
    """An event of the tests' own (declared like a domain's, in the test module)."""

    __test__ = False  # not a test class, whatever pytest thinks of its name
    what: str


TEST_HANDLED = action("test.handled")


@service.handles(TestHappened)
async def remember(session: AsyncSession, event: TestHappened) -> None:
    calls.append(event.what)
    service.log_action(
        session,
        actor_id=None,
        action=TEST_HANDLED,
        subject_type="event",
        subject_id=event.event_id,
    )


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_event_is_dispatched_once_after_commit(app: Starlette, db: Database) -> None:
    calls.clear()
    async with db.transaction() as session:
        event = service.emit(session, TestHappened(what="first"))

    await run_jobs(app)
    await run_jobs(app)

    assert calls == ["first"]
    async with db.read() as session:
        stored = await session.get(OutboxEvent, event.id)
    assert stored is not None and stored.dispatched_at is not None
    assert await _count(db, HandledEvent) == 1
    assert await _count(db, AuditEntry) == 1


async def test_rolled_back_transaction_emits_nothing(app: Starlette, db: Database) -> None:
    calls.clear()
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            service.emit(session, TestHappened(what="never"))
            raise RuntimeError("the request failed")

    await run_jobs(app)

    assert calls == []
    assert await _count(db, OutboxEvent) == 0


async def test_reconciler_sends_an_event_whose_enqueue_was_lost(
    app: Starlette, db: Database
) -> None:
    calls.clear()
    pool = jobs.get_pool()
    jobs.set_pool(None)  # the queue is unreachable at commit time
    try:
        async with db.transaction() as session:
            event = service.emit(session, TestHappened(what="stray"))
    finally:
        jobs.set_pool(pool)
    await run_jobs(app)
    assert calls == []
    async with db.transaction() as session:
        await session.execute(
            update(OutboxEvent).values(created_at=utcnow() - timedelta(minutes=5))
        )

    sent = await reconcile({"db": db, "redis": pool})
    await run_jobs(app)

    assert sent == 1
    assert calls == ["stray"]
    async with db.read() as session:
        stored = await session.get(OutboxEvent, event.id)
    assert stored is not None and stored.dispatched_at is not None
