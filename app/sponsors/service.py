"""Sponsors taking part in a challenge and the people who represent them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge
from app.errors import Conflict, ValidationFailed
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import permissions, queries
from app.sponsors.models import Sponsor, SponsorRepresentative
from app.sponsors.schemas import SponsorCreate


class SponsorNameTaken(Conflict):
    code = "sponsor_name_taken"
    message = lazy("A sponsor with this name already takes part in this challenge.")


@dataclass(frozen=True)
class SponsorsPage:
    challenge: Challenge
    sponsors: list[Sponsor]
    representatives: dict[int, list[User]]  # filled for organisers only
    is_organiser: bool

    @property
    def options(self) -> list[tuple[int | None, str]]:
        return [(s.id, s.name) for s in self.sponsors]


async def list_sponsors(
    session: AsyncSession, *, user: User | None, challenge_id: int
) -> SponsorsPage:
    """The sponsors of a challenge; organisers also see who represents each."""
    challenge = await challenges_queries.get_challenge(session, challenge_id)
    who = await permissions.actor(session, user=user, challenge_id=challenge_id)
    permissions.ensure_can_see_challenge(who, challenge)
    found = await queries.sponsors(session, challenge_id)
    reps: dict[int, list[User]] = {}
    if who.is_organiser:
        reps = await queries.representatives(session, [s.id for s in found if s.id])
    return SponsorsPage(challenge, found, reps, who.is_organiser)


async def organiser_of(session: AsyncSession, *, user: User, challenge_id: int) -> Challenge:
    """The challenge, if the person organises it: adding sponsors and their representatives."""
    challenge = await challenges_queries.get_challenge(session, challenge_id)
    who = await permissions.actor(session, user=user, challenge_id=challenge_id)
    permissions.ensure_organiser(who)
    return challenge


async def add_sponsor(
    session: AsyncSession, *, user: User, challenge_id: int, data: SponsorCreate
) -> Sponsor:
    """An organiser adds a sponsor company to the challenge."""
    await organiser_of(session, user=user, challenge_id=challenge_id)
    taken = await session.execute(
        select(Sponsor.id).where(
            col(Sponsor.challenge_id) == challenge_id, col(Sponsor.name) == data.name
        )
    )
    if taken.first() is not None:
        raise SponsorNameTaken(_(SponsorNameTaken.message))
    sponsor = Sponsor(challenge_id=challenge_id, **data.model_dump())
    try:
        async with session.begin_nested():
            session.add(sponsor)
    except IntegrityError:  # a concurrent request added the same name
        raise SponsorNameTaken(_(SponsorNameTaken.message)) from None
    assert sponsor.id is not None
    log_action(
        session,
        actor_id=user.id,
        action="sponsor.added",
        subject_type="sponsor",
        subject_id=sponsor.id,
        challenge_id=challenge_id,
        data={"name": sponsor.name},
    )
    return sponsor


async def add_representative(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int, email: str
) -> User:
    """Link an existing account to a sponsor and give it the sponsor role; twice is harmless."""
    await organiser_of(session, user=user, challenge_id=challenge_id)
    sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    person = await accounts_service.user_by_email(session, email)
    if person is None or person.id is None:
        raise ValidationFailed(
            {"email": _("No account has this e-mail. Ask the person to sign up first.")}
        )
    assert sponsor.id is not None
    if not await queries.is_representative(session, user_id=person.id, sponsor_id=sponsor.id):
        session.add(SponsorRepresentative(sponsor_id=sponsor.id, user_id=person.id))
        log_action(
            session,
            actor_id=user.id,
            action="sponsor.representative_added",
            subject_type="sponsor",
            subject_id=sponsor.id,
            challenge_id=challenge_id,
            data={"user_id": person.id},
        )
    await accounts_service.grant_role(
        session,
        user_id=person.id,
        challenge_id=challenge_id,
        kind=RoleKind.SPONSOR,
        actor_id=user.id,
    )
    return person
