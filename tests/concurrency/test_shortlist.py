"""A company's shortlist under concurrency: two (or eight) representatives adding the same
project at the same moment leave one shortlist row and every request succeeds; the same
member's consent saved from several tabs at once leaves one row.

On PostgreSQL the requests run truly at once and the sponsor's (or team's) row lock orders
them; SQLite serialises writers, so there the same tests show the sequential behaviour.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.accounts.models import RoleKind
from app.db import Database
from app.events.models import AuditEntry
from app.sponsors.models import MemberSponsorConsent, ShortlistEntry, SponsorRepresentative
from app.teams.models import TeamMember
from tests.concurrency.test_transitions import AT_ONCE, at_once
from tests.factories import Actors, csrf, make_challenge, make_project, make_sponsor, make_team


async def _count(db: Database, model: type, *where: object) -> int:
    async with db.read() as session:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)  # type: ignore[arg-type]
        return (await session.execute(query)).scalar_one()


async def test_representatives_adding_the_same_project_at_once_leave_one_row(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, organiser=await actors.user())
    project = await make_project(db, await make_team(db, challenge, coach=await actors.user()))
    first = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=first)
    second = await actors.user()
    async with db.transaction() as session:
        session.add(SponsorRepresentative(sponsor_id=sponsor.id or 0, user_id=second.id or 0))
    await actors.grant(second, challenge.id or 0, RoleKind.SPONSOR)
    clients = [await actors.api(first if n % 2 else second) for n in range(AT_ONCE)]
    path = f"/api/v1/sponsors/{sponsor.id}/shortlist/{project.id}"

    statuses = await at_once(lambda n: clients[n].put(path))

    assert statuses == Counter({204: AT_ONCE})
    assert await _count(db, ShortlistEntry) == 1
    assert await _count(db, AuditEntry, AuditEntry.action == "sponsor.shortlist_added") == 1


async def test_one_members_consent_saved_from_several_tabs_at_once_is_one_row(
    db: Database, actors: Actors
) -> None:
    challenge = await make_challenge(db, organiser=await actors.user())
    coach = await actors.user()
    team = await make_team(db, challenge, coach=coach)
    async with db.read() as session:
        member_id = (
            (await session.execute(select(TeamMember.id).where(TeamMember.team_id == team.id)))
            .scalars()
            .first()
        )
    clients = [await actors.client(coach) for _ in range(AT_ONCE)]
    form = f"/teams/{team.id}/member-names"
    tokens = [await csrf(http, form) for http in clients]
    choices = ("full_name", "first_name")

    statuses = await at_once(
        lambda n: clients[n].post(
            form, data={"csrf_token": tokens[n], f"shows-{member_id}": choices[n % 2]}
        )
    )

    assert statuses == Counter({303: AT_ONCE})
    assert await _count(db, MemberSponsorConsent) == 1
