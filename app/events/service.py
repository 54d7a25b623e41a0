"""Recording state changes: an audit entry always, an outbox event where others react."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app import jobs
from app.db import utcnow
from app.events.models import AuditEntry, OutboxEvent

DISPATCH_JOB = "events.dispatch"

Handler = Callable[[AsyncSession, OutboxEvent], Awaitable[None]]
_handlers: dict[str, dict[str, Handler]] = {}


def handles(event_type: str) -> Callable[[Handler], Handler]:
    """Register a handler for an event type; its qualified name is its identity."""

    def register(func: Handler) -> Handler:
        name = f"{func.__module__}.{func.__qualname__}"
        _handlers.setdefault(event_type, {})[name] = func
        return func

    return register


def handlers_for(event_type: str) -> dict[str, Handler]:
    return dict(_handlers.get(event_type, {}))


def log_action(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | str,
    challenge_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            challenge_id=challenge_id,
            data=data or {},
        )
    )


def emit(
    session: AsyncSession,
    event_type: str,
    *,
    challenge_id: int | None = None,
    **payload: Any,
) -> OutboxEvent:
    """Write the event in the caller's transaction; it is dispatched after commit."""
    event = OutboxEvent(type=event_type, challenge_id=challenge_id, payload=payload)
    session.add(event)
    jobs.enqueue_after_commit(session, DISPATCH_JOB, event.id, job_id=f"event:{event.id}")
    return event


async def undispatched_events(
    session: AsyncSession, *, older_than: timedelta, limit: int = 500
) -> list[OutboxEvent]:
    cutoff = utcnow() - older_than
    result = await session.execute(
        select(OutboxEvent)
        .where(col(OutboxEvent.dispatched_at).is_(None), col(OutboxEvent.created_at) < cutoff)
        .order_by(col(OutboxEvent.created_at))
        .limit(limit)
    )
    return list(result.scalars())
