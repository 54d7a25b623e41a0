"""Reusable reads of sponsors and adoptions (other domains use these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges.models import Challenge, Track
from app.errors import NotFound
from app.sponsors.models import (
    ADOPTED_STATUSES,
    HOLDING_STATUSES,
    OVERDUE_WEEKS,
    Adoption,
    AdoptionMilestone,
    AdoptionRules,
    AdoptionStatus,
    AdoptionVersion,
    Sponsor,
    SponsorRepresentative,
)
from app.teams import queries as teams_queries
from app.teams.models import Project, ProjectStatus, Team

# A pending offer is already an interest in the project (conflicts of interest count it).
LIVE_STATUSES = (AdoptionStatus.PROPOSED, AdoptionStatus.CONFIRMING, *ADOPTED_STATUSES)


@dataclass(frozen=True)
class AdoptionRow:
    """An adoption with the names a page shows next to it."""

    adoption: Adoption
    sponsor: Sponsor
    project: Project
    team: Team


@dataclass(frozen=True)
class ProjectRow:
    """A submitted project as sponsors browse it."""

    project: Project
    team_name: str
    track_name: str | None


@dataclass(frozen=True)
class Overdue:
    """An accepted adoption without a confirmed milestone for `periods` overdue periods."""

    adoption: Adoption
    team_id: int
    since: date  # its last confirmed milestone, else the day it took effect
    periods: int
    weeks: int  # its challenge's rule


def overdue_periods(
    adoption: Adoption, *, last_milestone_on: date | None, weeks: int, today: date
) -> tuple[date, int]:
    """Since when an adoption's follow-up is counted and how many whole periods of `weeks`
    it has gone without a confirmed milestone (0: not overdue; only an accepted, open
    adoption can be overdue)."""
    took_effect = adoption.confirmed_at or adoption.decided_at or adoption.proposed_at
    since = max(last_milestone_on or took_effect.date(), took_effect.date())
    if adoption.status != AdoptionStatus.ACCEPTED:
        return since, 0
    return since, max(0, (today - since).days // (7 * weeks))


async def overdue_adoptions(session: AsyncSession, *, today: date) -> list[Overdue]:
    """Every accepted adoption that is overdue by its challenge's rules, in one query."""
    last = (
        sa_select(
            col(AdoptionMilestone.adoption_id).label("adoption_id"),
            func.max(col(AdoptionMilestone.happened_on)).label("last_on"),
        )
        .where(col(AdoptionMilestone.confirmed_at).is_not(None))
        .group_by(col(AdoptionMilestone.adoption_id))
        .subquery()
    )
    result = await session.execute(
        sa_select(Adoption, col(Project.team_id), col(AdoptionRules.overdue_weeks), last.c.last_on)
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .outerjoin(AdoptionRules, col(AdoptionRules.challenge_id) == col(Adoption.challenge_id))
        .outerjoin(last, last.c.adoption_id == col(Adoption.id))
        .where(col(Adoption.status) == AdoptionStatus.ACCEPTED)
        .order_by(col(Adoption.id))
    )
    found: list[Overdue] = []
    for adoption, team_id, weeks, last_on in result.all():
        since, periods = overdue_periods(
            adoption, last_milestone_on=last_on, weeks=weeks or OVERDUE_WEEKS, today=today
        )
        if periods:
            found.append(Overdue(adoption, team_id, since, periods, weeks or OVERDUE_WEEKS))
    return found


def _recognised_names(project_id: Any, *statuses: AdoptionStatus) -> Any:
    return (
        sa_select(func.aggregate_strings(col(Sponsor.name), ", "))
        .select_from(Adoption)
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .where(
            col(Adoption.project_id) == project_id,
            col(Adoption.status).in_(statuses),
            col(Adoption.public_recognition).is_(True),
        )
        .scalar_subquery()
    )


