"""Programmes: chains of challenges (stages) that teams and projects move through."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import events, permissions, queries
from app.challenges.models import Challenge, Programme
from app.challenges.schemas import ProgrammeInput, StageInput
from app.challenges.service import ensure_may_create, unique_slug
from app.errors import NotFound, ValidationFailed
from app.events.service import log_action
from app.i18n import gettext as _
from app.permissions import require


def owns(user: User, programme: Programme) -> bool:
    """A programme's owner (and platform admins) decide which challenges are its stages."""
    return user.is_admin or (user.id is not None and user.id == programme.owner_id)


async def owned_programme(session: AsyncSession, *, user: User, programme_id: int) -> Programme:
    """The programme, for its owner: programmes are public, so others are 'not allowed'."""
    programme = await queries.get_programme(session, programme_id)
    require(
        owns(user, programme),
        visible=True,
        message=_("Only the owner of this programme may add stages to it."),
    )
    return programme


async def create_programme(session: AsyncSession, *, user: User, data: ProgrammeInput) -> Programme:
    """Start a programme; its creator owns it and attaches challenges they organise."""
    ensure_may_create(user)
    programme = Programme(
        slug=await unique_slug(session, Programme, data.name),
        name=data.name,
        description=data.description,
        owner_id=user.id,
    )
    session.add(programme)
    await session.flush()
    assert programme.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.PROGRAMME_CREATED,
        subject_type="programme",
        subject_id=programme.id,
    )
    return programme


async def attach_stage(
    session: AsyncSession, *, user: User, programme_id: int, data: StageInput
) -> Challenge:
    """Make a challenge one stage of the programme (its owner, organising that challenge)."""
    await owned_programme(session, user=user, programme_id=programme_id)
    try:
        access = await permissions.organised(session, user=user, challenge_id=data.challenge_id)
    except NotFound:
        raise ValidationFailed({"challenge_id": _("Please choose one of the options.")}) from None
    challenge = access.challenge
    challenge.programme_id = programme_id
    challenge.stage = data.stage
    log_action(
        session,
        actor_id=user.id,
        action=events.STAGE_ATTACHED,
        subject_type="programme",
        subject_id=programme_id,
        challenge_id=challenge.id,
        data={"stage": data.stage},
    )
    return challenge


async def detach_stage(
    session: AsyncSession, *, user: User, programme_id: int, challenge_id: int
) -> Challenge:
    """Take a challenge out of the programme (the programme's owner, or the challenge's
    organisers: they may leave a programme they no longer want to be part of)."""
    programme = await queries.get_programme(session, programme_id)
    access = await permissions.viewable(session, user=user, challenge_id=challenge_id)
    challenge = access.challenge
    if challenge.programme_id != programme_id:
        raise NotFound()
    access.require(
        access.is_organiser or owns(user, programme),
        _("Only the programme's owner or the challenge's organisers may do this."),
    )
    challenge.programme_id = None
    challenge.stage = 1
    log_action(
        session,
        actor_id=user.id,
        action=events.STAGE_DETACHED,
        subject_type="programme",
        subject_id=programme_id,
        challenge_id=challenge_id,
    )
    return challenge
