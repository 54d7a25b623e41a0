"""The dispatcher job and the reconciler cron of the transactional outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app.db import Database, utcnow
from app.events.models import HandledEvent, OutboxEvent
from app.events.service import DISPATCH_JOB, handlers_for, parse_event, undispatched_events

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


async def dispatch(ctx: dict[str, Any], event_id: str) -> str:
    """Run every handler of one event once; safe to call any number of times."""
    db: Database = ctx["db"]
    async with db.read() as session:
        event = await session.get(OutboxEvent, event_id)
        if event is None:
            return "missing"
        if event.dispatched_at is not None:
            return "already dispatched"
        done = set(
            (
                await session.execute(
                    select(HandledEvent.handler).where(col(HandledEvent.event_id) == event_id)
                )
            ).scalars()
        )
    handlers = handlers_for(event.type)
    parsed = parse_event(event) if handlers else None
    for name, handler in handlers.items():
        if name in done:
            continue
        try:
            async with db.transaction() as session:
                # The marker is written with the handler's effects: both or neither.
                session.add(HandledEvent(event_id=event_id, handler=name))
                await session.flush()
                await handler(session, parsed)
        except IntegrityError:
            if not await _handled(db, event_id, name):
                raise
            log.info("handler %s already ran for event %s", name, event_id)
        except Exception:
            async with db.transaction() as session:
                await session.execute(
                    update(OutboxEvent)
                    .where(col(OutboxEvent.id) == event_id)
                    .values(attempts=OutboxEvent.attempts + 1)
                )
            raise
    async with db.transaction() as session:
        await session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id) == event_id)
            .values(dispatched_at=utcnow())
        )
    return "dispatched"


async def _handled(db: Database, event_id: str, handler: str) -> bool:
    async with db.read() as session:
        found = await session.execute(
            select(HandledEvent.id).where(
                col(HandledEvent.event_id) == event_id, col(HandledEvent.handler) == handler
            )
        )
        return found.first() is not None


async def reconcile(ctx: dict[str, Any]) -> int:
    """Re-send events that were committed but never dispatched (lost enqueue, failed run)."""
    db: Database = ctx["db"]
    age = timedelta(seconds=db.settings.outbox_reconcile_seconds)
    async with db.read() as session:
        events = await undispatched_events(session, older_than=age)
    sent = 0
    minute = int(utcnow().timestamp() // 60)
    for event in events:
        if event.attempts >= MAX_ATTEMPTS:
            continue
        # A fresh job id each minute: arq refuses a job id whose earlier result it still keeps.
        job = await ctx["redis"].enqueue_job(
            DISPATCH_JOB, event.id, _job_id=f"event:{event.id}:r{minute}"
        )
        sent += job is not None
    if sent:
        log.info("reconciler re-sent %d event(s)", sent)
    return sent
