"""Finding ideas: a company's representatives browse the submitted projects of its challenge
during the adoption window, searched and filtered, a page at a time.

A page is one statement whatever its length: the adopting companies, the awards, the
company's shortlist and its own offer come from correlated subqueries, the total from a
window over the rows. No team member's name is read here, nor searched: a company learns
who the students are only once its adoption is accepted (see app.sponsors.team_contact)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge, Institution, Phase, PhaseKind, Track
from app.db import utcnow
from app.errors import NotFound
from app.permissions import require
from app.sponsors import adoptions, company_queries, queries
from app.sponsors.discovery_schemas import DISCOVERY_PAGE_SIZE, DiscoveryFilters
from app.sponsors.models import (
    HOLDING_STATUSES,
    Adoption,
    AdoptionStatus,
    ShortlistEntry,
    Sponsor,
)
from app.sponsors.shortlist import Company, company
from app.teams.models import Project, ProjectStatus, Team

# A correlated column for a project id, from a domain above this one (the awards it won).
ColumnFactory = Callable[[Any], Any]


@dataclass(frozen=True)
class Discovered:
    """One submitted project as a company browses it (no member names)."""

    project_id: int
    title: str
    summary: str
    team_name: str
    class_name: str
    track_name: str | None
    institution_name: str | None
    town: str | None
    adopted_by: str | None
    awards: str | None
    shortlisted: bool
    my_offer: AdoptionStatus | None
    challenge_id: int = 0
    challenge_title: str = ""


@dataclass(frozen=True)
class DiscoveryPage:
    company: Company
    filters: DiscoveryFilters
    items: list[Discovered]
    total: int
    tracks: list[Track]
    institutions: list[tuple[int, str]]  # those of the teams that submitted
    towns: list[str]
    size: int = DISCOVERY_PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def track_options(self) -> list[tuple[int | None, str]]:
        return [(t.id, t.name) for t in self.tracks]

    @property
    def town_options(self) -> list[tuple[str, str]]:
        return [(town, town) for town in self.towns]


def _like(text: str) -> str:
    """A LIKE pattern that finds `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(
    challenge_ids: list[int], filters: DiscoveryFilters, adopted: Any, awards: Any
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [
        col(Project.challenge_id).in_(challenge_ids),
        col(Project.status) == ProjectStatus.SUBMITTED,
    ]
    if filters.q:
        pattern = _like(filters.q)
        found.append(
            or_(
                col(Project.title).ilike(pattern, escape="\\"),
                col(Project.summary).ilike(pattern, escape="\\"),
                col(Team.name).ilike(pattern, escape="\\"),
            )
        )
    if filters.track is not None:
        found.append(col(Project.track_id) == filters.track)
    if filters.institution is not None:
        found.append(col(Team.institution_id) == filters.institution)
    if filters.town:
        found.append(func.lower(col(Institution.city)) == filters.town.lower())
    if filters.adopted:
        found.append(adopted if filters.adopted == "yes" else ~adopted)
    if filters.awarded:
        found.append(awards.is_not(None) if filters.awarded == "yes" else awards.is_(None))
    return found


async def discovered(
    session: AsyncSession,
    *,
    sponsor_ids: list[int],
    challenge_ids: list[int],
    filters: DiscoveryFilters,
    awards_of: ColumnFactory | None,
) -> tuple[list[Discovered], int | None]:
    """A page of the submitted projects of these challenges (where the company takes part as
    these sponsors, one a challenge) as the filters narrow them, and how many there are in
    all (None when the page is empty), in one statement."""
    project_id = col(Project.id)
    adopted = exists().where(
        col(Adoption.project_id) == project_id, col(Adoption.status).in_(HOLDING_STATUSES)
    )
    awards = awards_of(project_id) if awards_of is not None else literal(None)
    shortlisted = exists().where(
        col(ShortlistEntry.sponsor_id).in_(sponsor_ids),
        col(ShortlistEntry.project_id) == project_id,
    )
    my_offer = (
        sa_select(col(Adoption.status))
        .where(col(Adoption.sponsor_id).in_(sponsor_ids), col(Adoption.project_id) == project_id)
        .limit(1)
        .scalar_subquery()
    )
    adopted_by, _completed = queries.adopter_columns(project_id)
    query = (
        sa_select(
            project_id,
            col(Project.title),
            col(Project.summary),
            col(Team.name),
            col(Team.class_name),
            col(Track.name),
            col(Institution.name),
            col(Institution.city),
            adopted_by,
            awards,
            shortlisted,
            my_offer,
            col(Project.challenge_id),
            col(Challenge.title),
            func.count().over(),
        )
        .join(Team, col(Team.id) == col(Project.team_id))
        .join(Challenge, col(Challenge.id) == col(Project.challenge_id))
        .outerjoin(Track, col(Track.id) == col(Project.track_id))
        .outerjoin(Institution, col(Institution.id) == col(Team.institution_id))
        .where(*_conditions(challenge_ids, filters, adopted, awards))
        .order_by(col(Project.title), project_id)
        .limit(DISCOVERY_PAGE_SIZE)
        .offset((filters.page - 1) * DISCOVERY_PAGE_SIZE)
    )
    rows: list[Any] = list((await session.execute(query)).all())
    total = int(rows[0][-1]) if rows else None
    items = [
        Discovered(
            project_id=row[0],
            title=row[1],
            summary=row[2],
            team_name=row[3],
            class_name=row[4],
            track_name=row[5],
            institution_name=row[6],
            town=row[7],
            adopted_by=row[8],
            awards=row[9],
            shortlisted=bool(row[10]),
            my_offer=AdoptionStatus(row[11]) if row[11] else None,
            challenge_id=row[12],
            challenge_title=row[13],
        )
        for row in rows
    ]
    return items, total


async def _places(session: AsyncSession, challenge_ids: list[int]) -> list[tuple[int, str, str]]:
    """The institutions (id, name, town) of the teams that submitted, for the filters."""
    result = await session.execute(
        sa_select(col(Institution.id), col(Institution.name), col(Institution.city))
        .where(
            col(Institution.id).in_(
                sa_select(col(Team.institution_id))
                .join(Project, col(Project.team_id) == col(Team.id))
                .where(
                    col(Project.challenge_id).in_(challenge_ids),
                    col(Project.status) == ProjectStatus.SUBMITTED,
                )
            )
        )
        .order_by(col(Institution.name), col(Institution.city))
    )
    return [(int(i or 0), str(n), str(c or "")) for i, n, c in result.all()]


async def discovery_page(
    session: AsyncSession,
    *,
    user: User,
    sponsor_id: int,
    filters: DiscoveryFilters,
    awards_of: ColumnFactory | None = None,
) -> DiscoveryPage:
    """The projects a company may adopt, for its representatives, during the adoption
    window (its start as well as its end, as for offers). A page past the last is 'not
    found'."""
    found = await company(session, user=user, sponsor_id=sponsor_id)
    challenge_id = found.sponsor.challenge_id
    await adoptions.ensure_window(session, challenge_id)
    items, total = await discovered(
        session,
        sponsor_ids=[found.id],
        challenge_ids=[challenge_id],
        filters=filters,
        awards_of=awards_of,
    )
    if total is None:
        if filters.page > 1:
            raise NotFound()
        total = 0
    places = await _places(session, [challenge_id])
    return DiscoveryPage(
        company=found,
        filters=filters,
        items=items,
        total=total,
        tracks=await challenges_queries.tracks(session, challenge_id),
        institutions=[(i, f"{n}, {c}" if c else n) for i, n, c in places],
        towns=sorted({c for _i, _n, c in places if c}, key=str.casefold),
    )


# --- Across the challenges of a company ---------------------------------------------------


@dataclass(frozen=True)
class CompanyDiscoveryPage:
    """A company's search across every challenge it takes part in whose adoption window is
    open now (and where the person holds the sponsor role)."""

    company_id: int
    company_name: str
    open: list[tuple[Sponsor, Challenge]]  # the challenges searched, with the participation
    filters: DiscoveryFilters
    items: list[Discovered]
    total: int
    tracks: list[tuple[int | None, str]]
    institutions: list[tuple[int, str]]
    towns: list[str]
    size: int = DISCOVERY_PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def town_options(self) -> list[tuple[str, str]]:
        return [(town, town) for town in self.towns]

    def sponsor_of(self, challenge_id: int) -> int:
        return next((s.id or 0 for s, c in self.open if c.id == challenge_id), 0)


async def _open_windows(session: AsyncSession, challenge_ids: list[int]) -> set[int]:
    """Which of these challenges take offers now (no adoption phase: always), in one query."""
    if not challenge_ids:
        return set()
    result = await session.execute(
        sa_select(Phase).where(
            col(Phase.challenge_id).in_(challenge_ids), col(Phase.kind) == PhaseKind.ADOPTION
        )
    )
    now = utcnow()
    closed = {p.challenge_id for (p,) in result.all() if not (p.starts_at <= now < p.ends_at)}
    return set(challenge_ids) - closed


async def company_discovery_page(
    session: AsyncSession,
    *,
    user: User,
    company_id: int,
    filters: DiscoveryFilters,
    awards_of: ColumnFactory | None = None,
) -> CompanyDiscoveryPage:
    """The projects a company may adopt in every challenge it takes part in whose adoption
    window is open, for its representatives ('not found' to anyone else), with the filters
    and the privacy of one challenge's search; a fixed number of statements whatever the
    number of challenges and projects. A page past the last is 'not found'."""
    company = await company_queries.get_company(session, company_id)
    assert user.id is not None
    require(
        await company_queries.represents_company(session, user_id=user.id, company_id=company_id),
        visible=False,
    )
    roles = await company_queries.sponsor_role_challenges(session, user.id)
    taking_part = [
        (sponsor, challenge)
        for sponsor, challenge in await company_queries.participations(session, [company_id])
        if challenge.is_published and challenge.id in roles
    ]
    open_ids = await _open_windows(session, [c.id for _s, c in taking_part if c.id is not None])
    taking_part = [(s, c) for s, c in taking_part if c.id in open_ids]
    challenge_ids = [c.id for _s, c in taking_part if c.id is not None]
    items: list[Discovered] = []
    total: int | None = 0
    places: list[tuple[int, str, str]] = []
    tracks: list[tuple[int | None, str]] = []
    if challenge_ids:
        items, total = await discovered(
            session,
            sponsor_ids=[s.id for s, _c in taking_part if s.id is not None],
            challenge_ids=challenge_ids,
            filters=filters,
            awards_of=awards_of,
        )
        places = await _places(session, challenge_ids)
        titles = {c.id: c.title for _s, c in taking_part}
        result = await session.execute(
            sa_select(Track)
            .where(col(Track.challenge_id).in_(challenge_ids))
            .order_by(col(Track.challenge_id), col(Track.name))
        )
        tracks = [
            (t.id, f"{t.name} ({titles[t.challenge_id]})" if len(titles) > 1 else t.name)
            for (t,) in result.all()
        ]
    if total is None:
        if filters.page > 1:
            raise NotFound()
        total = 0
    return CompanyDiscoveryPage(
        company_id=company_id,
        company_name=company.name,
        open=taking_part,
        filters=filters,
        items=items,
        total=total,
        tracks=tracks,
        institutions=[(i, f"{n}, {c}" if c else n) for i, n, c in places],
        towns=sorted({c for _i, _n, c in places if c}, key=str.casefold),
    )