def adopter_columns(project_id: Any) -> tuple[Any, Any]:
    """Two correlated subqueries for a list of projects (one statement whatever its length):
    the names of the companies that adopted the project (accepted, or since completed), and
    of those whose adoption was closed as completed; each None when there are none. Only
    the companies that agree to be named on the project (public_recognition) are."""
    return (
        _recognised_names(project_id, AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED),
        _recognised_names(project_id, AdoptionStatus.COMPLETED),
    )


# The project page (app.teams, a lower layer) reads these with the project, in its one
# statement: "Adottato da ..." and "Adoption completed".
teams_queries.provide_project_column(
    "adopted_by",
    lambda project_id: _recognised_names(
        project_id, AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED
    ),
)
teams_queries.provide_project_column(
    "completed_by", lambda project_id: _recognised_names(project_id, AdoptionStatus.COMPLETED)
)


async def accepted_adoptions(session: AsyncSession, challenge_id: int) -> list[Adoption]:
    """The adoptions that took effect: accepted, also those closed since."""
    result = await session.execute(
        select(Adoption)
        .where(
            col(Adoption.challenge_id) == challenge_id,
            col(Adoption.status).in_(ADOPTED_STATUSES),
        )
        .order_by(col(Adoption.id))
    )
    return list(result.scalars())


async def sponsors(session: AsyncSession, challenge_id: int) -> list[Sponsor]:
    result = await session.execute(
        select(Sponsor).where(col(Sponsor.challenge_id) == challenge_id).order_by(col(Sponsor.name))
    )
    return list(result.scalars())


async def sponsors_represented_by(
    session: AsyncSession, *, user_id: int, challenge_id: int
) -> list[Sponsor]:
    result = await session.execute(
        select(Sponsor)
        .join(SponsorRepresentative, col(SponsorRepresentative.sponsor_id) == col(Sponsor.id))
        .where(
            col(SponsorRepresentative.user_id) == user_id,
            col(Sponsor.challenge_id) == challenge_id,
        )
        .order_by(col(Sponsor.name))
    )
    return list(result.scalars())


async def get_sponsor(
    session: AsyncSession, sponsor_id: int, *, challenge_id: int, lock: bool = False
) -> Sponsor:
    """A sponsor of this challenge; another challenge's sponsor is 'not found'. `lock` holds
    its row (an acceptance counting the sponsor's quota)."""
    sponsor = await session.get(Sponsor, sponsor_id, with_for_update=lock or None)
    if sponsor is None or sponsor.challenge_id != challenge_id:
        raise NotFound()
    return sponsor


async def get_adoption(session: AsyncSession, adoption_id: int, *, lock: bool = False) -> Adoption:
    """An adoption; `lock` holds its row until the transaction ends, for a change of state."""
    # populate_existing: a row read earlier in the transaction is read again under the lock.
    adoption = await session.get(
        Adoption, adoption_id, with_for_update=lock or None, populate_existing=lock
    )
    if adoption is None:
        raise NotFound()
    return adoption


async def get_milestone(session: AsyncSession, milestone_id: int) -> AdoptionMilestone:
    milestone = await session.get(AdoptionMilestone, milestone_id)
    if milestone is None:
        raise NotFound()
    return milestone


async def holding_adoptions(
    session: AsyncSession, *, project_id: int, sponsor_id: int
) -> list[Adoption]:
    """The accepted (or confirming) adoptions of a project or of a sponsor."""
    result = await session.execute(
        select(Adoption).where(
            (col(Adoption.project_id) == project_id) | (col(Adoption.sponsor_id) == sponsor_id),
            col(Adoption.status).in_(HOLDING_STATUSES),
        )
    )
    return list(result.scalars())


async def pending_offers(session: AsyncSession, project_id: int) -> list[Adoption]:
    """The offers for a project still waiting for the team's answer, their rows locked."""
    result = await session.execute(
        select(Adoption)
        .where(
            col(Adoption.project_id) == project_id,
            col(Adoption.status) == AdoptionStatus.PROPOSED,
        )
        .order_by(col(Adoption.id))
        .with_for_update()
    )
    return list(result.scalars())


