"""Jobs and event handlers of this domain (collected by workers.main): the e-mail that
confirms a vote in a public-vote round.

The e-mail is queued under a key made of the event's id, so a handler that runs twice
queues one e-mail; the event of an older link (the voter voted again since, or confirmed)
sends nothing, since its link would not work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.challenges import queries as challenge_queries
from app.events.service import handles, queue_mail, session_settings
from app.judging import mails, queries
from app.judging.events import VoteRequested
from app.judging.models import PublicVote
from app.teams.models import Project


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
cron_jobs: list[Any] = []
