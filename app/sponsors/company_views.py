"""What the pages of sponsor organisations show: the public profile with the projects adopted
across editions, an organiser's search to join one, and the representatives' dashboard."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import utcnow
from app.sponsors import companies, company_queries, followup, permissions, queries
from app.sponsors.company_queries import Adopted
from app.sponsors.company_schemas import (
    AdoptedProject,
    CompanyPage,
    CompanyRead,
    DashboardChallenge,
    DashboardCompany,
    DashboardOffer,
    NextMilestone,
    SponsorDashboardRead,
)
from app.sponsors.models import ADOPTED_STATUSES, AdoptionStatus, Company, Side, Sponsor


@dataclass(frozen=True)
class CompanyView:
    company: Company
    adopted: list[Adopted]
    can_edit: bool
    representatives: list[User]  # for who may edit only

    def represented_by(self, user: User | None) -> bool:
        """The person is one of its representatives (who invite their colleagues)."""
        return user is not None and any(p.id == user.id for p in self.representatives)

    def read(self) -> CompanyPage:
        return CompanyPage(
            company=company_read(self.company),
            adopted=[
                AdoptedProject(
                    adoption_id=row.adoption.id or 0,
                    status=row.adoption.status,
                    project_id=row.project.id or 0,
                    project_title=row.project.title,
                    team_name=row.team_name,
                    challenge_id=row.challenge.id or 0,
                    challenge_title=row.challenge.title,
                    edition=row.challenge.stage,
                )
                for row in self.adopted
            ],
        )


@dataclass(frozen=True)
class JoinPage:
    """An organiser looks an organisation up by name to join it to their challenge."""

    challenge: Challenge
    text: str
    found: list[Company]
    joined: set[int]  # ids of the companies that take part already


def company_read(company: Company) -> CompanyRead:
    return CompanyRead.model_validate(
        {**company.model_dump(), "has_logo": company.logo_key is not None}
    )


async def company_page(session: AsyncSession, *, user: User | None, company_id: int) -> CompanyView:
    """Who sees the organisation (anyone, once one of its challenges is published) sees its
    profile and the adoptions the project pages show."""
    company = await companies.visible(session, user=user, company_id=company_id)
    can_edit = user is not None and await companies.may_edit(session, user=user, company=company)
    return CompanyView(
        company=company,
        adopted=await company_queries.adopted_projects(session, company_id),
        can_edit=can_edit,
        representatives=(
            await company_queries.company_representatives(session, company_id) if can_edit else []
        ),
    )


async def edit_page(session: AsyncSession, *, user: User, company_id: int) -> Company:
    return await companies.editable(session, user=user, company_id=company_id)


async def logo_of(
    session: AsyncSession, *, user: User | None, company_id: int
) -> tuple[str | None, bool]:
    """A logo is as visible as the profile: its key, and whether anyone may see it (shared
    caches may keep it then only)."""
    company = await companies.visible(session, user=user, company_id=company_id)
    return company.logo_key, await companies.is_public(session, company_id)


async def join_page(session: AsyncSession, *, user: User, challenge_id: int, text: str) -> JoinPage:
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    found = await company_queries.search(session, text)
    joined = {s.company_id for s in await queries.sponsors(session, challenge_id) if s.company_id}
    return JoinPage(access.challenge, text, found, joined)


@dataclass(frozen=True)
class TrackPage:
    challenge: Challenge
    sponsor: Sponsor


async def track_page(
    session: AsyncSession, *, user: User, challenge_id: int, sponsor_id: int
) -> TrackPage:
    """The form where the company's people propose its own track in the challenge."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    sponsor = await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    await permissions.ensure_represents(session, access, sponsor)
    return TrackPage(access.challenge, sponsor)


async def dashboard(session: AsyncSession, *, user: User) -> SponsorDashboardRead:
    """Every offer and adoption of the person's companies in every challenge and edition, the
    follow-up of those that took effect and the milestones waiting for a confirmation; a
    fixed number of queries whatever their number."""
    assert user.id is not None
    mine = await company_queries.companies_of(session, user.id)
    ids = [c.id for c in mine if c.id is not None]
    roles = await company_queries.sponsor_role_challenges(session, user.id)
    taking_part = [
        (sponsor, challenge)
        for sponsor, challenge in await company_queries.participations(session, ids)
        if challenge.is_published and challenge.id in roles
    ]
    seen = {challenge.id for _sponsor, challenge in taking_part}
    offered = [
        row
        for row in await company_queries.offers_of(session, ids)
        if row.adoption.challenge_id in seen
    ]
    milestones = await company_queries.milestones_of_companies(session, ids)
    today = utcnow().date()
    offers: list[DashboardOffer] = []
    waiting: list[NextMilestone] = []
    per_sponsor: dict[int, Counter[str]] = {}
    for row in offered:
        adoption = row.adoption
        assert adoption.id is not None
        counts = per_sponsor.setdefault(adoption.sponsor_id, Counter())
        counts[adoption.status] += 1
        progress, overdue = None, False
        if adoption.status in ADOPTED_STATUSES:
            progress = followup.progress(adoption, milestones.get(adoption.id, []))
            overdue = (
                queries.overdue_periods(
                    adoption,
                    last_milestone_on=progress.last_milestone_on,
                    weeks=row.overdue_weeks,
                    today=today,
                )[1]
                > 0
            )
        if adoption.status == AdoptionStatus.ACCEPTED:
            waiting.extend(
                NextMilestone(
                    milestone_id=m.id or 0,
                    adoption_id=adoption.id,
                    project_title=row.project_title,
                    kind=m.kind,
                    happened_on=m.happened_on,
                    waiting_for=(Side.TEAM if m.proposed_side == Side.SPONSOR else Side.SPONSOR),
                )
                for m in milestones.get(adoption.id, [])
                if m.confirmed_at is None
            )
        offers.append(
            DashboardOffer(
                adoption_id=adoption.id,
                challenge_id=adoption.challenge_id,
                challenge_title=row.challenge_title,
                sponsor_id=adoption.sponsor_id,
                project_id=adoption.project_id,
                project_title=row.project_title,
                team_name=row.team_name,
                status=adoption.status,
                version=adoption.version,
                proposed_at=adoption.proposed_at,
                progress=progress,
                overdue=overdue,
            )
        )
    challenges = [
        DashboardChallenge(
            challenge_id=challenge.id or 0,
            title=challenge.title,
            company_id=sponsor.company_id or 0,
            sponsor_id=sponsor.id or 0,
            offers_waiting=per_sponsor.get(sponsor.id or 0, Counter())[AdoptionStatus.PROPOSED],
            adopted=sum(per_sponsor.get(sponsor.id or 0, Counter())[s] for s in ADOPTED_STATUSES),
        )
        for sponsor, challenge in taking_part
    ]
    waiting.sort(key=lambda m: (m.waiting_for != Side.SPONSOR, m.happened_on))
    return SponsorDashboardRead(
        companies=[DashboardCompany(id=c.id or 0, name=c.name) for c in mine],
        challenges=challenges,
        offers=offers,
        next_milestones=waiting,
        counts=dict(Counter(str(o.status) for o in offers)),
    )
