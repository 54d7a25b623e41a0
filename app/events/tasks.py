"""The dispatcher job and the reconciler cron of the transactional outbox."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from app import mail
from app.config import Settings
from app.db import Database, utcnow
from app.events.models import HandledEvent, OutboxEvent, OutgoingMail
from app.events.service import (
    DELIVER_MAIL_JOB,
    DISPATCH_JOB,
    handlers_for,
    parse_event,
    undelivered_mail,
    undispatched_events,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
# How long one delivery may hold its e-mail: past it, a delivery that died half-way (after
# the server took the message but before we noted it) is tried again, with the same
# Message-ID. SMTP cannot do better than that: this is the one place a message can repeat.
MAIL_LEASE = timedelta(minutes=5)
MAIL_MAX_ATTEMPTS = 30


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


async def deliver_mail(ctx: dict[str, Any], mail_id: int) -> str:
    """Send one queued e-mail; safe to call any number of times, also at once."""
    db: Database = ctx["db"]
    settings: Settings = ctx["settings"]
    now = utcnow()
    async with db.transaction() as session:
        claimed = await session.execute(
            update(OutgoingMail)
            .where(
                col(OutgoingMail.id) == mail_id,
                col(OutgoingMail.sent_at).is_(None),
                col(OutgoingMail.attempts) < MAIL_MAX_ATTEMPTS,
                col(OutgoingMail.claimed_until).is_(None) | (col(OutgoingMail.claimed_until) < now),
            )
            .values(claimed_until=now + MAIL_LEASE, attempts=OutgoingMail.attempts + 1)
            .returning(
                col(OutgoingMail.to_address),
                col(OutgoingMail.subject),
                col(OutgoingMail.text),
                col(OutgoingMail.html),
                col(OutgoingMail.message_id),
                col(OutgoingMail.attempts),
            )
        )
        row = claimed.first()
    if row is None:
        return "sent already, or being sent"
    to, subject, text, html, message_id, attempts = row
    try:
        sent = await mail.send(
            settings, to=to, subject=subject, body=text, html=html, message_id=message_id
        )
    except ValueError as exc:  # no plain address (an account older than the rules): give up
        log.error("not sending e-mail %s: %s", mail_id, exc)
        await _mark(db, mail_id, attempts=MAIL_MAX_ATTEMPTS, claimed_until=None, text="", html="")
        return "refused"
    except mail.MailError as exc:
        # Tried again by the reconciler once this wait is over: 2, 4, 8... minutes, at most
        # an hour, so a mail server down for a day still gets the message afterwards.
        wait = timedelta(minutes=min(2**attempts, 60))
        await _mark(db, mail_id, claimed_until=utcnow() + wait, last_error=str(exc)[:300])
        raise
    # Without an SMTP server, development keeps the message to read at /dev/mail.
    development = settings.environment == "development"
    transport = "smtp" if sent else "mailbox" if development else "dropped"
    values: dict[str, Any] = {"sent_at": utcnow(), "claimed_until": None, "transport": transport}
    if transport != "mailbox":
        values.update(text="", html="")  # its links are secrets: keep them nowhere
    await _mark(db, mail_id, **values)
    return transport


async def _mark(db: Database, mail_id: int, **values: Any) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(OutgoingMail).where(col(OutgoingMail.id) == mail_id).values(**values)
        )


async def reconcile_mail(ctx: dict[str, Any]) -> int:
    """Re-send delivery jobs of e-mails still waiting (lost enqueue, SMTP down)."""
    db: Database = ctx["db"]
    age = timedelta(seconds=db.settings.outbox_reconcile_seconds)
    async with db.read() as session:
        waiting = await undelivered_mail(session, older_than=age, max_attempts=MAIL_MAX_ATTEMPTS)
    minute = int(utcnow().timestamp() // 60)
    sent = 0
    for mail_id in waiting:
        job = await ctx["redis"].enqueue_job(
            DELIVER_MAIL_JOB, mail_id, _job_id=f"mail:{mail_id}:r{minute}"
        )
        sent += job is not None
    if sent:
        log.info("reconciler re-sent %d e-mail delivery job(s)", sent)
    return sent
