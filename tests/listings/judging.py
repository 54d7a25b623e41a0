"""Worlds for the query-count tests: judging, rankings and results."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from app.accounts.models import RoleKind, User
from app.challenges.models import Challenge, Track
from app.db import Database, utcnow
from app.judging.models import (
    Assignment,
    Award,
    Criterion,
    PublishedPlace,
    Round,
    RoundStatus,
    Rubric,
    TrackRubric,
)
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
    """n awards, each to another project, and the results published with every place fixed,
    as publishing stores them."""
    challenge = await make_challenge(db)
    projects = await submitted_projects(db, actors, challenge, n)
    judging_round = await make_round(
        db, challenge, judges=[], projects=projects, status=RoundStatus.CLOSED
    )
    async with db.transaction() as session:
        session.add_all(
            Award(challenge_id=challenge.id or 0, project_id=p.id or 0, name="Menzione", rank=1)
            for p in projects
        )
        session.add_all(
            PublishedPlace(
                round_id=judging_round.id or 0,
                project_id=p.id or 0,
                rank=1,
                projects=n,
                score=3.0,
                interval_low=2.0,
                interval_high=4.0,
                winner_id=projects[0].id or 0,
            )
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


async def rubrics_api(db: Database, actors: Actors, n: int) -> Visit:
    """n rubrics (each with its criterion), named Item-k."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with db.transaction() as session:
        for k in range(n):
            rubric = Rubric(challenge_id=challenge.id or 0, name=item(k))
            session.add(rubric)
            await session.flush()
            session.add(Criterion(rubric_id=rubric.id or 0, name="Impatto", weight=100))
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/rubrics")


async def _named_rounds(db: Database, actors: Actors, n: int) -> tuple[User, Challenge]:
    """n closed rounds named Item-k, each with a track rubric of its own."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    async with db.transaction() as session:
        track = (
            (await session.execute(select(Track).where(col(Track.challenge_id) == challenge.id)))
            .scalars()
            .first()
        )
        assert track is not None
        for k in range(n):
            rubric = Rubric(challenge_id=challenge.id or 0, name="Rubrica")
            session.add(rubric)
            await session.flush()
            judging_round = Round(
                challenge_id=challenge.id or 0,
                rubric_id=rubric.id,
                name=item(k),
                status=RoundStatus.CLOSED,
            )
            session.add(judging_round)
            await session.flush()
            session.add(
                TrackRubric(
                    round_id=judging_round.id or 0, track_id=track.id or 0, rubric_id=rubric.id or 0
                )
            )
    return organiser, challenge


async def rounds_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _named_rounds(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/rounds")


async def round_settings(db: Database, actors: Actors, n: int) -> Visit:
    """A round's settings page offers n closed rounds for its shortlist."""
    organiser, challenge = await _named_rounds(db, actors, n)
    async with db.transaction() as session:
        draft = Round(challenge_id=challenge.id or 0, name="Finale")
        session.add(draft)
    return Visit(await actors.client(organiser), f"/rounds/{draft.id}/settings")


async def judges_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    for k in range(n):
        await actors.grant(await actors.user(item(k)), challenge.id or 0, RoleKind.JUDGE)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/judges")


async def feedback(db: Database, actors: Actors, n: int) -> Visit:
    """n judges' comments (Item-k) on a team's project, results published (its place fixed)."""
    coach = await actors.user()
    challenge = await make_challenge(db)
    (project,) = await submitted_projects(db, actors, challenge, 1, coach=coach)
    judges = [await actors.user() for _ in range(n)]
    judging_round = await make_round(
        db, challenge, judges=judges, projects=[project], status=RoundStatus.CLOSED
    )
    async with db.transaction() as session:
        sheets = (
            await session.execute(
                select(Assignment)
                .where(col(Assignment.round_id) == judging_round.id)
                .order_by(col(Assignment.id))
            )
        ).scalars()
        for k, sheet in enumerate(sheets):
            sheet.comment = item(k)
            sheet.submitted_at = utcnow()
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        stored.team_feedback = True
        session.add(
            PublishedPlace(
                round_id=judging_round.id or 0,
                project_id=project.id or 0,
                rank=1,
                projects=1,
                score=3.0,
                interval_low=2.0,
                interval_high=4.0,
                winner_id=project.id or 0,
            )
        )
        await session.execute(
            update(Challenge)
            .where(col(Challenge.id) == challenge.id)
            .values(results_published_at=utcnow())
        )
    return Visit(await actors.client(coach), f"/projects/{project.id}/feedback")