async def representative_row(
    session: AsyncSession, *, user_id: int, sponsor_id: int
) -> SponsorRepresentative | None:
    result = await session.execute(
        select(SponsorRepresentative).where(
            col(SponsorRepresentative.user_id) == user_id,
            col(SponsorRepresentative.sponsor_id) == sponsor_id,
        )
    )
    return result.scalar_one_or_none()


async def is_representative(session: AsyncSession, *, user_id: int, sponsor_id: int) -> bool:
    return await representative_row(session, user_id=user_id, sponsor_id=sponsor_id) is not None


async def sponsor_named(session: AsyncSession, *, challenge_id: int, name: str) -> Sponsor | None:
    result = await session.execute(
        select(Sponsor).where(col(Sponsor.challenge_id) == challenge_id, col(Sponsor.name) == name)
    )
    return result.scalar_one_or_none()


async def representatives(
    session: AsyncSession, sponsor_ids: Sequence[int]
) -> dict[int, list[User]]:
    """The representatives of many sponsors, in one query."""
    grouped: dict[int, list[User]] = {sid: [] for sid in sponsor_ids}
    if not sponsor_ids:
        return grouped
    result = await session.execute(
        select(SponsorRepresentative.sponsor_id, User)
        .join(User, col(User.id) == col(SponsorRepresentative.user_id))
        .where(col(SponsorRepresentative.sponsor_id).in_(sponsor_ids))
        .order_by(col(User.name))
    )
    for sponsor_id, user in result.all():
        grouped[sponsor_id].append(user)
    return grouped


async def find_adoption(
    session: AsyncSession, *, sponsor_id: int, project_id: int
) -> Adoption | None:
    result = await session.execute(
        select(Adoption).where(
            col(Adoption.sponsor_id) == sponsor_id, col(Adoption.project_id) == project_id
        )
    )
    return result.scalar_one_or_none()


async def _adoption_rows(
    session: AsyncSession, condition: ColumnElement[bool], *order: Any
) -> list[AdoptionRow]:
    result = await session.execute(
        select(Adoption, Sponsor, Project, Team)
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(condition)
        .order_by(*order)
    )
    return [AdoptionRow(*row) for row in result.all()]


async def adoption_versions(session: AsyncSession, adoption_id: int) -> list[AdoptionVersion]:
    """Every version of an offer, the newest first."""
    result = await session.execute(
        select(AdoptionVersion)
        .where(col(AdoptionVersion.adoption_id) == adoption_id)
        .order_by(col(AdoptionVersion.version).desc())
    )
    return list(result.scalars())


async def milestones_of(
    session: AsyncSession, adoption_ids: Sequence[int]
) -> dict[int, list[AdoptionMilestone]]:
    """The milestones of many adoptions in one query, each list by date."""
    grouped: dict[int, list[AdoptionMilestone]] = {aid: [] for aid in adoption_ids}
    if not adoption_ids:
        return grouped
    result = await session.execute(
        select(AdoptionMilestone)
        .where(col(AdoptionMilestone.adoption_id).in_(adoption_ids))
        .order_by(col(AdoptionMilestone.happened_on), col(AdoptionMilestone.id))
    )
    for milestone in result.scalars():
        grouped[milestone.adoption_id].append(milestone)
    return grouped


async def adoption_row(session: AsyncSession, adoption_id: int) -> AdoptionRow:
    rows = await _adoption_rows(session, col(Adoption.id) == adoption_id)
    if not rows:
        raise NotFound()
    return rows[0]


async def challenge_adoptions(session: AsyncSession, challenge_id: int) -> list[AdoptionRow]:
    """Every adoption of the challenge with sponsor, project and team names."""
    return await _adoption_rows(
        session,
        col(Adoption.challenge_id) == challenge_id,
        col(Sponsor.name),
        col(Project.title),
    )


