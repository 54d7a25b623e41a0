"""Recording state changes: an audit entry always, an outbox event where others react."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app import jobs
from app.config import Settings
from app.db import insert_or_get, utcnow
from app.events.models import AuditEntry, OutboxEvent, OutgoingMail
from app.events.schemas import ACTIONS, AuditAction, DomainEvent
from app.mail import new_message_id, one_line

DISPATCH_JOB = "events.dispatch"
DELIVER_MAIL_JOB = "mail.deliver"
SUBJECT_LENGTH = 300  # OutgoingMail.subject

E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[AsyncSession, Any], Awaitable[None]]
_handlers: dict[str, dict[str, Handler]] = {}


def handles(
    event_class: type[E],
) -> Callable[
    [Callable[[AsyncSession, E], Awaitable[None]]], Callable[[AsyncSession, E], Awaitable[None]]
]:
    """Register a handler of one declared event; its qualified name is its identity (the
    HandledEvent marker that makes it run once per event)."""

    def register(
        func: Callable[[AsyncSession, E], Awaitable[None]],
    ) -> Callable[[AsyncSession, E], Awaitable[None]]:
        name = f"{func.__module__}.{func.__qualname__}"
        _handlers.setdefault(event_class.type_name(), {})[name] = func
        return func

    return register


def handlers_for(event_type: str) -> dict[str, Handler]:
    return dict(_handlers.get(event_type, {}))


def handled_event_types() -> set[str]:
    return {event_type for event_type, found in _handlers.items() if found}


def parse_event(row: OutboxEvent) -> DomainEvent:
    """The declared event an outbox row holds, with its payload checked."""
    event_class = DomainEvent.declared[row.type]
    return event_class.model_validate(
        {**row.payload, "challenge_id": row.challenge_id, "event_id": row.id}
    )


def log_action(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: AuditAction,
    subject_type: str,
    subject_id: int | str,
    challenge_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Append an audit entry in the caller's transaction: every state change writes one."""
    if action not in ACTIONS:
        raise ValueError(f"undeclared audit action {action!r}: declare it in an events.py")
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


def emit(session: AsyncSession, event: DomainEvent) -> OutboxEvent:
    """Write the event in the caller's transaction; it is dispatched after commit. Its
    challenge is a column of the outbox row (found by it), the rest is the payload."""
    row = OutboxEvent(
        type=event.type_name(),
        challenge_id=event.challenge_id,
        payload=event.model_dump(mode="json", exclude={"challenge_id"}),
    )
    session.add(row)
    jobs.enqueue_after_commit(session, DISPATCH_JOB, row.id, job_id=f"event:{row.id}")
    return row


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


def session_settings(session: AsyncSession) -> Settings:
    """The settings of the app or worker that made the session (app.db.Database puts them
    there), for handlers, which get only a session."""
    settings = session.info.get("settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("the session was not made by app.db.Database")
    return settings


def new_mail(
    session: AsyncSession, *, key: str, to: str, subject: str, text: str, html: str = ""
) -> OutgoingMail:
    """An e-mail row for the caller to add (queue_mail, or many at once in one flush); once
    it is flushed, `deliver_after_commit` sends it."""
    # Names people typed fill subjects (a sponsor's and a project's are 160 each): one line,
    # cut to the column's length, so a long name never fails the handler.
    subject = one_line(subject)
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[: SUBJECT_LENGTH - 1].rstrip() + "\u2026"
    return OutgoingMail(
        key=key,
        to_address=to,
        subject=subject,
        text=text,
        html=html,
        message_id=new_message_id(session_settings(session)),
    )


def deliver_after_commit(session: AsyncSession, mail: OutgoingMail) -> None:
    jobs.enqueue_after_commit(session, DELIVER_MAIL_JOB, mail.id, job_id=f"mail:{mail.id}")


async def queue_mail(
    session: AsyncSession, *, key: str, to: str, subject: str, text: str, html: str = ""
) -> OutgoingMail:
    """Queue one e-mail in the caller's transaction; it is delivered after commit. `key`
    names it once and for all ("<event id>:<what>:<recipient>"): queueing the same key
    again, as a handler that runs twice does, returns the first one and sends nothing."""

    async def existing() -> OutgoingMail | None:
        found = await session.execute(select(OutgoingMail).where(col(OutgoingMail.key) == key))
        return found.scalar_one_or_none()

    row, created = await insert_or_get(
        session,
        new_mail(session, key=key, to=to, subject=subject, text=text, html=html),
        find=existing,
    )
    if created:
        deliver_after_commit(session, row)
    return row


async def undelivered_mail(
    session: AsyncSession, *, older_than: timedelta, max_attempts: int, limit: int = 500
) -> list[int]:
    """Queued e-mails nobody is delivering (their job lost, or failed), oldest first."""
    now = utcnow()
    result = await session.execute(
        select(OutgoingMail.id)
        .where(
            col(OutgoingMail.sent_at).is_(None),
            col(OutgoingMail.created_at) < now - older_than,
            col(OutgoingMail.attempts) < max_attempts,
            col(OutgoingMail.claimed_until).is_(None) | (col(OutgoingMail.claimed_until) < now),
        )
        .order_by(col(OutgoingMail.created_at))
        .limit(limit)
    )
    return [int(i) for i in result.scalars()]


async def mailbox(session: AsyncSession, *, limit: int = 50) -> list[OutgoingMail]:
    """The latest e-mails, newest first (the development mailbox)."""
    result = await session.execute(
        select(OutgoingMail).order_by(col(OutgoingMail.id).desc()).limit(limit)
    )
    return list(result.scalars())
