"""Phase windows: set by organisers in the challenge's local time, announced by the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
    session: AsyncSession,
    *,
    user: User,
    challenge_id: int,
    windows: list[PhaseInput],
    reason: str = "",
    now: datetime | None = None,
) -> list[Phase]:
    """Replace the challenge's phase windows (organisers); each must start before it ends.
    Once the challenge is public, people plan around its dates: moving them needs a reason
    (audited, and told to the people concerned), and no window may be moved into the past."""
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
    before = {kind: (p.starts_at, p.ends_at) for kind, p in existing.items()}
    moved = before != wanted
    if challenge.is_published and moved:
        errors = _move_errors(before, wanted, now or utcnow())
        if not reason:
            errors["reason"] = _(
                "Please say why the dates change: it is shown to the people concerned."
            )
        if errors:
            raise ValidationFailed(errors)
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
    if not moved:
        return await queries.phases(session, challenge_id)
    data: dict[str, object] = {k: [s.isoformat(), e.isoformat()] for k, (s, e) in wanted.items()}
    if challenge.is_published:
        data["reason"] = reason
        data["before"] = {k: [s.isoformat(), e.isoformat()] for k, (s, e) in before.items()}
        emit(session, events.PhasesMoved(challenge_id=challenge_id, reason=reason))
    log_action(
        session,
        actor_id=user.id,
        action=events.PHASES_MOVED if challenge.is_published else events.PHASES_SET,
        subject_type="challenge",
        subject_id=challenge_id,
        challenge_id=challenge_id,
        data=data,
    )
    return await queries.phases(session, challenge_id)


Window = tuple[datetime, datetime]
# "Now" typed in a form is a minute or two old by the time it arrives.
PAST_GRACE = timedelta(minutes=5)


def _move_errors(
    before: dict[PhaseKind, Window], wanted: dict[PhaseKind, Window], now: datetime
) -> dict[str, str]:
    """What a public challenge's dates may not do: a window that was still to come or
    running may not end in the past (that would close it behind people's backs: end it
    now instead), a new or later start may not be in the past, and submission may not
    end after judging ends (judges would score projects still changing)."""
    errors: dict[str, str] = {}
    past = now - PAST_GRACE
    for kind, (starts_at, ends_at) in wanted.items():
        old_start, old_end = before.get(kind, (now, now))
        if ends_at < past and old_end >= past:
            errors[f"{kind}_ends_at"] = _(
                "A public phase cannot be moved into the past; to end it now, give the time now."
            )
        elif starts_at < past and old_start >= past:
            errors[f"{kind}_starts_at"] = _(
                "A phase that has not started cannot start in the past."
            )
    submission, judging = wanted.get(PhaseKind.SUBMISSION), wanted.get(PhaseKind.JUDGING)
    if submission and judging and submission[1] > judging[1]:
        errors.setdefault(
            "judging_ends_at", _("Judging cannot end before the submission window closes.")
        )
    return errors


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
