"""Phase windows: set by organisers in the challenge's local time, announced by the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import events, permissions, queries
from app.challenges.models import Challenge, Phase, PhaseKind
from app.challenges.schemas import PhaseInput
from app.db import utcnow
from app.errors import ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _


@dataclass(frozen=True)
class ChallengeCard:
    """A challenge with its phases and where the clock puts it, for list pages."""

    challenge: Challenge
    phases: list[Phase]
    current: Phase | None
    upcoming: Phase | None  # the next window to open, if any
    label: str


async def published_cards(
    session: AsyncSession, *, now: datetime | None = None
) -> list[ChallengeCard]:
    """Every published challenge with its phases, in two queries."""
    now = now or utcnow()
    challenges = await queries.published_challenges(session)
    grouped = await queries.phases_by_challenge(session, [c.id for c in challenges if c.id])
    return [
        ChallengeCard(
            challenge=c,
            phases=grouped[c.id or 0],
            current=queries.current_phase(grouped[c.id or 0], now),
            upcoming=next((p for p in grouped[c.id or 0] if p.starts_at > now), None),
            label=queries.phase_label(grouped[c.id or 0], now),
        )
        for c in challenges
    ]


def to_local(value: datetime, timezone: str) -> datetime:
    return value.astimezone(ZoneInfo(timezone))


def to_utc(value: datetime, timezone: str) -> datetime:
    """A datetime without a zone is read as the challenge's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(timezone))
    return value.astimezone(UTC)


async def set_phases(
    session: AsyncSession, *, user: User, challenge_id: int, windows: list[PhaseInput]
) -> list[Phase]:
    """Replace the challenge's phase windows (organisers); each must start before it ends."""
    access = await permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    challenge = access.challenge
    errors: dict[str, str] = {}
    wanted: dict[PhaseKind, tuple[datetime, datetime]] = {}
    for window in windows:
        kind = PhaseKind(window.kind)
        starts_at = to_utc(window.starts_at, challenge.timezone)
        ends_at = to_utc(window.ends_at, challenge.timezone)
        if kind in wanted:
            errors[f"{kind}_starts_at"] = _("This phase is given twice.")
        elif starts_at >= ends_at:
            errors[f"{kind}_ends_at"] = _("The end must be after the start.")
        wanted[kind] = (starts_at, ends_at)
    if errors:
        raise ValidationFailed(errors)
    existing = {PhaseKind(p.kind): p for p in await queries.phases(session, challenge_id)}
    for kind, phase in existing.items():
        if kind not in wanted:
            await session.delete(phase)
    for kind, (starts_at, ends_at) in wanted.items():
        phase = existing.get(kind) or Phase(
            challenge_id=challenge_id, kind=kind, starts_at=starts_at, ends_at=ends_at
        )
        phase.starts_at, phase.ends_at = starts_at, ends_at
        session.add(phase)
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.PHASES_SET,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
        data={k: [s.isoformat(), e.isoformat()] for k, (s, e) in wanted.items()},
    )
    return await queries.phases(session, challenge_id)


async def announce_phases(session: AsyncSession, *, now: datetime | None = None) -> list[int]:
    """Record the phase each published challenge is now in; emit PhaseStarted on a change."""
    now = now or utcnow()
    challenges = await queries.published_challenges(session)
    grouped = await queries.phases_by_challenge(session, [c.id for c in challenges if c.id])
    changed: list[int] = []
    for challenge in challenges:
        assert challenge.id is not None
        label = queries.phase_label(grouped[challenge.id], now)
        if label == challenge.announced_phase:
            continue
        # Compare-and-set: of two runs racing, only one moves it and emits the event.
        result = await session.execute(
            update(Challenge)
            .where(
                col(Challenge.id) == challenge.id,
                col(Challenge.announced_phase) == challenge.announced_phase,
            )
            .values(announced_phase=label)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            continue
        changed.append(challenge.id)
        log_action(
            session,
            actor_id=None,
            action=events.PHASE_CHANGED,
            subject_type="challenge",
            subject_id=challenge.id,
            challenge_id=challenge.id,
            data={"from": challenge.announced_phase, "to": label},
        )
        if label:
            emit(session, events.PhaseStarted(challenge_id=challenge.id, phase=label))
    return changed