async def project_adoptions(session: AsyncSession, project_id: int) -> list[AdoptionRow]:
    return await _adoption_rows(
        session, col(Adoption.project_id) == project_id, col(Adoption.proposed_at)
    )


async def team_adoptions(session: AsyncSession, team_id: int) -> list[AdoptionRow]:
    return await _adoption_rows(
        session, col(Project.team_id) == team_id, col(Adoption.proposed_at).desc()
    )


async def sponsor_adoptions(session: AsyncSession, sponsor_ids: Sequence[int]) -> list[AdoptionRow]:
    if not sponsor_ids:
        return []
    return await _adoption_rows(
        session, col(Adoption.sponsor_id).in_(sponsor_ids), col(Adoption.proposed_at).desc()
    )


async def submitted_projects(
    session: AsyncSession, challenge_id: int, *, track_id: int | None = None
) -> list[ProjectRow]:
    """Submitted projects with team and track names, optionally of one track."""
    query = (
        select(Project, Team.name, Track.name)
        .join(Team, col(Team.id) == col(Project.team_id))
        .outerjoin(Track, col(Track.id) == col(Project.track_id))
        .where(
            col(Project.challenge_id) == challenge_id,
            col(Project.status) == ProjectStatus.SUBMITTED,
        )
        .order_by(col(Project.title))
    )
    if track_id is not None:
        query = query.where(col(Project.track_id) == track_id)
    result = await session.execute(query)
    return [ProjectRow(*row) for row in result.all()]


async def interested_representatives(
    session: AsyncSession, project_ids: Sequence[int]
) -> dict[int, set[int]]:
    """project id -> user ids of representatives of sponsors that offered or adopted it."""
    grouped: dict[int, set[int]] = {pid: set() for pid in project_ids}
    if not project_ids:
        return grouped
    result = await session.execute(
        select(Adoption.project_id, SponsorRepresentative.user_id)
        .join(
            SponsorRepresentative,
            col(SponsorRepresentative.sponsor_id) == col(Adoption.sponsor_id),
        )
        .where(
            col(Adoption.project_id).in_(project_ids),
            col(Adoption.status).in_(LIVE_STATUSES),
        )
    )
    for project_id, user_id in result.all():
        grouped[project_id].add(user_id)
    return grouped


async def representative_users(session: AsyncSession, sponsor_id: int) -> list[User]:
    """The people who represent one sponsor (e.g. to tell them about its certificates)."""
    result = await session.execute(
        select(User)
        .join(SponsorRepresentative, col(SponsorRepresentative.user_id) == col(User.id))
        .where(col(SponsorRepresentative.sponsor_id) == sponsor_id)
        .order_by(col(User.name))
    )
    return list(result.scalars())


async def offers_of_representative(
    session: AsyncSession, *, user_id: int
) -> list[tuple[int, str, int, int]]:
    """(challenge id, challenge title, offers waiting for an answer, accepted) per challenge
    where the person represents a sponsor, in one query."""
    waiting = func.count(col(Adoption.id)).filter(col(Adoption.status) == AdoptionStatus.PROPOSED)
    accepted = func.count(col(Adoption.id)).filter(col(Adoption.status).in_(ADOPTED_STATUSES))
    result = await session.execute(
        sa_select(col(Challenge.id), col(Challenge.title), waiting, accepted)
        .join(Sponsor, col(Sponsor.challenge_id) == col(Challenge.id))
        .join(SponsorRepresentative, col(SponsorRepresentative.sponsor_id) == col(Sponsor.id))
        .outerjoin(Adoption, col(Adoption.sponsor_id) == col(Sponsor.id))
        .where(col(SponsorRepresentative.user_id) == user_id)
        .group_by(col(Challenge.id), col(Challenge.title))
        .order_by(col(Challenge.title))
    )
    return [(c, str(t), int(w), int(a)) for c, t, w, a in result.all() if c is not None]
