"""The organisers' dashboard: how far the teams have come, the judges' progress, the next
deadline, at a glance and in numbers a screen reader reads too."""

from __future__ import annotations

from sqlalchemy import update

from app.accounts.models import User
from app.db import Database, utcnow
from app.judging.models import Assignment
from app.overview import dashboard as dashboards
from app.sponsors.models import Adoption, AdoptionStatus
from tests.factories import (
    Actors,
    make_challenge,
    make_project,
    make_round,
    make_sponsor,
    make_team,
)
from tests.queries import sql_statements


async def _challenge_with(db: Database, actors: Actors, teams: int) -> tuple[User, int]:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    judge, coach = await actors.user("Giada Giudice"), await actors.user()
    projects = []
    for n in range(teams):
        team = await make_team(db, challenge, coach=coach, name=f"Squadra {n}")
        projects.append(await make_project(db, team, submitted=n % 2 == 0))
    submitted = [p for p in projects if p.status == "submitted"]
    await make_round(db, challenge, judges=[judge], projects=submitted)
    async with db.transaction() as session:  # the judge scored the first submitted project
        await session.execute(
            update(Assignment)
            .where(Assignment.project_id == submitted[0].id)
            .values(submitted_at=utcnow())
        )
    rep = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=rep)
    async with db.transaction() as session:
        session.add(
            Adoption(
                challenge_id=challenge.id or 0,
                sponsor_id=sponsor.id or 0,
                project_id=submitted[0].id or 0,
                status=AdoptionStatus.ACCEPTED,
                internships=1,
                proposed_by=rep.id or 0,
            )
        )
    assert challenge.id is not None
    return organiser, challenge.id


async def test_the_funnel_counts_each_step_and_the_judges_progress(
    db: Database, actors: Actors
) -> None:
    organiser, challenge_id = await _challenge_with(db, actors, 5)
    async with db.read() as session:
        page = await dashboards.dashboard(session, user=organiser, challenge_id=challenge_id)

    assert [count for _label, count in page.total.steps()] == [5, 3, 1, 1, 0]
    assert [(j.name, j.assigned, j.scored) for j in page.judges] == [("Giada Giudice", 3, 1)]
    assert page.next_deadline is not None


async def test_the_dashboard_page_is_for_organisers_and_reads_the_same_whatever_the_size(
    db: Database, actors: Actors
) -> None:
    small_organiser, small = await _challenge_with(db, actors, 2)
    big_organiser, big = await _challenge_with(db, actors, 12)
    async with await actors.client(small_organiser) as browser:
        with sql_statements(db) as few:
            shown = await browser.get(f"/challenges/{small}/dashboard")
    async with await actors.client(big_organiser) as browser:
        with sql_statements(db) as many:
            await browser.get(f"/challenges/{big}/dashboard")
    async with await actors.client(await actors.user()) as browser:
        refused = await browser.get(f"/challenges/{small}/dashboard")

    assert shown.status_code == 200 and "Squadre iscritte" in shown.text
    assert "<svg" in shown.text and '<table class="chart-data">' in shown.text
    assert len(few) == len(many)
    assert refused.status_code == 403
