"""What was notified to whom (once per kind, subject and person), and who opted out of what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Notification(SQLModel, table=True):
    """One person told one thing: the unique key is what makes a handler or a cron that runs
    twice, or fails half-way and runs again, tell nobody twice. Written in the transaction
    that queues its e-mail (`mail_id`); `mail_id` is empty when the person opted out."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "user_id"),
        # A challenge's notification log: its latest first, a page at a time.
        Index("ix_notification_challenge_id_id", "challenge_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    subject_id: str = Field(max_length=60)  # "<adoption id>", "<phase id>:48h", ...
    user_id: int = Field(foreign_key="user.id", index=True)
    challenge_id: int | None = Field(default=None, foreign_key="challenge.id")  # see __table_args__
    mail_id: int | None = Field(default=None, foreign_key="outgoing_mail.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NotificationOptOut(SQLModel, table=True):
    """A person does not want one optional kind of notification."""

    __tablename__ = "notification_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
