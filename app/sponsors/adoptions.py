"""Adoptions: a sponsor offers commitments to a project, the team's coach answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
from app.sponsors import events, permissions, queries, rules
from app.sponsors.models import (
    HOLDING_STATUSES,
    OFFER_FIELDS,
    Adoption,
    AdoptionRules,
    AdoptionStatus,
    AdoptionVersion,
    Sponsor,
)
from app.sponsors.schemas import AdoptionCreate, AdoptionRefusal
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


class AdoptionNotOpenYet(Conflict):
    code = "adoption_not_open_yet"
    message = lazy("Offers for the projects of this challenge are not open yet.")


class NotAwaitingConfirmation(Conflict):
    code = "not_awaiting_confirmation"
    message = lazy("This adoption is not waiting for an organiser's confirmation.")


class AdoptionAnswered(Conflict):
    code = "adoption_answered"
    message = lazy("This offer has already been answered or withdrawn.")


async def adoption_window(
    session: AsyncSession, challenge_id: int
) -> tuple[datetime | None, datetime | None]:
    """When offers start and stop: the adoption phase (None, None: the challenge sets none)."""
    phase = await challenges_queries.get_phase(session, challenge_id, PhaseKind.ADOPTION)
    return (phase.starts_at, phase.ends_at) if phase is not None else (None, None)


async def adoption_deadline(session: AsyncSession, challenge_id: int) -> datetime | None:
    """When offers stop: the end of the adoption phase (None: the challenge sets no end)."""
    return (await adoption_window(session, challenge_id))[1]


async def offers_open(session: AsyncSession, project: Project) -> bool:
    """May sponsors make offers for this project now, by the server's clock?"""
    if project.status != ProjectStatus.SUBMITTED:
        return False
    starts, ends = await adoption_window(session, project.challenge_id)
    now = utcnow()
    return (starts is None or starts <= now) and (ends is None or now < ends)


async def ensure_window(session: AsyncSession, challenge_id: int) -> None:
    starts, ends = await adoption_window(session, challenge_id)
    now = utcnow()
    if starts is not None and now < starts:
        raise AdoptionNotOpenYet(_(AdoptionNotOpenYet.message))
    if ends is not None and now >= ends:
        raise AdoptionPhaseOver(_(AdoptionPhaseOver.message))


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


def event_ids(adoption: Adoption, team_id: int) -> dict[str, int]:
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
    await ensure_window(session, project.challenge_id)
    assert sponsor.id is not None and project.id is not None and user.id is not None
    if await queries.find_adoption(session, sponsor_id=sponsor.id, project_id=project.id):
        raise AdoptionExists(_(AdoptionExists.message))
    offer = Adoption(
        challenge_id=project.challenge_id,
        sponsor_id=sponsor.id,
        project_id=project.id,
        proposed_by=user.id,
        public_recognition=data.recognition == "public",
        **data.model_dump(include=set(OFFER_FIELDS)),
    )
    # An offer that could never be accepted is refused now (acceptance checks again).
    await rules.ensure_room(session, await rules.rules_of(session, project.challenge_id), offer)
    adoption = await save_unique(session, offer, taken=AdoptionExists(_(AdoptionExists.message)))
    assert adoption.id is not None
    session.add(version_of(adoption, created_by=user.id))
    log_action(
        session,
        actor_id=user.id,
        action=events.ADOPTION_PROPOSED,
        subject_type="adoption",
        subject_id=adoption.id,
        challenge_id=project.challenge_id,
        data=_commitments(adoption),
    )
    emit(session, events.AdoptionProposed(**event_ids(adoption, project.team_id)))
    return adoption


async def locked_adoption(
    session: AsyncSession, *, user: User, adoption_id: int, hold: bool = False, lock: bool = True
) -> tuple[Adoption, ChallengeAccess, Sponsor, Team]:
    """The adoption with its row locked, if the person may see it: a change of its state
    waits for another one in progress, then sees the state that one left. Without `lock`,
    a read (a page, a guard before the form is read).

    `hold` (an acceptance) first locks the project's row, then the sponsor's, always in
    this order: two acceptances of offers for the same project, or of one sponsor's offers,
    run one after the other, and the second counts what the first accepted."""
    if hold:
        peek = await queries.get_adoption(session, adoption_id)
        await teams_queries.get_project(session, peek.project_id, lock=True)
        await queries.get_sponsor(
            session, peek.sponsor_id, challenge_id=peek.challenge_id, lock=True
        )
    adoption = await queries.get_adoption(session, adoption_id, lock=lock)
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


async def organiser_of_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> None:
    """The guard of an organiser's answer: 'not found' or 'not allowed' before the form."""
    adoption = await queries.get_adoption(session, adoption_id)
    await challenge_permissions.organised(session, user=user, challenge_id=adoption.challenge_id)


