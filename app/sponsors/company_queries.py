"""Reads of sponsor organisations: by name, their representatives and participations, the
projects they adopted across editions, and what their dashboard shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge
from app.errors import NotFound
from app.sponsors.models import (
    OVERDUE_WEEKS,
    Adoption,
    AdoptionMilestone,
    AdoptionRules,
    AdoptionStatus,
    Company,
    CompanyRepresentative,
    Sponsor,
)
from app.teams.models import Project, ProjectStatus, Team

# The adoptions a company's public page shows (an ended one promised more than it gave).
SHOWN_STATUSES = (AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED)
MAX_FOUND = 20  # names a search returns


@dataclass(frozen=True)
class Adopted:
    adoption: Adoption
    project: Project
    team_name: str
    challenge: Challenge


@dataclass(frozen=True)
class Offered:
    """An offer of one of the person's companies, with what the dashboard shows beside it."""

    adoption: Adoption
    sponsor: Sponsor
    project_title: str
    team_name: str
    challenge_title: str
    overdue_weeks: int  # its challenge's rule


async def get_company(session: AsyncSession, company_id: int, *, lock: bool = False) -> Company:
    company = await session.get(
        Company, company_id, with_for_update=lock or None, populate_existing=lock
    )
    if company is None:
        raise NotFound()
    return company


async def company_named(
    session: AsyncSession, name: str, *, except_id: int | None = None
) -> Company | None:
    """The company with this name whatever its case."""
    query = select(Company).where(func.lower(col(Company.name)) == name.strip().lower())
    if except_id is not None:
        query = query.where(col(Company.id) != except_id)
    result = await session.execute(query)
    return result.scalars().first()


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search(session: AsyncSession, text: str) -> list[Company]:
    """Companies whose name contains `text` (any case), by name; none for a blank text."""
    text = text.strip().lower()
    if not text:
        return []
    result = await session.execute(
        select(Company)
        .where(func.lower(col(Company.name)).like(f"%{_escaped(text)}%", escape="\\"))
        .order_by(func.lower(col(Company.name)))
        .limit(MAX_FOUND)
    )
    return list(result.scalars())


async def representative_ids(session: AsyncSession, company_id: int) -> list[int]:
    result = await session.execute(
        select(CompanyRepresentative.user_id).where(
            col(CompanyRepresentative.company_id) == company_id
        )
    )
    return list(result.scalars())


async def company_representatives(session: AsyncSession, company_id: int) -> list[User]:
    result = await session.execute(
        select(User)
        .join(CompanyRepresentative, col(CompanyRepresentative.user_id) == col(User.id))
        .where(col(CompanyRepresentative.company_id) == company_id)
        .order_by(col(User.name))
    )
    return list(result.scalars())


async def represents_company(session: AsyncSession, *, user_id: int, company_id: int) -> bool:
    result = await session.execute(
        select(CompanyRepresentative.id).where(
            col(CompanyRepresentative.user_id) == user_id,
            col(CompanyRepresentative.company_id) == company_id,
        )
    )
    return result.first() is not None


async def companies_of(session: AsyncSession, user_id: int) -> list[Company]:
    """The companies a person represents, by name."""
    result = await session.execute(
        select(Company)
        .join(CompanyRepresentative, col(CompanyRepresentative.company_id) == col(Company.id))
        .where(col(CompanyRepresentative.user_id) == user_id)
        .order_by(col(Company.name))
    )
    return list(result.scalars())


async def participations(
    session: AsyncSession, company_ids: Sequence[int]
) -> list[tuple[Sponsor, Challenge]]:
    """The challenges these companies take part in, the newest first."""
    if not company_ids:
        return []
    result = await session.execute(
        select(Sponsor, Challenge)
        .join(Challenge, col(Challenge.id) == col(Sponsor.challenge_id))
        .where(col(Sponsor.company_id).in_(company_ids))
        .order_by(col(Challenge.created_at).desc(), col(Challenge.id).desc())
    )
    return [(s, c) for s, c in result.all()]


async def sponsor_role_challenges(session: AsyncSession, user_id: int) -> set[int]:
    """The challenges where the person holds the sponsor role now (organisers may take it
    away: then they no longer act for the company there)."""
    result = await session.execute(
        select(Role.challenge_id).where(
            col(Role.user_id) == user_id, col(Role.kind) == RoleKind.SPONSOR
        )
    )
    return set(result.scalars())


async def participation(
    session: AsyncSession, *, company_id: int, challenge_id: int
) -> Sponsor | None:
    result = await session.execute(
        select(Sponsor).where(
            col(Sponsor.company_id) == company_id, col(Sponsor.challenge_id) == challenge_id
        )
    )
    return result.scalar_one_or_none()


async def adopted_projects(session: AsyncSession, company_id: int) -> list[Adopted]:
    """The projects the company adopted that anyone may see (submitted, of a published
    challenge: the rule of the project pages), across editions, the newest first."""
    result = await session.execute(
        select(Adoption, Project, Team.name, Challenge)
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .join(Challenge, col(Challenge.id) == col(Adoption.challenge_id))
        .where(
            col(Sponsor.company_id) == company_id,
            col(Adoption.status).in_(SHOWN_STATUSES),
            col(Project.status) == ProjectStatus.SUBMITTED,
            col(Challenge.is_published).is_(True),
        )
        .order_by(col(Challenge.created_at).desc(), col(Project.title))
    )
    return [Adopted(a, p, str(t), c) for a, p, t, c in result.all()]


async def offers_of(session: AsyncSession, company_ids: Sequence[int]) -> list[Offered]:
    """Every offer of these companies in every challenge, the newest first, in one query."""
    if not company_ids:
        return []
    result = await session.execute(
        sa_select(
            Adoption,
            Sponsor,
            col(Project.title),
            col(Team.name),
            col(Challenge.title),
            col(AdoptionRules.overdue_weeks),
        )
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .join(Challenge, col(Challenge.id) == col(Adoption.challenge_id))
        .outerjoin(AdoptionRules, col(AdoptionRules.challenge_id) == col(Adoption.challenge_id))
        .where(col(Sponsor.company_id).in_(company_ids))
        .order_by(col(Adoption.proposed_at).desc(), col(Adoption.id).desc())
    )
    return [
        Offered(a, s, str(p), str(t), str(c), w or OVERDUE_WEEKS)
        for a, s, p, t, c, w in result.all()
    ]


async def milestones_of_companies(
    session: AsyncSession, company_ids: Sequence[int]
) -> dict[int, list[AdoptionMilestone]]:
    """adoption id -> its milestones by date, for every adoption of these companies, in one
    query whatever their number."""
    grouped: dict[int, list[AdoptionMilestone]] = {}
    if not company_ids:
        return grouped
    result = await session.execute(
        select(AdoptionMilestone)
        .join(Adoption, col(Adoption.id) == col(AdoptionMilestone.adoption_id))
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .where(col(Sponsor.company_id).in_(company_ids))
        .order_by(col(AdoptionMilestone.happened_on), col(AdoptionMilestone.id))
    )
    for milestone in result.scalars():
        grouped.setdefault(milestone.adoption_id, []).append(milestone)
    return grouped
