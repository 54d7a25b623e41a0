"""Jobs and event handlers of this domain (collected by workers.main)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.events.service import handles, session_settings
from app.judging import live
from app.judging.events import (
    JudgeRecused,
    JudgeRemoved,
    PairwiseVotesChanged,
    RoundClosed,
    RoundOpened,
    ScoreSubmitted,
)

functions: list[Any] = []
cron_jobs: list[Any] = []


async def _announce(session: AsyncSession, challenge_id: int | None, round_id: int | None) -> None:
    """Tell the live screens. A failure (Redis away) fails the handler, so the event is
    dispatched again; a screen told twice only refreshes twice."""
    redis = jobs.get_pool()
    if redis is None or challenge_id is None:
        return
    await live.announce(
        redis, session_settings(session), challenge_id=challenge_id, round_id=round_id
    )


RoundEvent = ScoreSubmitted | RoundOpened | RoundClosed | JudgeRecused | PairwiseVotesChanged


async def round_changed_live(session: AsyncSession, event: RoundEvent) -> None:
    await _announce(session, event.challenge_id, event.round_id)


handles(ScoreSubmitted)(round_changed_live)
handles(RoundOpened)(round_changed_live)
handles(RoundClosed)(round_changed_live)
handles(JudgeRecused)(round_changed_live)
handles(PairwiseVotesChanged)(round_changed_live)


@handles(JudgeRemoved)
async def judge_removed_live(session: AsyncSession, event: JudgeRemoved) -> None:
    await _announce(session, event.challenge_id, None)  # their sheets left every round
