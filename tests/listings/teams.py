"""Worlds for the query-count tests: teams, their members, projects and files."""

from __future__ import annotations

from app.accounts.models import User
from app.challenges.models import Institution
from app.db import Database
from app.teams.models import Project, ProjectFile, Team
from tests.factories import Actors, make_challenge, make_project, make_team
from tests.listings import Visit, item
from tests.listings.rows import submitted_projects


async def projects_api(db: Database, actors: Actors, n: int) -> Visit:
    challenge = await make_challenge(db)
    await submitted_projects(db, actors, challenge, n)
    return Visit(actors.anonymous(), f"/api/v1/challenges/{challenge.id}/projects")


async def register_team(db: Database, actors: Actors, n: int) -> Visit:
    """The team form offers every institution and every track."""
    challenge = await make_challenge(db, tracks=tuple(f"Track-{k}" for k in range(n)))
    async with db.transaction() as session:
        session.add_all(Institution(name=item(k), city="Mantova") for k in range(n))
    return Visit(await actors.client(await actors.user()), f"/challenges/{challenge.id}/teams/new")


async def _team_of(db: Database, actors: Actors, n: int) -> tuple[User, Team]:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=tuple(f"Track-{k}" for k in range(n)))
    members = tuple((item(k), "Bianchi") for k in range(n))
    return coach, await make_team(db, challenge, coach=coach, members=members)


async def team_page(db: Database, actors: Actors, n: int) -> Visit:
    coach, team = await _team_of(db, actors, n)
    return Visit(await actors.client(coach), f"/teams/{team.id}")


async def edit_team(db: Database, actors: Actors, n: int) -> Visit:
    coach, team = await _team_of(db, actors, n)
    return Visit(await actors.client(coach), f"/teams/{team.id}/edit")


async def team_api(db: Database, actors: Actors, n: int) -> Visit:
    coach, team = await _team_of(db, actors, n)
    return Visit(await actors.api(coach), f"/api/v1/teams/{team.id}")


async def edit_project(db: Database, actors: Actors, n: int) -> Visit:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=tuple(item(k) for k in range(n)))
    team = await make_team(db, challenge, coach=coach)
    await make_project(db, team, submitted=False)
    return Visit(await actors.client(coach), f"/teams/{team.id}/project")


async def _project_with_files(db: Database, actors: Actors, n: int) -> Project:
    coach = await actors.user()
    team = await make_team(db, await make_challenge(db), coach=coach)
    project = await make_project(db, team)
    assert project.id is not None and coach.id is not None
    async with db.transaction() as session:
        for k in range(n):
            session.add(
                ProjectFile(
                    project_id=project.id,
                    storage_key=f"{k:032x}",
                    display_name=f"{item(k)}.pdf",
                    content_type="application/pdf",
                    size=100,
                    sha256="0" * 64,
                    uploaded_by=coach.id,
                )
            )
    return project


async def project_page(db: Database, actors: Actors, n: int) -> Visit:
    project = await _project_with_files(db, actors, n)
    return Visit(actors.anonymous(), f"/projects/{project.id}")


async def project_api(db: Database, actors: Actors, n: int) -> Visit:
    project = await _project_with_files(db, actors, n)
    return Visit(actors.anonymous(), f"/api/v1/projects/{project.id}")
