"""What the sponsor and adoption pages show, each read behind its permission check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge, Track
from app.db import utcnow
from app.sponsors import adoptions, followup, offers, permissions, queries, rules, team_contact
from app.sponsors.models import (
    ADOPTED_STATUSES,
    Adoption,
    AdoptionMilestone,
    AdoptionStatus,
    AdoptionVersion,
    MilestoneKind,
    Side,
    Sponsor,
)
from app.sponsors.queries import AdoptionRow, ProjectRow
from app.sponsors.schemas import AdoptionRulesRead, AdoptionTotals, Progress
from app.teams import queries as teams_queries
from app.teams.models import Project, Team


@dataclass(frozen=True)
class RulesPage:
    challenge: Challenge
    rules: AdoptionRulesRead


@dataclass(frozen=True)
class OfferPage:
    """One offer: its terms, what its last amendment changed, and its versions."""

    challenge: Challenge
    row: AdoptionRow
    versions: list[AdoptionVersion]  # newest first
    changes: list[offers.Change]  # from the previous version to the current one
    can_answer: bool  # the team's coach
    can_amend: bool  # the company's representatives, while the offer waits
    # Once accepted: the coach as the contact, the members as consented (team_contact).
    people: team_contact.TeamForSponsor | None = None


@dataclass(frozen=True)
class FollowUp:
    """An adoption's timeline, its progress, and what the person may do on it."""

    challenge: Challenge
    row: AdoptionRow
    milestones: list[AdoptionMilestone]
    progress: Progress
    side: Side | None  # None: the organisers and the team's members only read
    overdue_weeks: int  # the challenge's rule
    overdue: bool  # no confirmed milestone for that long

    @property
    def kinds(self) -> list[str]:
        return [kind.value for kind in MilestoneKind]


@dataclass(frozen=True)
class Refusal:
    challenge: Challenge
    row: AdoptionRow


@dataclass(frozen=True)
class SponsorsPage:
    challenge: Challenge
    sponsors: list[Sponsor]
    representatives: dict[int, list[User]]  # filled for organisers only
    is_organiser: bool

    @property
    def options(self) -> list[tuple[int | None, str]]:
        return [(s.id, s.name) for s in self.sponsors]


@dataclass(frozen=True)
class SponsorDashboard:
    challenge: Challenge
    sponsors: list[Sponsor]
    tracks: list[Track]
    track_id: int | None
    projects: list[ProjectRow]
    offers: dict[int, list[AdoptionRow]]  # project id -> this person's sponsors' offers
    adoptions: list[AdoptionRow]
    deadline: datetime | None


@dataclass(frozen=True)
class Proposal:
    challenge: Challenge
    project: Project
    team: Team
    sponsors: list[Sponsor]
    offers: list[AdoptionRow]  # already made by this person's sponsors
    offers_open: bool
    deadline: datetime | None

    @property
    def options(self) -> list[tuple[int | None, str]]:
        return [(s.id, s.name) for s in self.sponsors]


@dataclass(frozen=True)
class TeamAdoptions:
    challenge: Challenge
    team: Team
    rows: list[AdoptionRow]
    can_answer: bool
    rules: AdoptionRulesRead


@dataclass(frozen=True)
class AdoptionsReport:
    challenge: Challenge
    rows: list[AdoptionRow]
    accepted: AdoptionTotals
    pending: AdoptionTotals
    rules: AdoptionRulesRead
    progress: dict[int, Progress]  # adoption id -> done against promised
    overdue: set[int]  # ids of the adoptions without a confirmed milestone for too long


def totals(items: Iterable[Adoption], *statuses: AdoptionStatus) -> AdoptionTotals:
    """Sum the commitments of the adoptions in these statuses."""
    result = AdoptionTotals()
    for item in items:
        if item.status in statuses:
            result.adoptions += 1
            result.mentoring_hours += item.mentoring_hours
            result.internships += item.internships
            result.funding_eur += item.funding_eur
    return result


async def sponsors_page(
    session: AsyncSession, *, user: User | None, challenge_id: int
) -> SponsorsPage:
    """The sponsors of a challenge; organisers also see who represents each."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    found = await queries.sponsors(session, challenge_id)
    reps: dict[int, list[User]] = {}
    if access.is_organiser:
        reps = await queries.representatives(session, [s.id for s in found if s.id])
    return SponsorsPage(access.challenge, found, reps, access.is_organiser)


async def dashboard(
    session: AsyncSession, *, user: User, challenge_id: int, track_id: int | None
) -> SponsorDashboard:
    """A representative's view: submitted projects (one track or all) and their offers."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    mine = await permissions.represented(session, access)
    if track_id is not None:
        await challenges_queries.get_track(session, challenge_id, track_id)
    projects = await queries.submitted_projects(session, challenge_id, track_id=track_id)
    rows = await queries.sponsor_adoptions(session, [s.id for s in mine if s.id])
    offers: dict[int, list[AdoptionRow]] = {}
    for row in rows:
        offers.setdefault(row.adoption.project_id, []).append(row)
    return SponsorDashboard(
        challenge=access.challenge,
        sponsors=mine,
        tracks=await challenges_queries.tracks(session, challenge_id),
        track_id=track_id,
        projects=projects,
        offers=offers,
        adoptions=rows,
        deadline=await adoptions.adoption_deadline(session, challenge_id),
    )


