"""Editions: next year's challenge made from this year's, and finished ones archived."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import queries as accounts_queries
from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import events, permissions, queries
from app.challenges.models import Challenge, Phase, Track
from app.challenges.schemas import EditionInput
from app.challenges.service import ensure_may_create, unique_slug
from app.db import utcnow
from app.errors import Conflict
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy

_YEAR = re.compile(r"\b(19|20)(\d\d)\b")


class NotFinished(Conflict):
    code = "challenge_not_finished"
    message = lazy("A challenge is archived once every phase has ended.")


@dataclass(frozen=True)
class NewEdition:
    challenge: Challenge
    tracks: dict[int, int]  # last edition's track id -> this edition's


def next_year_title(title: str) -> str:
    """'Climathon Mantova 2026' -> 'Climathon Mantova 2027' (every year in it moves on)."""
    return _YEAR.sub(lambda m: str(int(m.group(0)) + 1), title)


def a_year_later(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


async def clone_challenge(
    session: AsyncSession, *, user: User, challenge_id: int, data: EditionInput
) -> NewEdition:
    """A draft copy of the challenge for next year: its texts, rules, tracks and organisers,
    its phases a year later; no teams. The domains above copy their own parts (rubrics,
    sponsors) into it (app.editions)."""
    assert user.id is not None
    source = (await permissions.organised(session, user=user, challenge_id=challenge_id)).challenge
    ensure_may_create(user)
    accounts_service.require_confirmed(user)
    challenge = Challenge(
        slug=await unique_slug(session, Challenge, data.title),
        title=data.title,
        summary=source.summary,
        description=source.description,
        rules=source.rules,
        timezone=source.timezone,
        team_size_min=source.team_size_min,
        team_size_max=source.team_size_max,
        eligibility=source.eligibility,
        cover_key=source.cover_key,
        previous_edition_id=source.id,
        created_by=user.id,
    )
    session.add(challenge)
    await session.flush()
    assert challenge.id is not None and source.id is not None
    tracks: dict[int, int] = {}
    for track in await queries.tracks(session, source.id):
        copy = Track(
            challenge_id=challenge.id,
            name=track.name,
            description=track.description,
            position=track.position,
        )
        session.add(copy)
        await session.flush()
        assert track.id is not None and copy.id is not None
        tracks[track.id] = copy.id
    for phase in await queries.phases(session, source.id):
        session.add(
            Phase(
                challenge_id=challenge.id,
                kind=phase.kind,
                starts_at=a_year_later(phase.starts_at),
                ends_at=a_year_later(phase.ends_at),
            )
        )
    await _organisers_again(session, source_id=source.id, challenge_id=challenge.id, user=user)
    log_action(
        session,
        actor_id=user.id,
        action=events.EDITION_CLONED,
        subject_type="challenge",
        subject_id=challenge.id,
        challenge_id=challenge.id,
        data={"from": source.id},
    )
    return NewEdition(challenge=challenge, tracks=tracks)


async def _organisers_again(
    session: AsyncSession, *, source_id: int, challenge_id: int, user: User
) -> None:
    """The one cloning organises the new edition, with last year's organisers whose
    address is confirmed (a role goes only to a confirmed address)."""
    assert user.id is not None
    people = {user.id}
    for role, person in await accounts_queries.people_in(session, challenge_id=source_id):
        if role.kind == RoleKind.ORGANISER and person.email_verified_at is not None:
            people.add(role.user_id)
    for person_id in sorted(people):
        await accounts_service.grant_role(
            session,
            user_id=person_id,
            challenge_id=challenge_id,
            kind=RoleKind.ORGANISER,
            actor_id=user.id,
        )


async def archive_challenge(
    session: AsyncSession, *, user: User, challenge_id: int, archived: bool = True
) -> Challenge:
    """Archive a finished challenge (it leaves the home page's current challenges and stays
    readable), or bring it back; doing either twice changes nothing."""
    access = await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    challenge = access.challenge
    if (challenge.archived_at is not None) == archived:
        return challenge
    now = utcnow()
    if archived and any(p.ends_at > now for p in await queries.phases(session, challenge_id)):
        raise NotFinished(_(NotFinished.message))
    challenge.archived_at = now if archived else None
    session.add(challenge)
    log_action(
        session,
        actor_id=user.id,
        action=events.CHALLENGE_ARCHIVED if archived else events.CHALLENGE_RESTORED,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
    )
    return challenge
