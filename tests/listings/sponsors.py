"""Worlds for the query-count tests: sponsors and adoptions."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database, utcnow
from app.sponsors.models import Adoption, AdoptionMilestone, MilestoneKind, Side, Sponsor
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.listings import Visit, item
from tests.listings.rows import offer, submitted_projects


async def _sponsors(db: Database, actors: Actors, n: int) -> tuple[User, Challenge]:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    for k in range(n):
        await make_sponsor(db, challenge, representative=await actors.user(), name=item(k))
    return organiser, challenge


async def sponsors(db: Database, actors: Actors, n: int) -> Visit:
    """As an organiser, who also sees each sponsor's representatives."""
    organiser, challenge = await _sponsors(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/sponsors")


async def sponsors_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _sponsors(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/sponsors")


async def _represented(
    db: Database, actors: Actors, challenge: Challenge, n: int, *, prefix: str
) -> tuple[User, list[Sponsor]]:
    """One person representing n sponsors, named prefix-k."""
    representative = await actors.user()
    made = [
        await make_sponsor(db, challenge, representative=representative, name=f"{prefix}-{k}")
        for k in range(n)
    ]
    return representative, made


async def sponsor_dashboard(db: Database, actors: Actors, n: int) -> Visit:
    """n projects to browse, each with an offer from another of the visitor's n sponsors."""
    challenge = await make_challenge(db)
    projects = await submitted_projects(db, actors, challenge, n)
    representative, represented = await _represented(db, actors, challenge, n, prefix="Sponsor")
    for sponsor, project in zip(represented, projects, strict=True):
        await offer(db, sponsor, project, representative)
    return Visit(await actors.client(representative), f"/challenges/{challenge.id}/sponsor")


async def propose(db: Database, actors: Actors, n: int) -> Visit:
    """The offer form: the visitor's n sponsors, each with an offer made already."""
    challenge = await make_challenge(db)
    (project,) = await submitted_projects(db, actors, challenge, 1)
    representative, represented = await _represented(db, actors, challenge, n, prefix="Item")
    for sponsor in represented:
        await offer(db, sponsor, project, representative)
    return Visit(await actors.client(representative), f"/projects/{project.id}/adopt")


async def _adoptions(db: Database, actors: Actors, n: int) -> tuple[User, Challenge]:
    """n projects, each adopted by a sponsor of its own."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    for project in await submitted_projects(db, actors, challenge, n):
        representative = await actors.user()
        sponsor = await make_sponsor(db, challenge, representative=representative)
        await offer(db, sponsor, project, representative)
    async with db.transaction() as session:  # a confirmed milestone each: their progress
        for adoption in (await session.execute(select(Adoption))).scalars():
            assert adoption.id is not None
            session.add(
                AdoptionMilestone(
                    adoption_id=adoption.id,
                    kind=MilestoneKind.MENTORING,
                    happened_on=date(2026, 1, 1),
                    hours=3,
                    proposed_side=Side.TEAM,
                    proposed_by=organiser.id or 0,
                    confirmed_at=utcnow(),
                )
            )
    return organiser, challenge


async def adoptions(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _adoptions(db, actors, n)
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/adoptions")


async def adoptions_api(db: Database, actors: Actors, n: int) -> Visit:
    organiser, challenge = await _adoptions(db, actors, n)
    return Visit(await actors.api(organiser), f"/api/v1/challenges/{challenge.id}/adoptions")


async def team_adoptions(db: Database, actors: Actors, n: int) -> Visit:
    """The offers of n sponsors (each with its own representative) for one team's project."""
    coach = await actors.user()
    challenge = await make_challenge(db)
    team = await make_team(db, challenge, coach=coach)
    project = await make_project(db, team)
    for k in range(n):
        representative = await actors.user()
        sponsor = await make_sponsor(db, challenge, representative=representative, name=item(k))
        await offer(db, sponsor, project, representative)
    return Visit(await actors.client(coach), f"/teams/{team.id}/adoptions")


async def _followed(db: Database, actors: Actors, n: int) -> tuple[User, int]:
    """One accepted adoption with n milestones, noted Item-k, every other one confirmed."""
    coach = await actors.user()
    challenge = await make_challenge(db)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    representative = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=representative)
    await offer(db, sponsor, project, representative)
    async with db.transaction() as session:
        adoption = (await session.execute(select(Adoption))).scalar_one()
        assert adoption.id is not None
        for k in range(n):
            session.add(
                AdoptionMilestone(
                    adoption_id=adoption.id,
                    kind=MilestoneKind.MENTORING,
                    happened_on=date(2026, 1, 1) + timedelta(days=k),
                    hours=2,
                    note=item(k),
                    proposed_side=Side.SPONSOR,
                    proposed_by=representative.id or 0,
                    confirmed_by=coach.id if k % 2 else None,
                    confirmed_at=utcnow() if k % 2 else None,
                )
            )
    return coach, adoption.id


async def follow_up(db: Database, actors: Actors, n: int) -> Visit:
    coach, adoption_id = await _followed(db, actors, n)
    return Visit(await actors.client(coach), f"/adoptions/{adoption_id}/follow-up")


async def milestones_api(db: Database, actors: Actors, n: int) -> Visit:
    coach, adoption_id = await _followed(db, actors, n)
    return Visit(await actors.api(coach), f"/api/v1/adoptions/{adoption_id}/milestones")


async def _company_across(db: Database, actors: Actors, n: int) -> tuple[User, int]:
    """One company in n challenges, each with a project (Item-k) it adopted, with a
    milestone waiting for the company's confirmation."""
    representative = await actors.user()
    company_id = 0
    for k in range(n):
        team = await make_team(db, await make_challenge(db), coach=await actors.user())
        project = await make_project(db, team, title=item(k))
        challenge_id = project.challenge_id
        async with db.read() as session:
            challenge = await session.get(Challenge, challenge_id)
        assert challenge is not None
        sponsor = await make_sponsor(db, challenge, representative=representative, name="Acme")
        company_id = sponsor.company_id or 0
        await offer(db, sponsor, project, representative)
        async with db.transaction() as session:
            adoption = (
                await session.execute(select(Adoption).where(Adoption.project_id == project.id))  # type: ignore[arg-type]
            ).scalar_one()
            session.add(
                AdoptionMilestone(
                    adoption_id=adoption.id or 0,
                    kind=MilestoneKind.KICKOFF,
                    happened_on=date(2026, 1, 1),
                    proposed_side=Side.TEAM,
                    proposed_by=representative.id or 0,
                )
            )
    return representative, company_id


async def company_dashboard(db: Database, actors: Actors, n: int) -> Visit:
    representative, _company = await _company_across(db, actors, n)
    return Visit(await actors.client(representative), "/sponsor")


async def company_dashboard_api(db: Database, actors: Actors, n: int) -> Visit:
    representative, _company = await _company_across(db, actors, n)
    return Visit(await actors.api(representative), "/api/v1/sponsor/dashboard")


async def company_page(db: Database, actors: Actors, n: int) -> Visit:
    _representative, company_id = await _company_across(db, actors, n)
    return Visit(actors.anonymous(), f"/companies/{company_id}")


async def join_company(db: Database, actors: Actors, n: int) -> Visit:
    """An organiser's search finds n companies, Item-k, each in a challenge of its own."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    for k in range(n):
        await make_sponsor(
            db, await make_challenge(db), representative=await actors.user(), name=item(k)
        )
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/sponsors/join?q=item")
