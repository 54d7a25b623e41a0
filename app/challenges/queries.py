"""Reusable reads of challenges, phases and tracks (other domains use these)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind
from app.challenges.models import Challenge, Institution, Phase, PhaseKind, Programme, Track
from app.db import utcnow
from app.errors import NotFound


async def get_challenge(
    session: AsyncSession, challenge_id: int, *, lock: bool = False
) -> Challenge:
    """The challenge; with `lock`, its row is locked until the transaction ends (PostgreSQL)."""
    challenge = await session.get(Challenge, challenge_id, with_for_update=lock or None)
    if challenge is None:
        raise NotFound()
    return challenge


async def get_challenge_by_slug(session: AsyncSession, slug: str) -> Challenge:
    result = await session.execute(select(Challenge).where(col(Challenge.slug) == slug))
    challenge = result.scalar_one_or_none()
    if challenge is None:
        raise NotFound()
    return challenge


async def phases(session: AsyncSession, challenge_id: int) -> list[Phase]:
    result = await session.execute(
        select(Phase).where(col(Phase.challenge_id) == challenge_id).order_by(col(Phase.starts_at))
    )
    return list(result.scalars())


async def phase_is_open(
    session: AsyncSession, challenge_id: int, kind: PhaseKind, now: datetime | None = None
) -> bool:
    """Is the phase's window open by the server's clock? Services check this in their write."""
    now = now or utcnow()
    result = await session.execute(
        select(Phase).where(col(Phase.challenge_id) == challenge_id, col(Phase.kind) == kind)
    )
    phase = result.scalar_one_or_none()
    return phase is not None and phase.starts_at <= now < phase.ends_at


async def tracks(session: AsyncSession, challenge_id: int) -> list[Track]:
    result = await session.execute(
        select(Track)
        .where(col(Track.challenge_id) == challenge_id)
        .order_by(col(Track.position), col(Track.id))
    )
    return list(result.scalars())


async def get_track(session: AsyncSession, challenge_id: int, track_id: int) -> Track:
    """A track of this challenge; another challenge's track is 'not found'."""
    track = await session.get(Track, track_id)
    if track is None or track.challenge_id != challenge_id:
        raise NotFound()
    return track


async def get_phase(session: AsyncSession, challenge_id: int, kind: PhaseKind) -> Phase | None:
    result = await session.execute(
        select(Phase).where(col(Phase.challenge_id) == challenge_id, col(Phase.kind) == kind)
    )
    return result.scalar_one_or_none()


def current_phase(phase_list: Sequence[Phase], now: datetime) -> Phase | None:
    """The open phase by the clock; where windows overlap, the one that started last
    (and, on a tie, the later one in the challenge's order)."""
    order = list(PhaseKind)
    open_now = [p for p in phase_list if p.starts_at <= now < p.ends_at]
    return max(open_now, key=lambda p: (p.starts_at, order.index(PhaseKind(p.kind))), default=None)


def phase_label(phase_list: Sequence[Phase], now: datetime) -> str:
    """What the clock says the challenge is in: a phase kind, "closed" at the end, else ""."""
    current = current_phase(phase_list, now)
    if current is not None:
        return str(current.kind)
    if phase_list and all(p.ends_at <= now for p in phase_list):
        return "closed"
    return ""


async def phases_by_challenge(
    session: AsyncSession, challenge_ids: Sequence[int]
) -> dict[int, list[Phase]]:
    """The phases of many challenges in one query (for list pages and the phase cron)."""
    grouped: dict[int, list[Phase]] = {cid: [] for cid in challenge_ids}
    if not challenge_ids:
        return grouped
    result = await session.execute(
        select(Phase)
        .where(col(Phase.challenge_id).in_(challenge_ids))
        .order_by(col(Phase.starts_at))
    )
    for phase in result.scalars():
        grouped[phase.challenge_id].append(phase)
    return grouped


async def published_challenges(session: AsyncSession) -> list[Challenge]:
    result = await session.execute(
        select(Challenge)
        .where(col(Challenge.is_published).is_(True))
        .order_by(col(Challenge.programme_id), col(Challenge.stage), col(Challenge.title))
    )
    return list(result.scalars())


async def get_programme(session: AsyncSession, programme_id: int) -> Programme:
    programme = await session.get(Programme, programme_id)
    if programme is None:
        raise NotFound()
    return programme


async def programmes(session: AsyncSession) -> list[Programme]:
    result = await session.execute(select(Programme).order_by(col(Programme.name)))
    return list(result.scalars())


async def programme_stages(session: AsyncSession, programme_id: int) -> list[Challenge]:
    result = await session.execute(
        select(Challenge)
        .where(col(Challenge.programme_id) == programme_id)
        .order_by(col(Challenge.stage), col(Challenge.title))
    )
    return list(result.scalars())


async def institution_named(session: AsyncSession, *, name: str, city: str) -> Institution | None:
    """The institution of this name and town, whatever the letter case."""
    result = await session.execute(
        select(Institution).where(
            func.lower(Institution.name) == name.lower(),
            func.lower(Institution.city) == city.lower(),
        )
    )
    return result.scalars().first()


async def institutions(session: AsyncSession) -> list[Institution]:
    result = await session.execute(
        select(Institution).order_by(col(Institution.name), col(Institution.city))
    )
    return list(result.scalars())


def is_open(phase_list: Sequence[Phase], kind: PhaseKind, now: datetime) -> bool:
    """Is this kind's window open now, among phases already read?"""
    return any(str(p.kind) == kind and p.starts_at <= now < p.ends_at for p in phase_list)


async def challenges_organised_by(
    session: AsyncSession, *, user_id: int, is_admin: bool = False
) -> list[Challenge]:
    """The challenges the person organises (every challenge, for a platform admin)."""
    query = select(Challenge).order_by(col(Challenge.title))
    if not is_admin:
        query = query.where(
            col(Challenge.id).in_(
                select(Role.challenge_id).where(
                    col(Role.user_id) == user_id, col(Role.kind) == RoleKind.ORGANISER
                )
            )
        )
    result = await session.execute(query)
    return list(result.scalars())


async def organised_among(
    session: AsyncSession, *, user_id: int, challenge_ids: Sequence[int]
) -> set[int]:
    """Which of these challenges the person organises."""
    result = await session.execute(
        select(Role.challenge_id).where(
            col(Role.user_id) == user_id,
            col(Role.kind) == RoleKind.ORGANISER,
            col(Role.challenge_id).in_(challenge_ids),
        )
    )
    return set(result.scalars())


async def institutions_by_ids(
    session: AsyncSession, institution_ids: Sequence[int | None]
) -> dict[int, Institution]:
    wanted = {i for i in institution_ids if i is not None}
    if not wanted:
        return {}
    result = await session.execute(select(Institution).where(col(Institution.id).in_(wanted)))
    return {i.id: i for i in result.scalars() if i.id is not None}
