"""Helpers for the challenge tests: phase windows relative to now, counting queries."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from app.challenges.models import Challenge, Phase, PhaseKind
from app.db import Database, utcnow


async def set_windows(db: Database, challenge: Challenge, **windows: tuple[float, float]) -> None:
    """Replace the challenge's phases: kind=(start, end) in days from now."""
    now = utcnow()
    async with db.transaction() as session:
        for phase in (
            await session.execute(select(Phase).where(Phase.challenge_id == challenge.id))
        ).scalars():
            await session.delete(phase)
        await session.flush()
        for kind, (start, end) in windows.items():
            session.add(
                Phase(
                    challenge_id=challenge.id or 0,
                    kind=PhaseKind(kind),
                    starts_at=now + timedelta(days=start),
                    ends_at=now + timedelta(days=end),
                )
            )


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    """The SQL statements run while inside the block."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
