"""Rounds that open and close by themselves at their dates (run by a cron job every minute).

Each round moves in its own transaction with its row locked and its state read again under
the lock, so a run racing another run, or an organiser's click, makes one transition with
one audit entry and one event; the effects are those of a click (app.judging.service)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.events.service import emit, log_action
from app.judging import events, queries, service
from app.judging.models import Round, RoundStatus


class Moved(StrEnum):
    OPENED = "opened"
    CLOSED = "closed"
    OPENED_AND_CLOSED = "opened_and_closed"  # both dates passed while no worker ran
    NOT_OPENED = "not_opened"  # could not open; the organisers were told (once per date)
    NOTHING = "nothing"


async def due(session: AsyncSession, *, now: datetime | None = None) -> list[int]:
    return await queries.rounds_due(session, now or utcnow())


async def advance_round(
    session: AsyncSession, *, round_id: int, now: datetime | None = None
) -> Moved:
    """Open the round if its opening date has come, close it if its closing date has."""
    now = now or utcnow()
    judging_round = await queries.get_round(session, round_id, lock=True)
    opened = False
    if (
        judging_round.status == RoundStatus.DRAFT
        and judging_round.opens_at is not None
        and judging_round.opens_at <= now
    ):
        progress = await queries.round_progress(session, [round_id])
        refusal = service.not_openable(judging_round, progress[round_id][0])
        if refusal is not None:
            return _not_opened(session, judging_round, refusal, now)
        service.start_round(session, judging_round, actor_id=None)
        opened = True
    if (
        judging_round.status == RoundStatus.OPEN
        and judging_round.closes_at is not None
        and judging_round.closes_at <= now
    ):
        service.end_round(session, judging_round, actor_id=None)
        return Moved.OPENED_AND_CLOSED if opened else Moved.CLOSED
    return Moved.OPENED if opened else Moved.NOTHING


def _not_opened(session: AsyncSession, judging_round: Round, reason: str, now: datetime) -> Moved:
    """Tell the organisers once per opening date; the next runs keep trying meanwhile."""
    assert judging_round.id is not None
    if judging_round.open_failed_at is not None:
        return Moved.NOTHING
    judging_round.open_failed_at = now
    session.add(judging_round)
    log_action(
        session,
        actor_id=None,
        action=events.ROUND_OPEN_FAILED,
        subject_type="round",
        subject_id=judging_round.id,
        challenge_id=judging_round.challenge_id,
        data={"reason": reason},
    )
    emit(
        session,
        events.RoundNotOpened(challenge_id=judging_round.challenge_id, round_id=judging_round.id),
    )
    return Moved.NOT_OPENED
