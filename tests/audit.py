"""Every transaction that changes a domain row writes an audit entry in it: a checker that
watches the real sessions (SQLAlchemy's flush and commit events), no mock in between."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.accounts.models import UserSession
from app.events.models import AuditEntry, HandledEvent, OutboxEvent, OutgoingMail
from app.notifications.models import Notification

# Rows that are the machinery, not a state change someone made: the outbox and its handled
# markers, queued e-mails and the notifications that queued them, the audit log itself, and
# login sessions (logging in is audited as user.logged_in; a session's last-seen time is not
# a change).
MACHINERY = {AuditEntry, HandledEvent, OutboxEvent, OutgoingMail, Notification, UserSession}


@contextmanager
def every_change_audited() -> Iterator[list[str]]:
    """Collect, as "Model, Model: no audit entry", each committed transaction inside the
    block that inserted, changed or deleted domain rows but wrote no audit entry."""
    unaudited: list[str] = []

    def after_flush(session: Session, _context: Any) -> None:
        touched = session.info.setdefault("touched", set())
        for row in (*session.new, *session.dirty, *session.deleted):
            if session.is_modified(row) or row in session.new or row in session.deleted:
                touched.add(type(row))

    def after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released: its rows count with the whole transaction's
        touched: set[type] = session.info.pop("touched", set())
        changed = touched - MACHINERY
        if changed and AuditEntry not in touched:
            names = ", ".join(sorted(cls.__name__ for cls in changed))
            unaudited.append(f"{names}: no audit entry")

    def after_rollback(session: Session) -> None:
        session.info.pop("touched", None)

    event.listen(Session, "after_flush", after_flush)
    event.listen(Session, "after_commit", after_commit)
    event.listen(Session, "after_soft_rollback", after_rollback)
    try:
        yield unaudited
    finally:
        event.remove(Session, "after_flush", after_flush)
        event.remove(Session, "after_commit", after_commit)
        event.remove(Session, "after_soft_rollback", after_rollback)
