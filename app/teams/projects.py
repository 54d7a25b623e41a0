"""Projects: written, versioned and submitted by a team's coach inside the submission window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.challenges.models import Challenge, Institution, PhaseKind, Track
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.teams import permissions, queries
from app.teams.models import Project, ProjectFile, ProjectStatus, Team
from app.teams.permissions import TeamAccess
from app.teams.schemas import ProjectInput
from app.teams.service import access_to_team, load_team


class SubmissionNotOpen(Conflict):
    code = "submission_not_open"
    message = "The submission phase has not started yet."


class SubmissionClosed(Conflict):
    code = "submission_closed"
    message = "The submission deadline has passed: the project can no longer be changed."


class ProjectLocked(Conflict):
    code = "project_submitted"
    message = "This project has been submitted. Withdraw the submission to change it."


class NotSubmitted(Conflict):
    code = "not_submitted"
    message = "This project is not submitted."


@dataclass(frozen=True)
class ProjectView:
    """Everything the project page shows."""

    project: Project
    team: Team
    challenge: Challenge
    access: TeamAccess
    files: list[ProjectFile]
    track: Track | None
    institution: Institution | None
    submission_open: bool

    @property
    def can_manage(self) -> bool:
        return permissions.can_manage_team(self.access)


async def ensure_submission_open(
    session: AsyncSession, challenge_id: int, now: datetime | None = None
) -> None:
    """Raise unless the submission window is open now, by the server's clock."""
    now = now or utcnow()
    phase = await challenge_queries.get_phase(session, challenge_id, PhaseKind.SUBMISSION)
    if phase is None or now < phase.starts_at:
        raise SubmissionNotOpen(_(SubmissionNotOpen.message))
    if now >= phase.ends_at:
        raise SubmissionClosed(_(SubmissionClosed.message))


async def load_project(
    session: AsyncSession, *, user: User | None, project_id: int
) -> tuple[Project, Team, TeamAccess, Challenge]:
    """The project if the person may see it (public once submitted), else 'not found'."""
    project = await queries.get_project(session, project_id)
    team = await queries.get_team(session, project.team_id)
    challenge = await challenge_queries.get_challenge(session, project.challenge_id)
    access = await access_to_team(session, user=user, team=team)
    permissions.ensure_can_view_project(access, project, challenge_published=challenge.is_published)
    return project, team, access, challenge


async def editable_project(
    session: AsyncSession, *, user: User, project_id: int, now: datetime | None = None
) -> tuple[Project, Team]:
    """The project, if its coach may change it now: in the window and not submitted."""
    project, team, access, _challenge = await load_project(
        session, user=user, project_id=project_id
    )
    permissions.ensure_coach(access)
    await ensure_submission_open(session, project.challenge_id, now)
    if project.status == ProjectStatus.SUBMITTED:
        raise ProjectLocked(_(ProjectLocked.message))
    return project, team


async def project_view(session: AsyncSession, *, user: User | None, project_id: int) -> ProjectView:
    project, team, access, challenge = await load_project(session, user=user, project_id=project_id)
    try:
        await ensure_submission_open(session, project.challenge_id)
        submission_open = True
    except Conflict:
        submission_open = False
    return ProjectView(
        project=project,
        team=team,
        challenge=challenge,
        access=access,
        files=await queries.files(session, project_id),
        track=await session.get(Track, project.track_id) if project.track_id else None,
        institution=(
            await session.get(Institution, team.institution_id) if team.institution_id else None
        ),
        submission_open=submission_open,
    )


async def public_project_id(session: AsyncSession, *, team_id: int) -> int | None:
    """The team's project if everyone may see it (submitted, challenge published)."""
    project = await queries.project_of_team(session, team_id)
    if project is None or project.id is None:
        return None
    challenge = await challenge_queries.get_challenge(session, project.challenge_id)
    if not permissions.is_public(project, challenge_published=challenge.is_published):
        return None
    return project.id


def bump(project: Project) -> None:
    """Every change to the content makes a new version."""
    project.version += 1
    project.updated_at = utcnow()


async def save_project(
    session: AsyncSession,
    *,
    user: User,
    team_id: int,
    data: ProjectInput,
    now: datetime | None = None,
) -> Project:
    """Create or change the team's project (the coach, while submissions are open)."""
    team, access = await load_team(session, user=user, team_id=team_id)
    permissions.ensure_coach(access)
    await ensure_submission_open(session, team.challenge_id, now)
    track_id = data.track_id if data.track_id is not None else team.track_id
    if data.track_id is not None:
        tracks = await challenge_queries.tracks(session, team.challenge_id)
        if data.track_id not in {t.id for t in tracks}:
            raise ValidationFailed({"track_id": _("Please choose one of the options.")})
    project = await queries.project_of_team(session, team_id)
    if project is None:
        project = Project(team_id=team_id, challenge_id=team.challenge_id, title=data.title)
        action = "project.created"
    elif project.status == ProjectStatus.SUBMITTED:
        raise ProjectLocked(_(ProjectLocked.message))
    else:
        bump(project)
        action = "project.updated"
    project.title, project.summary = data.title, data.summary
    project.description, project.track_id = data.description, track_id
    session.add(project)
    await session.flush()
    assert project.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=action,
        subject_type="project",
        subject_id=project.id,
        challenge_id=team.challenge_id,
        data={"version": project.version},
    )
    return project


async def submit_project(
    session: AsyncSession, *, user: User, project_id: int, now: datetime | None = None
) -> Project:
    """Hand the project in for judging (the coach, before the deadline)."""
    project, team = await editable_project(session, user=user, project_id=project_id, now=now)
    project.status = ProjectStatus.SUBMITTED
    project.submitted_at = now or utcnow()
    log_action(
        session,
        actor_id=user.id,
        action="project.submitted",
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
        data={"version": project.version},
    )
    emit(
        session,
        "ProjectSubmitted",
        challenge_id=project.challenge_id,
        project_id=project_id,
        team_id=team.id,
    )
    return project


async def withdraw_project(session: AsyncSession, *, user: User, project_id: int) -> Project:
    """Take a submission back; before the deadline the team may change it and submit again."""
    project, team, access, _challenge = await load_project(
        session, user=user, project_id=project_id
    )
    permissions.ensure_coach(access)
    if project.status != ProjectStatus.SUBMITTED:
        raise NotSubmitted(_(NotSubmitted.message))
    project.status = ProjectStatus.WITHDRAWN
    project.submitted_at = None
    log_action(
        session,
        actor_id=user.id,
        action="project.withdrawn",
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
    )
    emit(
        session,
        "ProjectWithdrawn",
        challenge_id=project.challenge_id,
        project_id=project_id,
        team_id=team.id,
    )
    return project
