"""Sponsors taking part in a challenge and the people who represent them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges import service as challenges_service
from app.challenges.schemas import TrackInput
from app.db import insert_or_get, save_unique
from app.errors import Conflict, NotFound
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.sponsors import company_queries, events, permissions, queries
from app.sponsors.models import Company, CompanyRepresentative, Sponsor, SponsorRepresentative
from app.sponsors.schemas import SponsorCreate


class CompanyNameTaken(Conflict):
    code = "company_name_taken"
    message = lazy(
        "An organisation with this name exists already: search for it and join it to your "
        "challenge instead."
    )
    field = "name"


class CompanyJoinedAlready(Conflict):
    code = "company_joined_already"
    message = lazy("This organisation takes part in this challenge already.")
    field = "company_id"


async def add_sponsor(
    session: AsyncSession, *, user: User, challenge_id: int, data: SponsorCreate
) -> Sponsor:
    """An organiser creates a sponsor organisation and joins it to the challenge; an
    organisation's name is taken once on the platform, whatever its case."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    if await company_queries.company_named(session, data.name):
        raise CompanyNameTaken(_(CompanyNameTaken.message))
    company = await save_unique(
        session,
        Company(created_by=user.id, **data.model_dump()),
        taken=CompanyNameTaken(_(CompanyNameTaken.message)),
    )
    assert company.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.COMPANY_CREATED,
        subject_type="company",
        subject_id=company.id,
        challenge_id=challenge_id,
        data={"name": company.name},
    )
    return await _join(session, user=user, challenge_id=challenge_id, company=company)


