"""Feedback for teams, for its coach and members once the results are published: the
project's place in each closed round with how that round decided (so a team that did not
win can see why), and the judges' comments on it, anonymised, from the rounds whose
organisers allowed them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.errors import NotFound
from app.i18n import gettext as _
from app.judging import queries, results
from app.judging.models import Round, RoundKind, RoundStatus
from app.teams import queries as teams_queries
from app.teams.models import Project


@dataclass(frozen=True)
class RoundFeedback:
    round: Round
    comments: list[tuple[str, str]]  # ("Judge 1", comment)


@dataclass(frozen=True)
class RoundPlace:
    """The project's place in one closed round, and how that round decided."""

    round: Round
    rank: int
    count: int  # projects ranked in the round
    score: float
    interval: tuple[float, float]
    # Statistically tied with a neighbour: their intervals overlap, the order is not certain.
    tied_above: bool
    tied_below: bool
    winner_title: str

    @property
    def method(self) -> str:
        """The way the round decided, as the results pages name it."""
        if self.round.kind == RoundKind.PAIRWISE:
            return results.PAIRWISE_METHOD
        return str(self.round.aggregation)


@dataclass(frozen=True)
class Feedback:
    project: Project
    challenge: Challenge
    rounds: list[RoundFeedback]
    places: list[RoundPlace] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.challenge.results_published_at is not None


async def project_feedback(session: AsyncSession, *, user: User, project_id: int) -> Feedback:
    """The comments for the team's own coach and members (anyone else: not found). Judges
    are numbered per round in the order they were assigned; nothing else of them is shown."""
    project = await teams_queries.get_project(session, project_id)
    # A draft challenge does not exist for its teams (only for its organisers).
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=project.challenge_id
    )
    if user.id not in (await queries.team_people(session, [project_id]))[project_id]:
        raise NotFound()
    challenge = access.challenge
    if challenge.results_published_at is None:
        return Feedback(project, challenge, [])
    places = await _places(session, project.challenge_id, project_id)
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
    return Feedback(project, challenge, found, places)


async def _places(session: AsyncSession, challenge_id: int, project_id: int) -> list[RoundPlace]:
    """The project's place in every closed round that ranked it, oldest round first: as fixed
    at publication; results published before places were stored rank the rounds again."""
    found = await queries.published_places(
        session, challenge_id=challenge_id, project_id=project_id
    )
    if not found and await queries.published_decision(session, challenge_id) is None:
        found = [
            (place, result.round, result.rows[0].project.title)
            for result in reversed(await results.round_results(session, challenge_id))
            if result.round.status == RoundStatus.CLOSED
            for place in results.places(result)
            if place.project_id == project_id
        ]
    return [
        RoundPlace(
            round=judging_round,
            rank=place.rank,
            count=place.projects,
            score=place.score,
            interval=(place.interval_low, place.interval_high),
            tied_above=place.tied_above,
            tied_below=place.tied_below,
            winner_title=winner_title,
        )
        for place, judging_round, winner_title in found
    ]
