"""Challenges: creating and publishing them, their tracks and people, and institutions."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import queries as accounts_queries
from app.accounts import service as accounts_service
from app.accounts.models import Role, RoleKind, User
from app.challenges import events, permissions, queries
from app.challenges.models import Challenge, Institution, Programme, Track
from app.challenges.schemas import GRANTABLE_ROLES, ChallengeInput, TrackInput
from app.db import insert_or_get, save_unique
from app.errors import Conflict, Forbidden, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy


class TrackNameTaken(Conflict):
    code = "track_name_taken"
    message = lazy("This challenge already has a track with this name.")
    field = "name"


class TrackInUse(Conflict):
    code = "track_in_use"
    message = lazy("Teams or projects have chosen this track, so it cannot be deleted.")


class LastOrganiser(Conflict):
    code = "last_organiser"
    message = lazy("A challenge needs at least one organiser.")


class RoleComesWithTeam(Conflict):
    code = "role_comes_with_team"
    message = lazy("This role comes with a team; it cannot be removed here.")


class JudgeRemovedOnJudgingPage(Conflict):
    code = "judge_removed_on_judging_page"
    message = lazy(
        "A judge is removed on the judging page, which asks what to do with their scores."
    )


def slugify(text: str, *, fallback: str = "challenge") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:70].strip("-") or fallback


async def unique_slug(session: AsyncSession, model: type[Challenge | Programme], title: str) -> str:
    """The title's slug, with -2, -3... appended when it is taken."""
    base = slugify(title, fallback=model.__tablename__)
    result = await session.execute(
        select(model.slug).where(
            (col(model.slug) == base) | col(model.slug).startswith(base + "-", autoescape=True)
        )
    )
    taken = set(result.scalars())
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


async def _next_stage(session: AsyncSession, programme_id: int) -> int:
    result = await session.execute(
        select(func.max(Challenge.stage)).where(col(Challenge.programme_id) == programme_id)
    )
    return int(result.scalar() or 0) + 1


async def _check_programme(session: AsyncSession, user: User, programme_id: int | None) -> None:
    """A challenge joins only a programme its creator owns (the owner decides its stages)."""
    if programme_id is None:
        return
    programme = await session.get(Programme, programme_id)
    if programme is None or not (user.is_admin or programme.owner_id == user.id):
        raise ValidationFailed({"programme_id": _("Please choose one of the options.")})


def ensure_may_create(user: User) -> None:
    """Starting challenges and programmes is a right a platform administrator grants."""
    if not user.can_create_challenges:
        raise Forbidden(
            _("Creating challenges is for organisers an administrator has allowed to do so.")
        )


async def create_challenge(session: AsyncSession, *, user: User, data: ChallengeInput) -> Challenge:
    """Create a draft challenge; its creator becomes its organiser (so their address must
    be confirmed)."""
    assert user.id is not None
    ensure_may_create(user)
    accounts_service.require_confirmed(user)
    await _check_programme(session, user, data.programme_id)
    challenge = Challenge(
        slug=await unique_slug(session, Challenge, data.title),
        **data.model_dump(),
        created_by=user.id,
    )
    if data.programme_id is not None:
        challenge.stage = await _next_stage(session, data.programme_id)
    session.add(challenge)
    await session.flush()
    assert challenge.id is not None
    await accounts_service.grant_role(
        session, user_id=user.id, challenge_id=challenge.id, kind=RoleKind.ORGANISER, actor_id=None
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.CHALLENGE_CREATED,
        subject_type="challenge",
        subject_id=challenge.id,
        challenge_id=challenge.id,
    )
    return challenge


async def update_challenge(
    session: AsyncSession, *, user: User, challenge_id: int, data: ChallengeInput
) -> Challenge:
    """Change a challenge's texts, time zone or programme (organisers)."""
    challenge = (
        await permissions.organised(session, user=user, challenge_id=challenge_id)
    ).challenge
    if data.programme_id != challenge.programme_id:  # staying where it is needs no check
        await _check_programme(session, user, data.programme_id)
    if data.programme_id is not None and data.programme_id != challenge.programme_id:
        challenge.stage = await _next_stage(session, data.programme_id)
    for name, value in data.model_dump().items():
        setattr(challenge, name, value)
    log_action(
        session,
        actor_id=user.id,
        action=events.CHALLENGE_UPDATED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
    )
    return challenge


async def set_published(
    session: AsyncSession, *, user: User, challenge_id: int, published: bool
) -> Challenge:
    """Publish a draft (everyone sees it) or take it back to draft; twice is harmless."""
    access = await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    challenge = access.challenge
    if challenge.is_published != published:
        challenge.is_published = published
        log_action(
            session,
            actor_id=user.id,
            action=events.CHALLENGE_PUBLISHED if published else events.CHALLENGE_UNPUBLISHED,
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
        )
        if published:
            emit(session, events.ChallengePublished(challenge_id=challenge_id))
    return challenge


async def record_results_published(
    session: AsyncSession, *, challenge_id: int, at: datetime
) -> Challenge:
    """Mark the challenge's results as published (judging's publish_results calls this in its
    transaction, after its own checks); only once: the row lock makes a second call see it."""
    challenge = await queries.get_challenge(session, challenge_id, lock=True)
    if challenge.results_published_at is None:
        challenge.results_published_at = at
        log_action(
            session,
            actor_id=None,
            action=events.RESULTS_PUBLISHED_AT,
            subject_type="challenge",
            subject_id=challenge_id,
            challenge_id=challenge_id,
            data={"at": at.isoformat()},
        )
    return challenge


