"""A small challenge with published-results material: one submitted team that won an
award and was adopted, one draft team, a judge who scored, and the people around them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlmodel import col
from starlette.applications import Starlette

from app import jobs
from app.accounts.models import User
from app.certificates.models import Certificate
from app.challenges.models import Challenge
from app.db import Database, utcnow
from app.events.service import emit
from app.judging.events import ResultsPublished
from app.judging.models import Assignment, Award
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor
from app.teams.models import Project, Team
from app.web import services
from tests.factories import (
    Actors,
    make_challenge,
    make_project,
    make_round,
    make_sponsor,
    make_team,
    run_jobs,
)


@dataclass
class Results:
    challenge: Challenge
    organiser: User
    coach: User
    judge: User
    representative: User
    sponsor: Sponsor
    team: Team
    project: Project
    draft_team: Team
    award: Award
    adoption: Adoption


async def make_results(
    actors: Actors,
    db: Database,
    *,
    members: tuple[tuple[str, str], ...] = (("Giulia", "Bianchi"),),
    title: str = "Climathon Mantova 2026",
) -> Results:
    """The state a challenge is in when its results are published (nothing issued yet)."""
    organiser = await actors.user("Olga Organizzatrice")
    coach = await actors.user("Elena Marchetti")
    judge = await actors.user("Andrea Lodi")
    representative = await actors.user("Roberta Galli")
    challenge = await make_challenge(db, organiser=organiser, title=title)
    team = await make_team(db, challenge, coach=coach, name="4B Aqua", members=members)
    project = await make_project(db, team, title="Sensori per l'acqua piovana")
    draft_team = await make_team(
        db, challenge, coach=coach, name="4D Bozza", members=(("Marco", "Rossi"),)
    )
    await make_project(db, draft_team, title="Ancora in bozza", submitted=False)
    sponsor = await make_sponsor(
        db, challenge, representative=representative, name="Acque del Mincio S.p.A."
    )
    await make_round(db, challenge, judges=[judge], projects=[project])
    assert challenge.id is not None and project.id is not None and sponsor.id is not None
    assert representative.id is not None
    async with db.transaction() as session:
        await session.execute(update(Assignment).values(submitted_at=utcnow()))
        award = Award(challenge_id=challenge.id, project_id=project.id, name="Miglior idea")
        adoption = Adoption(
            challenge_id=challenge.id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            status=AdoptionStatus.ACCEPTED,
            mentoring_hours=10,
            proposed_by=representative.id,
        )
        session.add_all([award, adoption])
    return Results(
        challenge,
        organiser,
        coach,
        judge,
        representative,
        sponsor,
        team,
        project,
        draft_team,
        award,
        adoption,
    )


async def publish_results(db: Database, challenge: Challenge) -> None:
    """What the judging domain does when results are published: the outbox event."""
    async with db.transaction() as session:
        assert challenge.id is not None
        emit(session, ResultsPublished(challenge_id=challenge.id))


async def certificates(db: Database) -> list[Certificate]:
    async with db.read() as session:
        result = await session.execute(select(Certificate).order_by(col(Certificate.id)))
        return list(result.scalars())


async def count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def work(app: Starlette) -> None:
    """Run the real worker until the queue is empty, then give the app its queue back
    (the worker's shutdown clears the shared pool, which would leave later jobs to the
    reconciler)."""
    await run_jobs(app)
    jobs.set_pool(services(app).redis)


@dataclass
class Issued:
    challenge: Challenge
    organiser: User
    coach: User
    certificate: Certificate


async def issue_participation(
    app: Starlette,
    actors: Actors,
    db: Database,
    *,
    members: tuple[tuple[str, str], ...] = (("Giulia", "Bianchi"),),
) -> Issued:
    """One submitted team, results published, its one participation certificate rendered."""
    organiser = await actors.user("Olga Organizzatrice")
    coach = await actors.user("Elena Marchetti")
    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova 2026")
    team = await make_team(db, challenge, coach=coach, name="4B Aqua", members=members)
    await make_project(db, team, title="Sensori per l'acqua piovana")
    await publish_results(db, challenge)
    await work(app)
    (certificate,) = await certificates(db)
    return Issued(challenge, organiser, coach, certificate)
