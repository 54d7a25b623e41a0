"""Adoptions: a sponsor offers commitments to a project, the team's coach answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.challenges.models import PhaseKind
from app.challenges.permissions import ChallengeAccess
from app.db import save_unique, utcnow
from app.errors import Conflict, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import events, permissions, queries
from app.sponsors.models import Adoption, AdoptionStatus, Sponsor
from app.sponsors.schemas import AdoptionCreate
from app.teams import projects as teams_projects
from app.teams import queries as teams_queries
from app.teams.models import Project, ProjectStatus, Team


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
    phase = await challenges_queries.get_phase(session, challenge_id, PhaseKind.ADOPTION)
    return phase.ends_at if phase is not None else None


async def offers_open(session: AsyncSession, project: Project) -> bool:
    """May sponsors make offers for this project now, by the server's clock?"""
    if project.status != ProjectStatus.SUBMITTED:
        return False
    deadline = await adoption_deadline(session, project.challenge_id)
    return deadline is None or utcnow() < deadline


async def project_to_adopt(
    session: AsyncSession, *, user: User, project_id: int, lock: bool = False
) -> tuple[Project, ChallengeAccess, list[Sponsor]]:
    """The project, if the person may see it (as its page does) and represents a sponsor in
    its challenge: only they make offers. `lock` holds the project's row."""
    project, _team, _access, _challenge = await teams_projects.load_project(
        session, user=user, project_id=project_id, lock=lock
    )
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=project.challenge_id
    )
    mine = await permissions.represented(session, access)
    return project, access, mine


async def _offering_sponsor(
    session: AsyncSession, access: ChallengeAccess, mine: list[Sponsor], sponsor_id: int | None
) -> Sponsor:
    if sponsor_id is not None:
        sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=access.challenge_id)
        await permissions.ensure_represents(session, access, sponsor)
        return sponsor
    if len(mine) > 1:
        raise ValidationFailed({"sponsor_id": _("Choose the company making this offer.")})
    return mine[0]


def _event(adoption: Adoption, team_id: int) -> dict[str, int]:
    assert adoption.id is not None
    return {
        "challenge_id": adoption.challenge_id,
        "adoption_id": adoption.id,
        "sponsor_id": adoption.sponsor_id,
        "project_id": adoption.project_id,
        "team_id": team_id,
    }


async def propose_adoption(
    session: AsyncSession, *, user: User, project_id: int, data: AdoptionCreate
) -> Adoption:
    """A sponsor's representative offers commitments to a submitted project, once per pair."""
    # The project's lock orders this offer with a withdrawal of the project at the same time.
    project, access, mine = await project_to_adopt(
        session, user=user, project_id=project_id, lock=True
    )
    sponsor = await _offering_sponsor(session, access, mine, data.sponsor_id)
    if project.status != ProjectStatus.SUBMITTED:
        raise ProjectNotSubmitted(_(ProjectNotSubmitted.message))
    if not await offers_open(session, project):
        raise AdoptionPhaseOver(_(AdoptionPhaseOver.message))
    assert sponsor.id is not None and project.id is not None and user.id is not None
    if await queries.find_adoption(session, sponsor_id=sponsor.id, project_id=project.id):
        raise AdoptionExists(_(AdoptionExists.message))
    adoption = await save_unique(
        session,
        Adoption(
            challenge_id=project.challenge_id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            mentoring_hours=data.mentoring_hours,
            internships=data.internships,
            funding_eur=data.funding_eur,
            message=data.message,
            proposed_by=user.id,
        ),
        taken=AdoptionExists(_(AdoptionExists.message)),
    )
    assert adoption.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_PROPOSED,
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=project.challenge_id,
        data=_commitments(adoption),
    )
    emit(session, events.AdoptionProposed(**_event(adoption, project.team_id)))
    return adoption


async def _locked_adoption(
    session: AsyncSession, *, user: User, adoption_id: int
) -> tuple[Adoption, ChallengeAccess, Sponsor, Team]:
    """The adoption with its row locked, if the person may see it: a change of its state
    waits for another one in progress, then sees the state that one left."""
    adoption = await queries.get_adoption(session, adoption_id, lock=True)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=adoption.challenge_id
    )
    sponsor = await queries.get_sponsor(
        session, adoption.sponsor_id, challenge_id=adoption.challenge_id
    )
    project = await teams_queries.get_project(session, adoption.project_id)
    team = await teams_queries.get_team(session, project.team_id)
    await permissions.ensure_sees_adoption(session, access, sponsor, team)
    return adoption, access, sponsor, team


async def accept_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach accepts an offer."""
    return await _answer(session, user=user, adoption_id=adoption_id, accept=True)


async def decline_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach declines an offer."""
    return await _answer(session, user=user, adoption_id=adoption_id, accept=False)


async def _answer(session: AsyncSession, *, user: User, adoption_id: int, accept: bool) -> Adoption:
    adoption, access, _sponsor, team = await _locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    permissions.ensure_coach(access, team)
    wanted = AdoptionStatus.ACCEPTED if accept else AdoptionStatus.DECLINED
    if adoption.status == wanted:
        return adoption  # the same answer again (a double click, two tabs): already done
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    if accept:
        project = await teams_queries.get_project(session, adoption.project_id)
        if project.status != ProjectStatus.SUBMITTED:
            raise ProjectNotSubmitted(_(ProjectNotSubmitted.message))
    adoption.status = wanted
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    session.add(adoption)
    assert team.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_ACCEPTED if accept else events.ADOPTION_DECLINED,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
        data=_commitments(adoption),
    )
    ids = _event(adoption, team.id)
    emit(
        session,
        events.AdoptionAccepted(**ids) if accept else events.AdoptionDeclined(**ids),
    )
    return adoption


async def withdraw_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The sponsor takes an offer back before the team has answered."""
    adoption, access, sponsor, team = await _locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    await permissions.ensure_represents(session, access, sponsor)
    if adoption.status == AdoptionStatus.WITHDRAWN:
        return adoption  # withdrawn already (a double click): nothing more to do
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    adoption.status = AdoptionStatus.WITHDRAWN
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    session.add(adoption)
    assert team.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_WITHDRAWN,
        subject_type="adoption",
        subject_id=adoption_id,
        challenge_id=adoption.challenge_id,
    )
    emit(session, events.AdoptionWithdrawn(**_event(adoption, team.id)))
    return adoption


def _commitments(adoption: Adoption) -> dict[str, int]:
    return {
        "mentoring_hours": adoption.mentoring_hours,
        "internships": adoption.internships,
        "funding_eur": adoption.funding_eur,
    }
