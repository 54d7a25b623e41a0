"""Helpers for the challenge tests: phase windows relative to now."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

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
