"""Projects: written, versioned and submitted by a team's coach inside the submission window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.challenges.models import Challenge, PhaseKind
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.teams import events, permissions, queries
from app.teams.models import Project, ProjectStatus, Team
from app.teams.permissions import TeamAccess
from app.teams.schemas import ProjectInput
from app.teams.service import access_to_team, load_team


class SubmissionNotOpen(Conflict):
    code = "submission_not_open"
    message = lazy("The submission phase has not started yet.")


class SubmissionClosed(Conflict):
    code = "submission_closed"
    message = lazy("The submission deadline has passed: the project can no longer be changed.")


class ProjectLocked(Conflict):
    code = "project_submitted"
    message = lazy("This project has been submitted. Withdraw the submission to change it.")


class NotSubmitted(Conflict):
    code = "not_submitted"
    message = lazy("This project is not submitted.")


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
    session: AsyncSession, *, user: User | None, project_id: int, lock: bool = False
) -> tuple[Project, Team, TeamAccess, Challenge]:
    """The project if the person may see it (public once submitted), else 'not found'.
    `lock` holds its row until the transaction ends, for a change of its state."""
    project = await queries.get_project(session, project_id, lock=lock)
    team = await queries.get_team(session, project.team_id)
    challenge = await challenge_queries.get_challenge(session, project.challenge_id)
    access = await access_to_team(session, user=user, team=team)
    permissions.ensure_can_view_project(access, project, challenge_published=challenge.is_published)
    return project, team, access, challenge


async def editable_project(
    session: AsyncSession, *, user: User, project_id: int, now: datetime | None = None
) -> tuple[Project, Team]:
    """The project, if its coach may change it now: in the window and not submitted; its row
    is locked so two changes (a double click, two tabs) happen one after the other."""
    project, team, access, _challenge = await load_project(
        session, user=user, project_id=project_id, lock=True
    )
    permissions.ensure_coach(access)
    await ensure_submission_open(session, project.challenge_id, now)
    if project.status == ProjectStatus.SUBMITTED:
        raise ProjectLocked(_(ProjectLocked.message))
    return project, team


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
    team, access = await load_team(session, user=user, team_id=team_id, lock=True)
    permissions.ensure_coach(access)
    await ensure_submission_open(session, team.challenge_id, now)
    track_id = data.track_id if data.track_id is not None else team.track_id
    if data.track_id is not None:
        tracks = await challenge_queries.tracks(session, team.challenge_id)
        if data.track_id not in {t.id for t in tracks}:
            raise ValidationFailed({"track_id": _("Please choose one of the options.")})
    project = await queries.project_of_team(session, team_id)
    created = project is None
    if project is None:
        project = Project(team_id=team_id, challenge_id=team.challenge_id, title=data.title)
    elif project.status == ProjectStatus.SUBMITTED:
        raise ProjectLocked(_(ProjectLocked.message))
    else:
        bump(project)
    project.title, project.summary = data.title, data.summary
    project.description, project.track_id = data.description, track_id
    session.add(project)
    await session.flush()
    assert project.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.PROJECT_CREATED if created else events.PROJECT_UPDATED,
        subject_type="project",
        subject_id=project.id,
        challenge_id=team.challenge_id,
        data={"version": project.version},
    )
    return project


async def submit_project(
    session: AsyncSession, *, user: User, project_id: int, now: datetime | None = None
) -> Project:
    """Hand the project in for judging (the coach, before the deadline); submitting it
    again (a double click) changes nothing."""
    project, team, access, _challenge = await load_project(
        session, user=user, project_id=project_id, lock=True
    )
    permissions.ensure_coach(access)
    if project.status == ProjectStatus.SUBMITTED:
        return project
    await ensure_submission_open(session, project.challenge_id, now)
    project.status = ProjectStatus.SUBMITTED
    project.submitted_at = now or utcnow()
    log_action(
        session,
        actor_id=user.id,
        action=events.PROJECT_SUBMITTED,
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
        data={"version": project.version},
    )
    assert team.id is not None
    emit(
        session,
        events.ProjectSubmitted(
            challenge_id=project.challenge_id, project_id=project_id, team_id=team.id
        ),
    )
    return project


async def withdraw_project(session: AsyncSession, *, user: User, project_id: int) -> Project:
    """Take a submission back; before the deadline the team may change it and submit again."""
    project, team, access, _challenge = await load_project(
        session, user=user, project_id=project_id, lock=True
    )
    permissions.ensure_coach(access)
    if project.status == ProjectStatus.WITHDRAWN:
        return project  # withdrawn already (a double click)
    if project.status != ProjectStatus.SUBMITTED:
        raise NotSubmitted(_(NotSubmitted.message))
    project.status = ProjectStatus.WITHDRAWN
    project.submitted_at = None
    log_action(
        session,
        actor_id=user.id,
        action=events.PROJECT_WITHDRAWN,
        subject_type="project",
        subject_id=project_id,
        challenge_id=project.challenge_id,
    )
    assert team.id is not None
    emit(
        session,
        events.ProjectWithdrawn(
            challenge_id=project.challenge_id, project_id=project_id, team_id=team.id
        ),
    )
    return project