async def join_company(
    session: AsyncSession, *, user: User, challenge_id: int, company_id: int
) -> Sponsor:
    """An organiser joins an existing organisation to the challenge, once: its
    representatives act for it here from now on."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    # Locked: two organisers joining it at once queue here, the second finds the first's row.
    company = await company_queries.get_company(session, company_id, lock=True)
    return await _join(session, user=user, challenge_id=challenge_id, company=company)


async def _join(
    session: AsyncSession, *, user: User, challenge_id: int, company: Company
) -> Sponsor:
    assert company.id is not None
    joined = CompanyJoinedAlready(_(CompanyJoinedAlready.message))
    if await company_queries.participation(
        session, company_id=company.id, challenge_id=challenge_id
    ) or await queries.sponsor_named(session, challenge_id=challenge_id, name=company.name):
        raise joined
    sponsor = await save_unique(
        session,
        Sponsor(
            challenge_id=challenge_id,
            company_id=company.id,
            name=company.name,
            website=company.website,
            description=company.description,
            institution_id=company.institution_id,
        ),
        taken=joined,
    )
    assert sponsor.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.SPONSOR_ADDED,
        subject_type="sponsor",
        subject_id=sponsor.id,
        challenge_id=challenge_id,
        data={"name": sponsor.name, "company_id": company.id},
    )
    for person_id in await company_queries.representative_ids(session, company.id):
        await _link(session, sponsor=sponsor, person_id=person_id, actor_id=user.id)
    return sponsor


async def _link(
    session: AsyncSession, *, sponsor: Sponsor, person_id: int, actor_id: int | None
) -> None:
    """The person represents the company in this challenge: linked to its participation,
    with the sponsor role when their address is confirmed."""
    assert sponsor.id is not None
    sponsor_id = sponsor.id

    async def existing() -> SponsorRepresentative | None:
        return await queries.representative_row(session, user_id=person_id, sponsor_id=sponsor_id)

    _row, created = await insert_or_get(
        session, SponsorRepresentative(sponsor_id=sponsor_id, user_id=person_id), find=existing
    )
    if created:
        log_action(
            session,
            actor_id=actor_id,
            action=events.REPRESENTATIVE_ADDED,
            subject_type="sponsor",
            subject_id=sponsor_id,
            challenge_id=sponsor.challenge_id,
            data={"user_id": person_id},
        )
    person = await session.get(User, person_id)
    if person is not None and person.email_verified_at is not None:
        await accounts_service.grant_role(
            session,
            user_id=person_id,
            challenge_id=sponsor.challenge_id,
            kind=RoleKind.SPONSOR,
            actor_id=actor_id,
        )


async def add_company_representative(
    session: AsyncSession, *, company_id: int, person_id: int, actor_id: int | None
) -> None:
    """The person represents the company, and so acts for it in every challenge it takes
    part in; twice, even at once, is harmless. The caller checked who may add them."""

    async def existing() -> CompanyRepresentative | None:
        found = await session.execute(
            select(CompanyRepresentative).where(
                col(CompanyRepresentative.company_id) == company_id,
                col(CompanyRepresentative.user_id) == person_id,
            )
        )
        return found.scalar_one_or_none()

    _row, created = await insert_or_get(
        session, CompanyRepresentative(company_id=company_id, user_id=person_id), find=existing
    )
    if created:
        log_action(
            session,
            actor_id=actor_id,
            action=events.COMPANY_REPRESENTATIVE_ADDED,
            subject_type="company",
            subject_id=company_id,
            data={"user_id": person_id},
        )
    for sponsor, _challenge in await company_queries.participations(session, [company_id]):
        await _link(session, sponsor=sponsor, person_id=person_id, actor_id=actor_id)


async def add_representative(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int, email: str
) -> User:
    """An organiser names an existing account as the representative of a sponsor of their
    challenge: the person represents its organisation, in every challenge it joins."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    person = await accounts_service.person_for_role(session, email=email)
    assert person.id is not None
    if sponsor.company_id is None:  # a row from before organisations: this challenge only
        await _link(session, sponsor=sponsor, person_id=person.id, actor_id=user.id)
    else:
        await add_company_representative(
            session, company_id=sponsor.company_id, person_id=person.id, actor_id=user.id
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
            company_id=sponsor.company_id,
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


class NoTrackProposed(Conflict):
    code = "no_track_proposed"
    message = lazy("This company has not proposed a track of its own.")


class TrackAcceptedAlready(Conflict):
    code = "track_accepted_already"
    message = lazy("The organisers accepted this company's track already: ask them to change it.")


async def _locked(session: AsyncSession, sponsor_id: int, challenge_id: int) -> Sponsor:
    """A sponsor of the challenge, its row locked and read again under the lock."""
    sponsor = await session.get(Sponsor, sponsor_id, with_for_update=True, populate_existing=True)
    if sponsor is None or sponsor.challenge_id != challenge_id:
        raise NotFound()
    return sponsor


async def propose_track(
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    sponsor_id: int,
    name: str,
    description: str,
) -> Sponsor:
    """A company's representative proposes its own track ("the company's challenge"); it can
    change it until an organiser accepts it."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    sponsor = await _locked(session, sponsor_id, challenge_id)
    await permissions.ensure_represents(session, access, sponsor)
    if sponsor.track_id is not None:
        raise TrackAcceptedAlready(_(TrackAcceptedAlready.message))
    sponsor.track_name, sponsor.track_description = name, description
    session.add(sponsor)
    log_action(
        session,
        actor_id=user.id,
        action=events.SPONSOR_TRACK_PROPOSED,
        subject_type="sponsor",
        subject_id=sponsor_id,
        challenge_id=challenge_id,
        data={"name": name},
    )
    return sponsor


async def accept_track(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int
) -> Sponsor:
    """An organiser accepts the company's track: it becomes a track of the challenge, once
    (the sponsor's row is locked: two acceptances at once make one track)."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    sponsor = await _locked(session, sponsor_id, challenge_id)
    if sponsor.track_id is not None:
        return sponsor
    if not sponsor.track_name:
        raise NoTrackProposed(_(NoTrackProposed.message))
    track = await challenges_service.add_track(
        session,
        user=user,
        challenge_id=challenge_id,
        data=TrackInput(name=sponsor.track_name, description=sponsor.track_description),
    )
    sponsor.track_id = track.id
    session.add(sponsor)
    log_action(
        session,
        actor_id=user.id,
        action=events.SPONSOR_TRACK_ACCEPTED,
        subject_type="sponsor",
        subject_id=sponsor_id,
        challenge_id=challenge_id,
        data={"track_id": track.id},
    )
    return sponsor