async def proposal(session: AsyncSession, *, user: User, project_id: int) -> Proposal:
    """The offer form's context: the project, and the offers already made for it."""
    project, access, mine = await adoptions.project_to_adopt(
        session, user=user, project_id=project_id
    )
    mine_ids = {s.id for s in mine}
    offers = [
        row
        for row in await queries.project_adoptions(session, project_id)
        if row.adoption.sponsor_id in mine_ids
    ]
    return Proposal(
        challenge=access.challenge,
        project=project,
        team=await teams_queries.get_team(session, project.team_id),
        sponsors=mine,
        offers=offers,
        offers_open=await adoptions.offers_open(session, project),
        deadline=await adoptions.adoption_deadline(session, project.challenge_id),
    )


async def team_adoptions(session: AsyncSession, *, user: User, team_id: int) -> TeamAdoptions:
    """The offers a team's project received, for its coach, members and the organisers."""
    team = await teams_queries.get_team(session, team_id)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=team.challenge_id
    )
    await permissions.ensure_sees_team_offers(session, access, team)
    rows = await queries.team_adoptions(session, team_id)
    return TeamAdoptions(
        access.challenge,
        team,
        rows,
        can_answer=access.actor.user_id == team.coach_id,
        rules=rules.read(await rules.rules_of(session, team.challenge_id)),
    )


async def adoptions_report(
    session: AsyncSession, *, user: User, challenge_id: int
) -> AdoptionsReport:
    """Every adoption of the challenge with the totals promised, for the organisers."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    rows = await queries.challenge_adoptions(session, challenge_id)
    items = [row.adoption for row in rows]
    milestones = await queries.milestones_of(session, [a.id for a in items if a.id])
    found = rules.read(await rules.rules_of(session, challenge_id))
    progress = {a.id: followup.progress(a, milestones[a.id]) for a in items if a.id is not None}
    today = utcnow().date()
    overdue = {
        a.id
        for a in items
        if a.id is not None
        and queries.overdue_periods(
            a,
            last_milestone_on=progress[a.id].last_milestone_on,
            weeks=found.overdue_weeks,
            today=today,
        )[1]
    }
    return AdoptionsReport(
        challenge=access.challenge,
        rows=rows,
        accepted=totals(items, *ADOPTED_STATUSES),
        pending=totals(items, AdoptionStatus.PROPOSED),
        rules=found,
        progress=progress,
        overdue=overdue,
    )


async def rules_page(session: AsyncSession, *, user: User, challenge_id: int) -> RulesPage:
    """The challenge's adoption rules, for its organisers to change."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    return RulesPage(access.challenge, rules.read(await rules.rules_of(session, challenge_id)))


async def rules_read(
    session: AsyncSession, *, user: User | None, challenge_id: int
) -> AdoptionRulesRead:
    """The rules, for whoever sees the challenge: sponsors and teams plan by them."""
    await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    return rules.read(await rules.rules_of(session, challenge_id))


async def refusal(session: AsyncSession, *, user: User, adoption_id: int) -> Refusal:
    """The form where an organiser says why a team's acceptance is not confirmed."""
    adoption = await queries.get_adoption(session, adoption_id)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=adoption.challenge_id
    )
    row = await queries.adoption_row(session, adoption_id)
    return Refusal(access.challenge, row)


async def offer_page(session: AsyncSession, *, user: User, adoption_id: int) -> OfferPage:
    """An offer as its company, the team and the organisers see it."""
    adoption, access, sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    versions = await queries.adoption_versions(session, adoption_id)
    changes = offers.changes(versions[1], versions[0]) if len(versions) > 1 else []
    waiting = adoption.status == AdoptionStatus.PROPOSED
    people = None
    if adoption.status in team_contact.SHARED_STATUSES:
        people = await team_contact.team_for_sponsor(session, user=user, adoption_id=adoption_id)
    return OfferPage(
        challenge=access.challenge,
        row=await queries.adoption_row(session, adoption_id),
        versions=versions,
        changes=changes,
        can_answer=access.actor.user_id == team.coach_id,
        can_amend=waiting and await permissions.represents(session, access, sponsor),
        people=people,
    )


async def follow_up(session: AsyncSession, *, user: User, adoption_id: int) -> FollowUp:
    """An adoption's follow-up, for who sees the adoption; the two sides also act on it."""
    adoption, access, sponsor, team = await adoptions.locked_adoption(
        session, user=user, adoption_id=adoption_id, lock=False
    )
    side: Side | None = None
    if access.actor.user_id == team.coach_id:
        side = Side.TEAM
    elif await permissions.represents(session, access, sponsor):
        side = Side.SPONSOR
    milestones = (await queries.milestones_of(session, [adoption_id]))[adoption_id]
    progress = followup.progress(adoption, milestones)
    weeks = (await rules.rules_of(session, adoption.challenge_id)).overdue_weeks
    _since, periods = queries.overdue_periods(
        adoption, last_milestone_on=progress.last_milestone_on, weeks=weeks, today=utcnow().date()
    )
    return FollowUp(
        challenge=access.challenge,
        row=await queries.adoption_row(session, adoption_id),
        milestones=milestones,
        progress=progress,
        side=side,
        overdue_weeks=weeks,
        overdue=periods > 0,
    )
