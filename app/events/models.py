"""The outbox of domain events, what handlers have done with them, and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
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

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=80)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=40)
    challenge_id: int | None = Field(default=None, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
