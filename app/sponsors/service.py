"""Sponsors taking part in a challenge and the people who represent them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.db import insert_or_get, save_unique
from app.errors import Conflict
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import events, queries
from app.sponsors.models import Sponsor, SponsorRepresentative
from app.sponsors.schemas import SponsorCreate


class SponsorNameTaken(Conflict):
    code = "sponsor_name_taken"
    message = lazy("A sponsor with this name already takes part in this challenge.")
    field = "name"


async def add_sponsor(
    session: AsyncSession, *, user: User, challenge_id: int, data: SponsorCreate
) -> Sponsor:
    """An organiser adds a sponsor company to the challenge; names are unique in it."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    if await queries.sponsor_named(session, challenge_id=challenge_id, name=data.name):
        raise SponsorNameTaken(_(SponsorNameTaken.message))
    sponsor = await save_unique(
        session,
        Sponsor(challenge_id=challenge_id, **data.model_dump()),
        taken=SponsorNameTaken(_(SponsorNameTaken.message)),
    )
    assert sponsor.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.SPONSOR_ADDED,
        subject_type="sponsor",
        subject_id=sponsor.id,
        challenge_id=challenge_id,
        data={"name": sponsor.name},
    )
    return sponsor


async def add_representative(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int, email: str
) -> User:
    """Link an existing account to a sponsor and give it the sponsor role; twice, even at
    once, is harmless."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    person = await accounts_service.person_for_role(session, email=email)
    assert sponsor.id is not None and person.id is not None
    person_id, sponsor_id = person.id, sponsor.id

    async def existing() -> SponsorRepresentative | None:
        return await queries.representative_row(session, user_id=person_id, sponsor_id=sponsor_id)

    _row, created = await insert_or_get(
        session, SponsorRepresentative(sponsor_id=sponsor_id, user_id=person_id), find=existing
    )
    if created:
        log_action(
            session,
            actor_id=user.id,
            action=events.REPRESENTATIVE_ADDED,
            subject_type="sponsor",
            subject_id=sponsor_id,
            challenge_id=challenge_id,
            data={"user_id": person_id},
        )
    await accounts_service.grant_role(
        session,
        user_id=person_id,
        challenge_id=challenge_id,
        kind=RoleKind.SPONSOR,
        actor_id=user.id,
    )
    return person


async def join_next_edition(
    session: AsyncSession, *, from_challenge_id: int, to_challenge_id: int, actor_id: int
) -> int:
    """The sponsor companies of last year's edition take part in the new one, with their
    representatives (those whose address is confirmed get the sponsor role again). The
    caller checked the person organises both challenges."""
    sponsors = await queries.sponsors(session, from_challenge_id)
    people = await queries.representatives(session, [s.id for s in sponsors if s.id])
    for sponsor in sponsors:
        assert sponsor.id is not None
        copy = Sponsor(
            challenge_id=to_challenge_id,
            name=sponsor.name,
            website=sponsor.website,
            description=sponsor.description,
            institution_id=sponsor.institution_id,
        )
        session.add(copy)
        await session.flush()
        assert copy.id is not None
        for person in people[sponsor.id]:
            assert person.id is not None
            session.add(SponsorRepresentative(sponsor_id=copy.id, user_id=person.id))
            if person.email_verified_at is not None:
                await accounts_service.grant_role(
                    session,
                    user_id=person.id,
                    challenge_id=to_challenge_id,
                    kind=RoleKind.SPONSOR,
                    actor_id=actor_id,
                )
    return len(sponsors)
