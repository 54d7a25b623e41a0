"""The outbox of domain events, what handlers have done with them, and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


def new_event_id() -> str:
    return uuid.uuid4().hex


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"

    id: str = Field(default_factory=new_event_id, primary_key=True, max_length=32)
    type: str = Field(max_length=64, index=True)
    challenge_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set once every handler has run; the reconciler re-sends events where it is still empty.
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0


class HandledEvent(SQLModel, table=True):
    """One row per (event, handler) that has run to completion: makes handlers idempotent."""

    __tablename__ = "handled_event"
    __table_args__ = (UniqueConstraint("event_id", "handler"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(foreign_key="outbox_event.id", max_length=32)
    handler: str = Field(max_length=128)
    handled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AuditEntry(SQLModel, table=True):
    """Append-only: who did what to which object, and when."""

    __tablename__ = "audit_entry"
    # A challenge's audit page and dashboard: its entries, newest first, a page at a time.
    __table_args__ = (Index("ix_audit_entry_challenge_id_at_id", "challenge_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=80)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=40)
    challenge_id: int | None = None  # indexed with `at` and `id` (__table_args__)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class OutgoingMail(SQLModel, table=True):
    """An e-mail to send, written in the transaction that decided to send it (an event
    handler's), then delivered by a job: a handler that runs again finds its row by `key`
    and queues nothing, and a delivery that failed is tried again without re-sending the
    messages that went out. Bodies hold live links, so they are emptied once delivered
    (the development mailbox keeps them)."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)  # "<event id>:<what>:<recipient>"
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    text: str = Field(default="", sa_type=Text)
    html: str = Field(default="", sa_type=Text)
    message_id: str = Field(max_length=200)  # the same on a re-send, so mail clients merge them
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # A delivery in progress holds the row until then; a crashed one is retried after it.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # "smtp", "mailbox" (development, no SMTP_HOST) or "dropped" (no SMTP_HOST elsewhere).
    transport: str = Field(default="", max_length=10)
    attempts: int = 0
    last_error: str = Field(default="", max_length=300)
