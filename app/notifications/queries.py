"""Who is concerned by what, who opted out, and what was sent in a challenge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Phase, PhaseKind
from app.events.models import OutgoingMail
from app.judging.models import Assignment, Round, RoundStatus
from app.notifications.models import Notification, NotificationOptOut
from app.notifications.schemas import Kind
from app.sponsors.models import SponsorRepresentative
from app.teams.models import Team, TeamMember

LOG_LIMIT = 500

# Who a phase's window concerns: those who act in it.
PHASE_AUDIENCE: dict[str, tuple[RoleKind, ...]] = {
    PhaseKind.REGISTRATION: (RoleKind.COACH, RoleKind.PARTICIPANT, RoleKind.ORGANISER),
    PhaseKind.SUBMISSION: (RoleKind.COACH, RoleKind.PARTICIPANT, RoleKind.ORGANISER),
    PhaseKind.JUDGING: (RoleKind.JUDGE, RoleKind.ORGANISER),
    PhaseKind.ADOPTION: (RoleKind.SPONSOR, RoleKind.COACH, RoleKind.ORGANISER),
}


async def users(session: AsyncSession, user_ids: Sequence[int]) -> list[User]:
    """Active accounts among the ids, in id order, each once."""
    if not user_ids:
        return []
    result = await session.execute(
        select(User)
        .where(col(User.id).in_(set(user_ids)), col(User.is_active).is_(True))
        .order_by(col(User.id))
    )
    return list(result.scalars())


async def role_holders(
    session: AsyncSession, *, challenge_id: int, kinds: Sequence[RoleKind]
) -> list[int]:
    result = await session.execute(
        select(Role.user_id).where(
            col(Role.challenge_id) == challenge_id, col(Role.kind).in_([str(k) for k in kinds])
        )
    )
    return list(result.scalars())


async def team_people(session: AsyncSession, *, team_id: int) -> list[int]:
    """The coach and the members who have an account."""
    coach = await session.execute(select(Team.coach_id).where(col(Team.id) == team_id))
    members = await session.execute(
        select(TeamMember.user_id).where(
            col(TeamMember.team_id) == team_id, col(TeamMember.user_id).is_not(None)
        )
    )
    return [*coach.scalars(), *(i for i in members.scalars() if i is not None)]


async def coach_of(session: AsyncSession, *, team_id: int) -> list[int]:
    result = await session.execute(select(Team.coach_id).where(col(Team.id) == team_id))
    return list(result.scalars())


async def representatives(session: AsyncSession, *, sponsor_id: int) -> list[int]:
    result = await session.execute(
        select(SponsorRepresentative.user_id).where(
            col(SponsorRepresentative.sponsor_id) == sponsor_id
        )
    )
    return list(result.scalars())


async def opted_out(session: AsyncSession, *, kind: Kind, user_ids: Sequence[int]) -> set[int]:
    if not user_ids:
        return set()
    result = await session.execute(
        select(NotificationOptOut.user_id).where(
            col(NotificationOptOut.kind) == str(kind),
            col(NotificationOptOut.user_id).in_(set(user_ids)),
        )
    )
    return set(result.scalars())


async def opt_outs_of(session: AsyncSession, *, user_id: int) -> set[str]:
    result = await session.execute(
        select(NotificationOptOut.kind).where(col(NotificationOptOut.user_id) == user_id)
    )
    return set(result.scalars())


async def notified(
    session: AsyncSession, *, kind: Kind, subject_id: str, user_ids: Sequence[int]
) -> set[int]:
    """Who among these was already told this (by an earlier, or a concurrent, run)."""
    if not user_ids:
        return set()
    result = await session.execute(
        select(Notification.user_id).where(
            col(Notification.kind) == str(kind),
            col(Notification.subject_id) == subject_id,
            col(Notification.user_id).in_(set(user_ids)),
        )
    )
    return set(result.scalars())


async def find(
    session: AsyncSession, *, kind: Kind, subject_id: str, user_id: int
) -> Notification | None:
    result = await session.execute(
        select(Notification).where(
            col(Notification.kind) == str(kind),
            col(Notification.subject_id) == subject_id,
            col(Notification.user_id) == user_id,
        )
    )
    return result.scalar_one_or_none()


async def phases_due(
    session: AsyncSession, *, now: datetime, until: datetime
) -> list[tuple[Phase, Challenge, str]]:
    """Published challenges' phases opening or closing in (now, until]: (phase, challenge,
    "opening" or "closing")."""
    due: list[tuple[Phase, Challenge, str]] = []
    for column, which in ((Phase.starts_at, "opening"), (Phase.ends_at, "closing")):
        result = await session.execute(
            select(Phase, Challenge)
            .join(Challenge, col(Challenge.id) == col(Phase.challenge_id))
            .where(
                col(Challenge.is_published).is_(True),
                col(Challenge.archived_at).is_(None),
                col(column) > now,
                col(column) <= until,
            )
            .order_by(col(Phase.id))
        )
        due.extend((phase, challenge, which) for phase, challenge in result.all())
    return due


@dataclass(frozen=True)
class LeftToScore:
    judge_id: int
    round: Round
    challenge: Challenge
    count: int


async def left_to_score(session: AsyncSession, *, round_id: int | None = None) -> list[LeftToScore]:
    """Per judge and open round (or one round), how many assignments wait for scores."""
    query = (
        sa_select(col(Assignment.judge_id), Round, Challenge, func.count(col(Assignment.id)))
        .join(Round, col(Round.id) == col(Assignment.round_id))
        .join(Challenge, col(Challenge.id) == col(Round.challenge_id))
        .where(
            col(Assignment.submitted_at).is_(None),
            col(Assignment.recused_at).is_(None),
            col(Round.status) == RoundStatus.OPEN,
        )
        .group_by(col(Assignment.judge_id), col(Round.id), col(Challenge.id))
        .order_by(col(Round.id), col(Assignment.judge_id))
    )
    if round_id is not None:
        query = query.where(col(Round.id) == round_id)
    result = await session.execute(query)
    return [LeftToScore(int(j), r, c, int(n)) for j, r, c, n in result.all()]


@dataclass(frozen=True)
class LogRow:
    created_at: datetime
    kind: str
    user_name: str
    email: str
    sent_at: datetime | None
    attempts: int
    last_error: str
    queued: bool  # False: the person opted out, nothing was sent

    @property
    def status(self) -> str:
        if not self.queued:
            return "opted_out"
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.last_error else "waiting"


async def challenge_log(session: AsyncSession, *, challenge_id: int) -> list[LogRow]:
    """What was notified in a challenge, newest first (one query)."""
    result = await session.execute(
        sa_select(
            col(Notification.created_at),
            col(Notification.kind),
            col(User.name),
            col(User.email),
            col(OutgoingMail.sent_at),
            col(OutgoingMail.attempts),
            col(OutgoingMail.last_error),
            col(OutgoingMail.id),
        )
        .join(User, col(User.id) == col(Notification.user_id))
        .outerjoin(OutgoingMail, col(OutgoingMail.id) == col(Notification.mail_id))
        .where(col(Notification.challenge_id) == challenge_id)
        .order_by(col(Notification.id).desc())
        .limit(LOG_LIMIT)
    )
    return [
        LogRow(at, kind, name, email, sent, attempts or 0, error or "", mail_id is not None)
        for at, kind, name, email, sent, attempts, error, mail_id in result.all()
    ]
