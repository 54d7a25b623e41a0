"""After logging in, each person lands on what they have to do now, in each of their roles;
nobody is offered what they cannot do."""

from __future__ import annotations

from sqlalchemy import update

from app.accounts.models import RoleKind
from app.db import Database
from app.judging.models import RoundStatus
from app.teams.models import TeamMember
from tests.factories import (
    Actors,
    make_challenge,
    make_project,
    make_round,
    make_sponsor,
    make_team,
)
from tests.queries import sql_statements


async def test_each_role_finds_its_work_on_the_home_page(db: Database, actors: Actors) -> None:
    organiser, coach, student = await actors.user(), await actors.user(), await actors.user()
    judge, rep = await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova")
    team = await make_team(db, challenge, coach=coach, name="4B Aqua")
    async with db.transaction() as session:  # a minor still without consent; a member account
        await session.execute(
            update(TeamMember).where(TeamMember.first_name == "Luca").values(consent_at=None)
        )
        await session.execute(
            update(TeamMember).where(TeamMember.first_name == "Giulia").values(user_id=student.id)
        )
    project = await make_project(db, team, title="Sensori", submitted=False)
    other = await make_project(db, await make_team(db, challenge, coach=await actors.user()))
    await make_round(db, challenge, judges=[judge], projects=[other], status=RoundStatus.OPEN)
    await make_sponsor(db, challenge, representative=rep)
    await actors.grant(student, challenge.id or 0, RoleKind.PARTICIPANT)

    pages = {}
    for name, person in (
        ("organiser", organiser),
        ("coach", coach),
        ("student", student),
        ("judge", judge),
        ("rep", rep),
    ):
        async with await actors.client(person) as browser:
            pages[name] = (await browser.get("/")).text

    assert "Il tuo lavoro" in pages["organiser"] and "2 squadre iscritte" in pages["organiser"]
    assert "4B Aqua" in pages["coach"]
    assert "○ Ogni minorenne ha il consenso di un genitore o tutore" in pages["coach"]
    assert f'href="/projects/{project.id}"' in pages["coach"]
    assert "Fai parte di questa squadra." in pages["student"]
    assert "1 progetto ancora da valutare" in pages["judge"]
    assert "Scopri i progetti da adottare" in pages["rep"]
    assert all("/challenges/new" not in page for page in pages.values())


async def test_the_home_page_reads_the_same_whatever_the_number_of_teams(
    db: Database, actors: Actors
) -> None:
    few, many = await actors.user(), await actors.user()
    challenge = await make_challenge(db)
    await make_team(db, challenge, coach=few)
    for n in range(12):
        await make_project(db, await make_team(db, challenge, coach=many, name=f"Classe {n}"))
    counts = []
    for person in (few, many):
        async with await actors.client(person) as browser:
            with sql_statements(db) as sent:
                await browser.get("/")
            counts.append(len(sent))

    assert counts[0] == counts[1]