async def accept_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach accepts an offer within the challenge's rules; with one godmother
    per project the other offers are declined, and told why. Where an organiser confirms,
    the offer waits for them, holding its place."""
    adoption, access, _sponsor, team = await locked_adoption(
        session, user=user, adoption_id=adoption_id, hold=True
    )
    permissions.ensure_coach(access, team)
    if adoption.status in HOLDING_STATUSES:
        return adoption  # the same answer again (a double click, two tabs): already done
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    project = await teams_queries.get_project(session, adoption.project_id)
    if project.status != ProjectStatus.SUBMITTED:
        raise ProjectNotSubmitted(_(ProjectNotSubmitted.message))
    found = await rules.rules_of(session, adoption.challenge_id)
    await rules.ensure_room(session, found, adoption)
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    assert team.id is not None
    if found.organiser_confirms:
        adoption.status = AdoptionStatus.CONFIRMING
        session.add(adoption)
        log_action(
            session,
            action=events.ADOPTION_TEAM_ACCEPTED,
            **_about(user, adoption),
            data=_commitments(adoption),
        )
        emit(session, events.AdoptionAwaitingConfirmation(**event_ids(adoption, team.id)))
        return adoption
    await _take_effect(session, user=user, adoption=adoption, team_id=team.id, rules_=found)
    return adoption


async def confirm_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """An organiser confirms a team's acceptance: the adoption takes effect."""
    adoption, access, _sponsor, team = await locked_adoption(
        session, user=user, adoption_id=adoption_id, hold=True
    )
    access.require_organiser()
    if adoption.status == AdoptionStatus.ACCEPTED:
        return adoption
    if adoption.status != AdoptionStatus.CONFIRMING:
        raise NotAwaitingConfirmation(_(NotAwaitingConfirmation.message))
    # The rules may have changed since the team accepted: they hold at confirmation too.
    found = await rules.rules_of(session, adoption.challenge_id)
    await rules.ensure_room(session, found, adoption)
    adoption.confirmed_by = user.id
    adoption.confirmed_at = utcnow()
    assert team.id is not None
    await _take_effect(
        session,
        user=user,
        adoption=adoption,
        team_id=team.id,
        rules_=found,
        confirmed=True,
    )
    return adoption


async def refuse_adoption(
    session: AsyncSession, *, user: User, adoption_id: int, data: AdoptionRefusal
) -> Adoption:
    """An organiser does not confirm a team's acceptance; the team may accept another offer."""
    adoption, access, _sponsor, team = await locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    access.require_organiser()
    if adoption.status == AdoptionStatus.REFUSED:
        return adoption
    if adoption.status != AdoptionStatus.CONFIRMING:
        raise NotAwaitingConfirmation(_(NotAwaitingConfirmation.message))
    adoption.status = AdoptionStatus.REFUSED
    adoption.reason = data.reason
    adoption.confirmed_by = user.id
    adoption.confirmed_at = utcnow()
    session.add(adoption)
    assert team.id is not None
    log_action(
        session,
        action=events.ADOPTION_REFUSED,
        **_about(user, adoption),
        data={"reason": data.reason},
    )
    emit(session, events.AdoptionRefused(**event_ids(adoption, team.id)))
    return adoption


async def _take_effect(
    session: AsyncSession,
    *,
    user: User,
    adoption: Adoption,
    team_id: int,
    rules_: AdoptionRules,
    confirmed: bool = False,
) -> None:
    """The adoption is accepted; with one godmother per project, the other offers for it
    are declined automatically (their rows locked, under the project's lock)."""
    adoption.status = AdoptionStatus.ACCEPTED
    session.add(adoption)
    log_action(
        session,
        action=events.ADOPTION_CONFIRMED if confirmed else events.ADOPTION_ACCEPTED,
        **_about(user, adoption),
        data=_commitments(adoption),
    )
    emit(session, events.AdoptionAccepted(**event_ids(adoption, team_id)))
    if not rules_.single_godmother:
        return
    assert adoption.id is not None
    for other in await queries.pending_offers(session, adoption.project_id):
        other.status = AdoptionStatus.DECLINED
        other.declined_automatically = True
        other.decided_at = utcnow()
        session.add(other)
        data = {"accepted_adoption_id": adoption.id}
        log_action(session, action=events.ADOPTION_AUTO_DECLINED, **_about(user, other), data=data)
        emit(session, events.AdoptionAutoDeclined(**event_ids(other, team_id), **data))


def _about(user: User, adoption: Adoption) -> dict[str, Any]:
    """The audit entry's actor and subject, for log_action."""
    assert adoption.id is not None
    return {
        "actor_id": user.id,
        "subject_type": "adoption",
        "subject_id": adoption.id,
        "challenge_id": adoption.challenge_id,
    }


async def decline_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The team's coach declines an offer."""
    adoption, access, _sponsor, team = await locked_adoption(
        session, user=user, adoption_id=adoption_id
    )
    permissions.ensure_coach(access, team)
    if adoption.status == AdoptionStatus.DECLINED:
        return adoption  # the same answer again (a double click, two tabs): already done
    if adoption.status != AdoptionStatus.PROPOSED:
        raise AdoptionAnswered(_(AdoptionAnswered.message))
    adoption.status = AdoptionStatus.DECLINED
    adoption.decided_by = user.id
    adoption.decided_at = utcnow()
    session.add(adoption)
    assert team.id is not None
    log_action(
        session,
        action=events.ADOPTION_DECLINED,
        **_about(user, adoption),
        data=_commitments(adoption),
    )
    emit(session, events.AdoptionDeclined(**event_ids(adoption, team.id)))
    return adoption


async def withdraw_adoption(session: AsyncSession, *, user: User, adoption_id: int) -> Adoption:
    """The sponsor takes an offer back before the team has answered."""
    adoption, access, sponsor, team = await locked_adoption(
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
    emit(session, events.AdoptionWithdrawn(**event_ids(adoption, team.id)))
    return adoption


def version_of(adoption: Adoption, *, created_by: int) -> AdoptionVersion:
    """The offer's terms as they stand now, kept as its current version."""
    assert adoption.id is not None
    terms = {name: getattr(adoption, name) for name in OFFER_FIELDS}
    return AdoptionVersion(
        adoption_id=adoption.id, version=adoption.version, created_by=created_by, **terms
    )


def _commitments(adoption: Adoption) -> dict[str, int]:
    return {
        "mentoring_hours": adoption.mentoring_hours,
        "internships": adoption.internships,
        "funding_eur": adoption.funding_eur,
    }
