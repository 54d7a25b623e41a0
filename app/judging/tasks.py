"""Jobs and event handlers of this domain (collected by workers.main): the live screens
told of every change of a round, the rounds moved by their dates, and the e-mail that
confirms a vote in a public-vote round.

That e-mail is queued under a key made of the event's id, so a handler that runs twice
queues one e-mail; the event of an older link (the voter voted again since, or confirmed)
sends nothing, since its link would not work.
"""

from __future__ import annotations

from typing import Any

from arq import cron
from sqlalchemy.ext.asyncio import AsyncSession

from app import jobs
from app.challenges import queries as challenge_queries
from app.db import Database
from app.events.service import handles, queue_mail, session_settings
from app.judging import live, mails, queries, schedule
from app.judging.events import (
    JudgeRecused,
    JudgeRemoved,
    PairwiseVotesChanged,
    PublicVotesChanged,
    RoundClosed,
    RoundOpened,
    ScoreSubmitted,
    VoteRequested,
)
from app.judging.models import PublicVote
from app.teams.models import Project


async def _announce(session: AsyncSession, challenge_id: int | None, round_id: int | None) -> None:
    """Tell the live screens. A failure (Redis away) fails the handler, so the event is
    dispatched again; a screen told twice only refreshes twice."""
    redis = jobs.get_pool()
    if redis is None or challenge_id is None:
        return
    await live.announce(
        redis, session_settings(session), challenge_id=challenge_id, round_id=round_id
    )


RoundEvent = (
    ScoreSubmitted
    | RoundOpened
    | RoundClosed
    | JudgeRecused
    | PairwiseVotesChanged
    | PublicVotesChanged
)


async def round_changed_live(session: AsyncSession, event: RoundEvent) -> None:
    await _announce(session, event.challenge_id, event.round_id)


handles(ScoreSubmitted)(round_changed_live)
handles(RoundOpened)(round_changed_live)
handles(RoundClosed)(round_changed_live)
handles(JudgeRecused)(round_changed_live)
handles(PairwiseVotesChanged)(round_changed_live)
handles(PublicVotesChanged)(round_changed_live)


@handles(JudgeRemoved)
async def judge_removed_live(session: AsyncSession, event: JudgeRemoved) -> None:
    await _announce(session, event.challenge_id, None)  # their sheets left every round


async def advance_rounds(ctx: dict[str, Any]) -> dict[str, int]:
    """Open and close the rounds whose dates have come; safe to run any number of times.
    One transaction per round: a round that cannot open does not hold back the others."""
    db: Database = ctx["db"]
    async with db.read() as session:
        round_ids = await schedule.due(session)
    moved: dict[str, int] = {}
    for round_id in round_ids:
        async with db.transaction() as session:
            outcome = await schedule.advance_round(session, round_id=round_id)
        moved[outcome] = moved.get(outcome, 0) + 1
    return moved


@handles(VoteRequested)
async def send_vote_link(session: AsyncSession, event: VoteRequested) -> None:
    vote = await session.get(PublicVote, event.vote_id)
    if (
        vote is None
        or vote.nonce != event.nonce
        or vote.pending_project_id is None
        or vote.voided_at is not None
    ):
        return
    judging_round = await queries.get_round(session, vote.round_id)
    challenge = await challenge_queries.get_challenge(session, judging_round.challenge_id)
    project = await session.get(Project, vote.pending_project_id)
    if project is None:
        return
    letter = mails.vote_letter(
        session_settings(session),
        vote=vote,
        judging_round=judging_round,
        challenge=challenge,
        project=project,
        locale=event.locale,
    )
    await queue_mail(
        session,
        key=f"{event.event_id}:vote:{vote.id}",
        to=vote.email,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
    )


functions: list[Any] = []
# Every minute at second 30 (the phases move at second 0); not at start-up, so a worker's
# burst run in another domain's tests does not move rounds behind its back.
cron_jobs: list[Any] = [cron(advance_rounds, name="judging.advance_rounds", second={30})]
