"""A project's history along its programme: each stage it went through, what it achieved."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.certificates import queries as certificate_queries
from app.challenges.models import Challenge
from app.errors import NotFound
from app.judging import queries as judging_queries
from app.judging.models import Award
from app.sponsors import queries as sponsor_queries
from app.sponsors.models import AdoptionStatus
from app.teams import projects as team_projects
from app.teams import queries as team_queries
from app.teams.models import Project, Team

# An adoption shown on the project's history: accepted, or since closed as completed (one
# ended early is not claimed), when the company agrees to be named.
RECOGNISED = (AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED)


@dataclass(frozen=True)
class Stage:
    """One stage of a project's history, as the person may see it."""

    challenge: Challenge
    project: Project
    team: Team
    awards: list[Award]  # once the stage's results are published
    adopted_by: list[str]  # companies whose adoption took effect and that agree to be named
    completed_by: list[str]  # those of them whose adoption was closed as completed
    certificates: int  # issued and not revoked
    is_this: bool  # the project the history was asked for


async def project_history(
    session: AsyncSession, *, user: User | None, project_id: int
) -> list[Stage]:
    """The stages of the project's line the person may see, in order; 'not found' when the
    project itself is not theirs to see (the project page's rule)."""
    await team_projects.load_project(session, user=user, project_id=project_id)
    stages = []
    for project in await team_queries.project_chain(session, project_id):
        assert project.id is not None
        try:
            project, team, _access, challenge = await team_projects.load_project(
                session, user=user, project_id=project.id
            )
        except NotFound:  # a stage the person may not see stays out of their history
            continue
        assert challenge.id is not None and project.id is not None
        awards = []
        if challenge.results_published_at is not None:
            awards = [
                a
                for a in await judging_queries.awards(session, challenge.id)
                if a.project_id == project.id
            ]
        adoptions = await sponsor_queries.project_adoptions(session, project.id)
        stages.append(
            Stage(
                challenge=challenge,
                project=project,
                team=team,
                awards=awards,
                adopted_by=[
                    row.sponsor.name
                    for row in adoptions
                    if row.adoption.status in RECOGNISED and row.adoption.public_recognition
                ],
                completed_by=[
                    row.sponsor.name
                    for row in adoptions
                    if row.adoption.status == AdoptionStatus.COMPLETED
                    and row.adoption.public_recognition
                ],
                certificates=await certificate_queries.issued_for_project(session, project.id),
                is_this=project.id == project_id,
            )
        )
    return stages