async def _ensure_track_name_free(
    session: AsyncSession, challenge_id: int, name: str, *, except_id: int | None = None
) -> None:
    result = await session.execute(
        select(Track.id).where(
            col(Track.challenge_id) == challenge_id,
            func.lower(Track.name) == name.lower(),
            col(Track.id) != (except_id or 0),
        )
    )
    if result.first() is not None:
        raise TrackNameTaken(_(TrackNameTaken.message))


async def add_track(
    session: AsyncSession, *, user: User, challenge_id: int, data: TrackInput
) -> Track:
    """Add a theme to the challenge (organisers); names are unique in a challenge."""
    await permissions.organised(session, user=user, challenge_id=challenge_id)
    await _ensure_track_name_free(session, challenge_id, data.name)
    track = await save_unique(
        session,
        Track(challenge_id=challenge_id, **data.model_dump()),
        taken=TrackNameTaken(_(TrackNameTaken.message)),
    )
    assert track.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.TRACK_ADDED,
        subject_type="track",
        subject_id=track.id,
        challenge_id=challenge_id,
        data={"name": track.name},
    )
    return track


async def update_track(
    session: AsyncSession, *, user: User, challenge_id: int, track_id: int, data: TrackInput
) -> Track:
    """Rename, describe or reorder a track (organisers)."""
    await permissions.organised(session, user=user, challenge_id=challenge_id)
    track = await queries.get_track(session, challenge_id, track_id)
    await _ensure_track_name_free(session, challenge_id, data.name, except_id=track_id)
    track.name, track.description, track.position = data.name, data.description, data.position
    await save_unique(session, track, taken=TrackNameTaken(_(TrackNameTaken.message)))
    log_action(
        session,
        actor_id=user.id,
        action=events.TRACK_UPDATED,
        subject_type="track",
        subject_id=track_id,
        challenge_id=challenge_id,
    )
    return track


async def delete_track(
    session: AsyncSession, *, user: User, challenge_id: int, track_id: int
) -> None:
    """Delete a track nobody has chosen yet (organisers)."""
    await permissions.organised(session, user=user, challenge_id=challenge_id)
    track = await queries.get_track(session, challenge_id, track_id)
    try:
        # The foreign keys of teams, projects and awards tell us whether it is in use.
        async with session.begin_nested():
            await session.delete(track)
            await session.flush()
    except IntegrityError:
        raise TrackInUse(_(TrackInUse.message)) from None
    log_action(
        session,
        actor_id=user.id,
        action=events.TRACK_DELETED,
        subject_type="track",
        subject_id=track_id,
        challenge_id=challenge_id,
    )


async def grant_role(
    session: AsyncSession, *, user: User, challenge_id: int, email: str, kind: RoleKind
) -> Role:
    """Give an existing account a role in the challenge (organisers)."""
    await permissions.organised(session, user=user, challenge_id=challenge_id)
    if kind not in GRANTABLE_ROLES:
        raise ValidationFailed({"kind": _("Please choose one of the options.")})
    person = await accounts_service.person_for_role(session, email=email)
    assert person.id is not None
    return await accounts_service.grant_role(
        session, user_id=person.id, challenge_id=challenge_id, kind=kind, actor_id=user.id
    )


async def remove_role(
    session: AsyncSession, *, user: User, challenge_id: int, role_id: int
) -> None:
    """Take a role away (organisers); the last organiser stays."""
    # The lock makes two organisers removing each other at once leave one of them.
    await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    people = await accounts_queries.people_in(session, challenge_id=challenge_id)
    role = next((r for r, _person in people if r.id == role_id), None)
    if role is not None and role.kind not in GRANTABLE_ROLES:
        raise RoleComesWithTeam(_(RoleComesWithTeam.message))
    if role is not None and role.kind == RoleKind.JUDGE:
        raise JudgeRemovedOnJudgingPage(_(JudgeRemovedOnJudgingPage.message))
    organisers = [r for r, _person in people if r.kind == RoleKind.ORGANISER]
    if role is not None and role.kind == RoleKind.ORGANISER and len(organisers) == 1:
        raise LastOrganiser(_(LastOrganiser.message))
    await accounts_service.revoke_role(
        session, role_id=role_id, challenge_id=challenge_id, actor_id=user.id
    )


async def institution_for(
    session: AsyncSession,
    *,
    institution_id: int | None,
    name: str,
    city: str,
    actor_id: int | None,
) -> Institution | None:
    """An existing institution by id, or the one with this name and city (made if new,
    also when two registrations name it at once)."""
    if institution_id is not None:
        found = await session.get(Institution, institution_id)
        if found is None:
            raise ValidationFailed({"institution_id": _("Please choose one of the options.")})
        return found
    if not name:
        return None

    async def existing() -> Institution | None:
        return await queries.institution_named(session, name=name, city=city)

    institution, created = await insert_or_get(
        session, Institution(name=name, city=city), find=existing
    )
    if created:
        assert institution.id is not None
        log_action(
            session,
            actor_id=actor_id,
            action=events.INSTITUTION_CREATED,
            subject_type="institution",
            subject_id=institution.id,
            data={"name": name, "city": city},
        )
    return institution
