"""Rows the factories do not make, for the worlds of the query-count tests."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from app.accounts.models import User
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.certificates.service import new_code
from app.challenges.models import Challenge, Programme
from app.db import Database, utcnow
from app.judging.models import Assignment, Criterion, Round, RoundStatus, Score
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor
from app.teams.models import Project
from tests.factories import Actors, make_project, make_round, make_team
from tests.listings import item


async def make_programme(db: Database, name: str, *, owner: User | None = None) -> Programme:
    async with db.transaction() as session:
        programme = Programme(slug=name.lower(), name=name, owner_id=owner.id if owner else None)
        session.add(programme)
    return programme


async def put_in_programme(db: Database, challenge: Challenge, programme: Programme) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Challenge)
            .where(col(Challenge.id) == challenge.id)
            .values(programme_id=programme.id)
        )


async def submitted_projects(
    db: Database, actors: Actors, challenge: Challenge, n: int, *, coach: User | None = None
) -> list[Project]:
    """n projects named Item-k, each of its own team (and coach, unless one is given)."""
    projects = []
    for k in range(n):
        team = await make_team(db, challenge, coach=coach or await actors.user())
        projects.append(await make_project(db, team, title=item(k)))
    return projects


async def offer(db: Database, sponsor: Sponsor, project: Project, by: User) -> None:
    assert sponsor.id is not None and project.id is not None and by.id is not None
    async with db.transaction() as session:
        session.add(
            Adoption(
                challenge_id=project.challenge_id,
                sponsor_id=sponsor.id,
                project_id=project.id,
                status=AdoptionStatus.ACCEPTED,
                mentoring_hours=10,
                proposed_by=by.id,
            )
        )


async def score_everything(db: Database, judging_round: Round, value_of: dict[int, int]) -> None:
    """Every assignment of the round submitted, each criterion scored value_of[project id]."""
    async with db.transaction() as session:
        criteria = (
            await session.execute(
                select(Criterion).where(col(Criterion.rubric_id) == judging_round.rubric_id)
            )
        ).scalars()
        criterion_ids = [c.id for c in criteria if c.id]
        assignments = (
            await session.execute(
                select(Assignment).where(col(Assignment.round_id) == judging_round.id)
            )
        ).scalars()
        for assignment in assignments:
            assert assignment.id is not None
            assignment.submitted_at = utcnow()
            session.add(assignment)
            for criterion_id in criterion_ids:
                session.add(
                    Score(
                        assignment_id=assignment.id,
                        criterion_id=criterion_id,
                        value=value_of[assignment.project_id],
                    )
                )


async def scored_round(
    db: Database, actors: Actors, challenge: Challenge, n: int, *, status: RoundStatus
) -> list[User]:
    """n projects scored by two judges; the first three places are clear (5, 4, 3, then 2
    and 1s), so a podium shows min(n, 3) projects. Returns the judges."""
    projects = await submitted_projects(db, actors, challenge, n)
    judges = [await actors.user(), await actors.user()]
    judging_round = await make_round(db, challenge, judges=judges, projects=projects, status=status)
    await score_everything(
        db, judging_round, {p.id or 0: max(1, 5 - k) for k, p in enumerate(projects)}
    )
    return judges


def certificate(
    challenge: Challenge,
    *,
    recipient: str,
    key: str,
    project: Project | None = None,
    version: int = 1,
    status: CertificateStatus = CertificateStatus.ISSUED,
) -> Certificate:
    """A participation certificate with its PDF already rendered."""
    return Certificate(
        code=new_code(),
        challenge_id=challenge.id or 0,
        kind=CertificateKind.PARTICIPATION,
        recipient_key=key,
        recipient_name=recipient,
        subject="Sensori per l'acqua piovana",
        project_id=project.id if project else None,
        version=version,
        status=status,
        storage_key=new_code().lower(),
        sha256="0" * 64,
        issued_at=utcnow(),
    )


async def make_certificates(
    db: Database, challenge: Challenge, n: int, *, projects: list[Project] | None = None
) -> None:
    """n certificates for Item-k (of a member of the k-th project's team, if given)."""
    async with db.transaction() as session:
        session.add_all(
            certificate(
                challenge,
                recipient=item(k),
                key=f"member:{k + 1}",
                project=projects[k] if projects else None,
            )
            for k in range(n)
        )
