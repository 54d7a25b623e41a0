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


@handles(ScoreSubmitted)
async def score_submitted_live(session: AsyncSession, event: ScoreSubmitted) -> None:
    await _announce(session, event.challenge_id, event.round_id)


@handles(RoundOpened)
async def round_opened_live(session: AsyncSession, event: RoundOpened) -> None:
    await _announce(session, event.challenge_id, event.round_id)


@handles(RoundClosed)
async def round_closed_live(session: AsyncSession, event: RoundClosed) -> None:
    await _announce(session, event.challenge_id, event.round_id)


@handles(JudgeRecused)
async def judge_recused_live(session: AsyncSession, event: JudgeRecused) -> None:
    await _announce(session, event.challenge_id, event.round_id)


@handles(JudgeRemoved)
async def judge_removed_live(session: AsyncSession, event: JudgeRemoved) -> None:
    await _announce(session, event.challenge_id, None)  # their sheets left every round
