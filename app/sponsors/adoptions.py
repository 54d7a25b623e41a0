"""Adoptions: a sponsor offers commitments to a project, the team's coach answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import queries as challenges_queries
from app.challenges.models import PhaseKind
from app.db import utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import permissions, queries
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor
from app.sponsors.schemas import AdoptionCreate
from app.teams import queries as teams_queries
from app.teams.models import Project, ProjectStatus


class ProjectNotSubmitted(Conflict):
    code = "project_not_submitted"
    message = lazy("Only submitted projects can be adopted.")


class AdoptionPhaseOver(Conflict):
    code = "adoption_phase_over"
    message = lazy("The adoption phase of this challenge has ended.")


class AdoptionExists(Conflict):
    code = "adoption_exists"
    message = lazy("Your company has already made an offer for this project.")


class AdoptionAnswered(Conflict):
    code = "adoption_answered"
    message = lazy("This offer has already been answered or withdrawn.")


async def adoption_deadline(session: AsyncSession, challenge_id: int) -> datetime | None:
    """When offers stop: the end of the adoption phase (None: the challenge sets no end)."""
    for phase in await challenges_queries.phases(session, challenge_id):
        if phase.kind == PhaseKind.ADOPTION:
            return phase.ends_at
    return None


async def offers_open(session: AsyncSession, project: Project) -> bool:
    """May sponsors make offers for this project now, by the server's clock?"""
    if project.status != ProjectStatus.SUBMITTED:
        return False
    deadline = await adoption_deadline(session, project.challenge_id)
    return deadline is None or utcnow() < deadline


async def project_to_adopt(session: AsyncSession, *, user: User, project_id: int) -> Project:
    """The project, if the person represents a sponsor in its challenge: only they make offers."""
    project = await teams_queries.get_project(session, project_id)
    who = await permissions.actor(session, user=user, challenge_id=project.challenge_id)
    await permissions.sponsors_of(session, who)
    return project


async def _offering_sponsor(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int | None
) -> Sponsor:
    who = await permissions.actor(session, user=user, challenge_id=challenge_id)
    if sponsor_id is not None:
        sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
        await permissions.ensure_represents(session, who, sponsor)
        return sponsor
    mine = await permissions.sponsors_of(session, who)
    if len(mine) > 1:
        raise ValidationFailed({"sponsor_id": _("Choose the company making this offer.")})
    return mine[0]


async def propose_adoption(
    session: AsyncSession, *, user: User, project_id: int, data: AdoptionCreate
) -> Adoption:
    """A sponsor's representative offers commitments to a submitted project, once per pair."""
    project = await teams_queries.get_project(session, project_id)
    sponsor = await _offering_sponsor(
        session, user=user, challenge_id=project.challenge_id, sponsor_id=data.sponsor_id
    )
    if project.status != ProjectStatus.SUBMITTED:
        raise ProjectNotSubmitted(_(ProjectNotSubmitted.message))
    if not await offers_open(session, project):
        raise AdoptionPhaseOver(_(AdoptionPhaseOver.message))
    assert sponsor.id is not None and project.id is not None and user.id is not None
    if await queries.find_adoption(session, sponsor_id=sponsor.id, project_id=project.id):
        raise AdoptionExists(_(AdoptionExists.message))
    adoption = Adoption(
        challenge_id=project.challenge_id,
        sponsor_id=sponsor.id,
        project_id=project.id,
        mentoring_hours=data.mentoring_hours,
        internships=data.internships,
        funding_eur=data.funding_eur,
        message=data.message,
        proposed_by=user.id,
    )
    try:
        async with session.begin_nested():
            session.add(adoption)
    except IntegrityError:  # the same offer sent twice at once
        raise AdoptionExists(_(AdoptionExists.message)) from None
    assert adoption.id is not None
    log_action(
        session,
        actor_id=user.id,
        action="adoption.proposed",
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=project.challenge_id,
        data=_commitments(adoption),
    )
    emit(
        session,
        "AdoptionProposed",
        challenge_id=project.challenge_id,
        adoption_id=adoption.id,
        sponsor_id=sponsor.id,
        project_id=project.id,
        team_id=project.team_id,
    )
    return adoption


async def accept_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach accepts an offer."""
    return await _answer(session, user=user, adoption_id=adoption_id, accept=True)


async def decline_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach declines an offer."""
    return await _answer(session, user=user, adoption_id=adoption_id, accept=False)


async def _answer(session: AsyncSession, *, user: User, adoption_id: int, accept: bool) -> Adoption:
    adoption = await queries.get_adoption(session, adoption_id)
    project = await teams_queries.get_project(session, adoption.project_id)
    team = await teams_queries.get_team(session, project.team_id)
    who = await permissions.actor(session, user=user, challenge_id=adoption.challenge_id)
    permissions.ensure_coach(who, team)
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    adoption.status = AdoptionStatus.ACCEPTED if accept else AdoptionStatus.DECLINED
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    session.add(adoption)
    verb = "accepted" if accept else "declined"
    log_action(
        session,
        actor_id=user.id,
        action=f"adoption.{verb}",
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data=_commitments(adoption),
    )
    emit(
        session,
        "AdoptionAccepted" if accept else "AdoptionDeclined",
        challenge_id=adoption.challenge_id,
        adoption_id=adoption_id,
        sponsor_id=adoption.sponsor_id,
        project_id=adoption.project_id,
        team_id=team.id,
    )
    return adoption


async def withdraw_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The sponsor takes an offer back before the team has answered."""
    adoption = await queries.get_adoption(session, adoption_id)
    who = await permissions.actor(session, user=user, challenge_id=adoption.challenge_id)
    sponsor = await queries.get_sponsor(
        session, adoption.sponsor_id, challenge_id=adoption.challenge_id
    )
    await permissions.ensure_represents(session, who, sponsor)
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    adoption.status = AdoptionStatus.WITHDRAWN
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    session.add(adoption)
    log_action(
        session,
        actor_id=user.id,
        action="adoption.withdrawn",
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
    )
    emit(
        session,
        "AdoptionWithdrawn",
        challenge_id=adoption.challenge_id,
        adoption_id=adoption_id,
        sponsor_id=adoption.sponsor_id,
        project_id=adoption.project_id,
    )
    return adoption


def _commitments(adoption: Adoption) -> dict[str, int]:
    return {
        "mentoring_hours": adoption.mentoring_hours,
        "internships": adoption.internships,
        "funding_eur": adoption.funding_eur,
    }
