"""The API of milestone files and of the members' names under concurrency: a file put on
one milestone from several clients at once and a confirmation at the same moment never
leave a file on a confirmed milestone that was not there when it was confirmed; one
member's choice saved through the API from several clients at once is one row.
PostgreSQL: truly at once; SQLite serialises them."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import func, select

from app.db import Database
from app.sponsors import followup
from app.sponsors.models import AdoptionMilestone, MemberSponsorConsent
from app.sponsors.schemas import MilestoneCreate
from app.teams.models import TeamMember
from tests.concurrency.test_adoption_recognition import _accepted
from tests.concurrency.test_transitions import AT_ONCE
from tests.factories import Actors
from tests.sponsors.conftest import make_scene
from tests.sponsors.test_followup import YESTERDAY
from tests.teams.test_uploads import PDF


async def test_files_put_while_the_milestone_is_confirmed_never_land_after_it(
    db: Database, actors: Actors
) -> None:
    scene = await make_scene(db, actors)
    adoption_id = await _accepted(db, scene)
    async with db.transaction() as session:
        milestone = await followup.propose_milestone(
            session,
            user=scene.rep,
            adoption_id=adoption_id,
            data=MilestoneCreate(kind="kickoff", happened_on=YESTERDAY),  # type: ignore[arg-type]
        )
    path = f"/api/v1/adoptions/{adoption_id}/milestones/{milestone.id}/file"
    uploaders = [await actors.api(scene.rep) for _ in range(AT_ONCE)]
    confirmer = await actors.api(scene.coach)

    responses = await asyncio.gather(
        *(
            http.put(path, files={"file": (f"v{n}.pdf", PDF + str(n).encode(), "application/pdf")})
            for n, http in enumerate(uploaders)
        ),
        confirmer.post(f"/api/v1/adoptions/{adoption_id}/milestones/{milestone.id}/confirm"),
    )
    for http in [*uploaders, confirmer]:
        await http.aclose()

    *puts, confirmed = responses
    assert confirmed.status_code == 200, confirmed.text
    assert set(Counter(r.status_code for r in puts)) <= {200, 409}
    async with db.read() as session:
        final = await session.get(AdoptionMilestone, milestone.id, populate_existing=True)
    assert final is not None and final.confirmed_at is not None
    # The file it carries is the last one put before the confirmation, or none.
    landed = [r.json()["file_name"] for r in puts if r.status_code == 200]
    assert (final.file_name in landed) if landed else final.file_key is None


async def test_one_members_choice_put_through_the_api_at_once_is_one_row(
    db: Database, actors: Actors
) -> None:
    scene = await make_scene(db, actors)
    async with db.read() as session:
        member_id = (
            (
                await session.execute(
                    select(TeamMember.id).where(TeamMember.team_id == scene.team.id)
                )
            )
            .scalars()
            .first()
        )
    clients = [await actors.api(scene.coach) for _ in range(AT_ONCE)]
    path = f"/api/v1/teams/{scene.team.id}/member-names"
    choices = ("full_name", "first_name")

    responses = await asyncio.gather(
        *(
            http.put(path, json={"members": [{"member_id": member_id, "shows": choices[n % 2]}]})
            for n, http in enumerate(clients)
        )
    )
    for http in clients:
        await http.aclose()

    assert Counter(r.status_code for r in responses) == Counter({200: AT_ONCE})
    async with db.read() as session:
        rows = (
            await session.execute(select(func.count()).select_from(MemberSponsorConsent))
        ).scalar_one()
    assert rows == 1
