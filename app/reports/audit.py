"""The audit log as people read it: who did what and when, filtered and in pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.accounts.permissions import ensure_admin
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.events.models import AuditEntry
from app.events.schemas import ACTIONS

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    """What the log is narrowed to; every part is optional."""

    actor_id: int | None = None
    action: str | None = None  # one declared action, or a subject ("adoption") for all its
    since: date | None = None
    until: date | None = None
    page: int = 1

    def query(self) -> dict[str, str]:
        """The filters as a page's query string (for the pager's links)."""
        found = {
            "person": self.actor_id,
            "action": self.action,
            "from": self.since,
            "to": self.until,
        }
        return {key: str(value) for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    action: str
    actor_id: int | None
    actor_name: str | None
    subject_type: str
    subject_id: str
    challenge_id: int | None
    data: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    challenge: Challenge | None  # None: the whole platform (administrators)
    rows: list[AuditRow]
    total: int
    filters: AuditFilters
    people: list[tuple[int, str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def actions(self) -> list[str]:
        return sorted(ACTIONS)


def _where(
    query: Select[*tuple[Any, ...]], challenge_id: int | None, filters: AuditFilters
) -> Select[*tuple[Any, ...]]:
    if challenge_id is not None:
        query = query.where(col(AuditEntry.challenge_id) == challenge_id)
    if filters.actor_id is not None:
        query = query.where(col(AuditEntry.actor_id) == filters.actor_id)
    if filters.action:
        if "." in filters.action:
            query = query.where(col(AuditEntry.action) == filters.action)
        else:
            query = query.where(col(AuditEntry.action).startswith(filters.action + "."))
    if filters.since is not None:
        query = query.where(col(AuditEntry.at) >= datetime.combine(filters.since, time(), UTC))
    if filters.until is not None:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        query = query.where(col(AuditEntry.at) < end)
    return query


async def _page(
    session: AsyncSession, challenge: Challenge | None, filters: AuditFilters
) -> AuditPage:
    challenge_id = challenge.id if challenge is not None else None
    count = _where(sa_select(func.count()).select_from(AuditEntry), challenge_id, filters)
    total = int((await session.execute(count)).scalar_one())
    rows = await session.execute(
        _where(
            sa_select(
                col(AuditEntry.at),
                col(AuditEntry.action),
                col(AuditEntry.actor_id),
                col(User.name),
                col(AuditEntry.subject_type),
                col(AuditEntry.subject_id),
                col(AuditEntry.challenge_id),
                col(AuditEntry.data),
            ).outerjoin(User, col(User.id) == col(AuditEntry.actor_id)),
            challenge_id,
            filters,
        )
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(PAGE_SIZE)
        .offset((filters.page - 1) * PAGE_SIZE)
    )
    people_query = (
        sa_select(col(User.id), col(User.name))
        .where(
            col(User.id).in_(
                _where(sa_select(col(AuditEntry.actor_id)), challenge_id, AuditFilters())
            )
        )
        .order_by(col(User.name))
    )
    people = [(i, str(n)) for i, n in (await session.execute(people_query)).all() if i]
    return AuditPage(challenge, [AuditRow(*row) for row in rows.all()], total, filters, people)


async def challenge_log(
    session: AsyncSession, *, user: User | None, challenge_id: int, filters: AuditFilters
) -> AuditPage:
    """A challenge's log, for its organisers."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    return await _page(session, access.challenge, filters)


async def platform_log(
    session: AsyncSession, *, user: User | None, filters: AuditFilters
) -> AuditPage:
    """Everything, for platform administrators."""
    ensure_admin(user)
    return await _page(session, None, filters)
