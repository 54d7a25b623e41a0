"""Feedback for teams: the judges' comments on a team's project, anonymised, for its coach
and members, from the rounds whose organisers allowed it, once the results are published."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge
from app.errors import NotFound
from app.i18n import gettext as _
from app.judging import queries
from app.judging.models import Round, RoundStatus
from app.teams import queries as teams_queries
from app.teams.models import Project


@dataclass(frozen=True)
class RoundFeedback:
    round: Round
    comments: list[tuple[str, str]]  # ("Judge 1", comment)


@dataclass(frozen=True)
class Feedback:
    project: Project
    challenge: Challenge
    rounds: list[RoundFeedback]

    @property
    def published(self) -> bool:
        return self.challenge.results_published_at is not None


async def project_feedback(session: AsyncSession, *, user: User, project_id: int) -> Feedback:
    """The comments for the team's own coach and members (anyone else: not found). Judges
    are numbered per round in the order they were assigned; nothing else of them is shown."""
    project = await teams_queries.get_project(session, project_id)
    # A draft challenge does not exist for its teams (only for its organisers).
    await challenge_permissions.viewable(session, user=user, challenge_id=project.challenge_id)
    if user.id not in (await queries.team_people(session, [project_id]))[project_id]:
        raise NotFound()
    challenge = await challenges_queries.get_challenge(session, project.challenge_id)
    if challenge.results_published_at is None:
        return Feedback(project, challenge, [])
    rounds = [
        r
        for r in await queries.rounds(session, project.challenge_id)
        if r.team_feedback and r.status == RoundStatus.CLOSED and r.id is not None
    ]
    sheets = await queries.project_sheets(
        session, round_ids=[r.id for r in rounds if r.id is not None], project_id=project_id
    )
    found: list[RoundFeedback] = []
    for judging_round in rounds:
        own = [a for a in sheets if a.round_id == judging_round.id]
        comments = [
            (_("Judge %(number)s") % {"number": n}, a.comment)
            for n, a in enumerate(own, start=1)
            if a.comment
        ]
        if comments:
            found.append(RoundFeedback(judging_round, comments))
    return Feedback(project, challenge, found)
