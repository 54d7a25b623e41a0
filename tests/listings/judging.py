"""Worlds for the query-count tests: judging, rankings and results."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database, utcnow
from app.judging.models import Assignment, Award, RoundStatus
from tests.factories import Actors, make_challenge, make_round
from tests.listings import Visit, item
from tests.listings.rows import scored_round, submitted_projects


async def judging(db: Database, actors: Actors, n: int) -> Visit:
    """The organisers' judging page: n judges, each in a round (and rubric) of their own."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    (project,) = await submitted_projects(db, actors, challenge, 1)
    for k in range(n):
        judge = await actors.user(item(k))
        await make_round(db, challenge, judges=[judge], projects=[project])
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/judging")


async def _ranked(db: Database, actors: Actors, n: int) -> tuple[User, Challenge]:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    await scored_round(db, actors, challenge, n, status=RoundStatus.CLOSED)
    return organiser, challenge


async def ranking(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _ranked(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/ranking")


async def ranking_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _ranked(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/ranking")


async def results_preview(db: Database, actors: Actors, n: int) -> Visit:
    """Before publication the organisers see the awards the scores would give."""
    organiser, challenge = await _ranked(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/results")


async def _published(db: Database, actors: Actors, n: int) -> Challenge:
    """n awards, each to another project, and the results published."""
    challenge = await make_challenge(db)
    projects = await submitted_projects(db, actors, challenge, n)
    async with db.transaction() as session:
        session.add_all(
            Award(challenge_id=challenge.id or 0, project_id=p.id or 0, name="Menzione", rank=1)
            for p in projects
        )
        await session.execute(
            update(Challenge)
            .where(col(Challenge.id) == challenge.id)
            .values(results_published_at=utcnow())
        )
    return challenge


async def results(db: Database, actors: Actors, n: int) -> Visit:
    challenge = await _published(db, actors, n)
    return Visit(actors.anonymous(), f"/challenges/{challenge.id}/results")


async def results_api(db: Database, actors: Actors, n: int) -> Visit:
    challenge = await _published(db, actors, n)
    return Visit(actors.anonymous(), f"/api/v1/challenges/{challenge.id}/results")


async def _assigned(db: Database, actors: Actors, n: int) -> User:
    """A judge with n scored projects in an open round."""
    challenge = await make_challenge(db)
    (judge, _other) = await scored_round(db, actors, challenge, n, status=RoundStatus.OPEN)
    return judge


async def my_assignments(db: Database, actors: Actors, n: int) -> Visit:
    return Visit(await actors.client(await _assigned(db, actors, n)), "/judging")


async def my_assignments_api(db: Database, actors: Actors, n: int) -> Visit:
    return Visit(await actors.api(await _assigned(db, actors, n)), "/api/v1/judging/assignments")


async def score_sheet(db: Database, actors: Actors, n: int) -> Visit:
    """A rubric of n criteria."""
    judge = await actors.user()
    challenge = await make_challenge(db)
    (project,) = await submitted_projects(db, actors, challenge, 1)
    weights = tuple((item(k), 1) for k in range(n))
    judging_round = await make_round(
        db, challenge, judges=[judge], projects=[project], weights=weights
    )
    async with db.read() as session:
        assignment = (
            await session.execute(
                select(Assignment).where(col(Assignment.round_id) == judging_round.id)
            )
        ).scalar_one()
    return Visit(await actors.client(judge), f"/judging/assignments/{assignment.id}")
