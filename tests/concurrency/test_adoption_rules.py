"""The adoption rules under concurrency: offers for one single-godmother project accepted
at once (two tabs, two offers) leave exactly one accepted adoption, and a company's quota
holds when several teams accept its offers at the same moment. The other transitions of an
adoption (amending an offer, confirming a milestone, closing) done many times at once are
done once.

On PostgreSQL the requests run truly at once and the project's and sponsor's row locks
decide; SQLite serialises writers, so there the same tests show the sequential behaviour.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.accounts.models import User
from app.challenges.models import Challenge
from app.db import Database
from app.sponsors.models import Adoption, AdoptionRules, AdoptionStatus, AdoptionVersion, Sponsor
from app.teams.models import Project
from tests.concurrency.test_transitions import AT_ONCE, _actions, _events, at_once
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team


async def _offer(db: Database, challenge: Challenge, sponsor: Sponsor, project: Project) -> int:
    assert challenge.id and sponsor.id and project.id
    async with db.transaction() as session:
        adoption = Adoption(
            challenge_id=challenge.id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            mentoring_hours=10,
            proposed_by=sponsor.id and 1,
        )
        session.add(adoption)
    assert adoption.id is not None
    return adoption.id


async def _statuses(db: Database) -> Counter[AdoptionStatus]:
    async with db.read() as session:
        return Counter((await session.execute(select(Adoption.status))).scalars())


async def test_offers_for_one_project_accepted_at_once_leave_one_godmother(
    db: Database, actors: Actors
) -> None:
    organiser, coach = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    offers = []
    for _ in range(4):
        sponsor = await make_sponsor(db, challenge, representative=await actors.user())
        offers.append(await _offer(db, challenge, sponsor, project))
    clients = [await actors.api(coach) for _ in range(AT_ONCE)]

    # Twenty requests at once, five on each of the four offers.
    statuses = await at_once(
        lambda n: clients[n].post(f"/api/v1/adoptions/{offers[n % len(offers)]}/accept")
    )

    assert await _statuses(db) == Counter(
        {AdoptionStatus.ACCEPTED: 1, AdoptionStatus.DECLINED: len(offers) - 1}
    )
    # The winner's repeats answer 200 (already done); every other request is a clear 409.
    assert statuses == Counter({200: AT_ONCE // len(offers), 409: AT_ONCE - AT_ONCE // 4})
    assert await _actions(db, "adoption.accepted") == 1
    assert await _events(db, "AdoptionAccepted") == 1
    assert await _events(db, "AdoptionAutoDeclined") == len(offers) - 1


async def test_a_company_quota_holds_when_teams_accept_at_once(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, challenge, representative=await actors.user())
    coaches: list[User] = []
    offers = []
    for _ in range(6):
        coach = await actors.user()
        project = await make_project(db, await make_team(db, challenge, coach=coach))
        coaches.append(coach)
        offers.append(await _offer(db, challenge, sponsor, project))
    assert challenge.id is not None
    async with db.transaction() as session:
        session.add(AdoptionRules(challenge_id=challenge.id, max_projects_per_sponsor=2))
    clients = [await actors.api(coach) for coach in coaches]

    statuses = await at_once(
        lambda n: clients[n].post(f"/api/v1/adoptions/{offers[n]}/accept"), times=len(offers)
    )

    assert statuses == Counter({200: 2, 409: len(offers) - 2})
    assert await _statuses(db) == Counter(
        {AdoptionStatus.ACCEPTED: 2, AdoptionStatus.PROPOSED: len(offers) - 2}
    )


async def _accepted(db: Database, actors: Actors) -> tuple[User, User, int]:
    organiser, coach, rep = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    sponsor = await make_sponsor(db, challenge, representative=rep)
    adoption_id = await _offer(db, challenge, sponsor, project)
    async with db.transaction() as session:
        adoption = await session.get(Adoption, adoption_id)
        assert adoption is not None
        adoption.status = AdoptionStatus.ACCEPTED
    return coach, rep, adoption_id


async def test_a_milestone_confirmed_many_times_at_once_is_confirmed_once(
    db: Database, actors: Actors
) -> None:
    coach, rep, adoption_id = await _accepted(db, actors)
    async with await actors.api(rep) as http:
        created = await http.post(
            f"/api/v1/adoptions/{adoption_id}/milestones",
            json={"kind": "mentoring", "happened_on": "2026-01-10", "hours": 3},
        )
    path = f"/api/v1/adoptions/{adoption_id}/milestones/{created.json()['id']}/confirm"
    clients = [await actors.api(coach) for _ in range(AT_ONCE)]

    statuses = await at_once(lambda n: clients[n].post(path))

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "adoption.milestone_confirmed") == 1
    assert await _events(db, "MilestoneConfirmed") == 1


async def test_an_adoption_closed_many_times_at_once_is_closed_once(
    db: Database, actors: Actors
) -> None:
    coach, rep, adoption_id = await _accepted(db, actors)
    clients = [await actors.api(coach if n % 2 else rep) for n in range(AT_ONCE)]

    statuses = await at_once(
        lambda n: clients[n].post(
            f"/api/v1/adoptions/{adoption_id}/close", json={"outcome": "completed"}
        )
    )

    assert statuses == Counter({200: AT_ONCE})
    assert await _actions(db, "adoption.closed") == 1
    assert await _events(db, "AdoptionClosed") == 1


async def test_an_offer_amended_many_times_at_once_gets_one_new_version(
    db: Database, actors: Actors
) -> None:
    organiser, coach, rep = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    await make_sponsor(db, challenge, representative=rep)
    async with await actors.api(rep) as http:
        offer = await http.post(f"/api/v1/projects/{project.id}/adoptions", json={"internships": 1})
    clients = [await actors.api(rep) for _ in range(AT_ONCE)]
    path = f"/api/v1/adoptions/{offer.json()['id']}/amend"

    statuses = await at_once(lambda n: clients[n].post(path, json={"internships": 2}))

    assert statuses == Counter({200: AT_ONCE})
    async with db.read() as session:
        versions = list((await session.execute(select(AdoptionVersion.version))).scalars())
    assert sorted(versions) == [1, 2]
    assert await _events(db, "AdoptionAmended") == 1
