"""The organisers' report of every adoption of a programme (its stages and their other
editions): a table, a chart and CSV/XLSX files, in as many statements for one adoption as
for many."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import update

from app.accounts.models import User
from app.challenges.models import Challenge, Programme
from app.db import Database, utcnow
from app.reports.adoptions import programme_adoptions
from app.sponsors.models import Adoption, AdoptionMilestone, AdoptionStatus, MilestoneKind, Side
from app.teams.models import Project
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.queries import sql_statements

DAY = utcnow().date() - timedelta(days=3)
_seq = itertools.count(1)


@dataclass
class World:
    programme: Programme
    organiser: User
    stages: list[Challenge]  # the programme's two stages, then an earlier edition of stage 1
    rep: User


async def _world(db: Database, actors: Actors) -> World:
    organiser = await actors.user("Olga Organizzatrice")
    rep = await actors.user("Roberta Galli")
    async with db.transaction() as session:
        slug = f"percorsi-green-{next(_seq)}"
        programme = Programme(slug=slug, name="Percorsi green", owner_id=organiser.id)
        session.add(programme)
        await session.flush()
    climathon = await make_challenge(db, organiser=organiser, title="Climathon 2026")
    hackathon = await make_challenge(db, organiser=organiser, title="Hackathon 2026")
    earlier = await make_challenge(db, organiser=organiser, title="Climathon 2025")
    async with db.transaction() as session:
        for stage, challenge in enumerate((climathon, hackathon), start=1):
            await session.execute(
                update(Challenge)
                .where(Challenge.id == challenge.id)  # type: ignore[arg-type]
                .values(programme_id=programme.id, stage=stage)
            )
        await session.execute(
            update(Challenge)
            .where(Challenge.id == climathon.id)  # type: ignore[arg-type]
            .values(previous_edition_id=earlier.id)
        )
    return World(programme, organiser, [climathon, hackathon, earlier], rep)


async def _adopt(
    db: Database,
    actors: Actors,
    world: World,
    challenge: Challenge,
    *,
    company: str,
    count: int = 1,
    milestones: int = 1,
) -> None:
    """`count` accepted adoptions by `company`, each with `milestones` confirmed sessions of
    2 mentoring hours out of 10 promised."""
    coach = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=world.rep, name=company)
    projects: list[Project] = []
    for n in range(count):
        team = await make_team(db, challenge, coach=coach, name=f"{company} team {n}")
        projects.append(await make_project(db, team, title=f"Idea {n} of {company}"))
    async with db.transaction() as session:
        for project in projects:
            assert project.id is not None and challenge.id is not None
            assert sponsor.id is not None and world.rep.id is not None
            adoption = Adoption(
                challenge_id=challenge.id,
                sponsor_id=sponsor.id,
                project_id=project.id,
                status=AdoptionStatus.ACCEPTED,
                mentoring_hours=10,
                internships=1,
                funding_eur=500,
                proposed_by=world.rep.id,
                decided_at=utcnow(),
            )
            session.add(adoption)
            await session.flush()
            assert adoption.id is not None
            session.add_all(
                AdoptionMilestone(
                    adoption_id=adoption.id,
                    kind=MilestoneKind.MENTORING,
                    happened_on=DAY,
                    hours=2,
                    proposed_side=Side.SPONSOR,
                    proposed_by=world.rep.id,
                    confirmed_by=world.rep.id,
                    confirmed_at=utcnow(),
                )
                for _ in range(milestones)
            )


async def test_organisers_see_every_adoption_of_the_programme_and_its_editions(
    db: Database, actors: Actors
) -> None:
    world = await _world(db, actors)
    climathon, hackathon, earlier = world.stages
    await _adopt(db, actors, world, climathon, company="Acque del Mincio", milestones=3)
    await _adopt(db, actors, world, hackathon, company="Tea S.p.A.")
    await _adopt(db, actors, world, earlier, company="Acque del Mincio")
    elsewhere = await make_challenge(db, organiser=world.organiser, title="Altro")
    await _adopt(db, actors, world, elsewhere, company="Fuori Programma")

    async with await actors.client(world.organiser) as http:
        page = await http.get(f"/programmes/{world.programme.id}/adoptions")
        programme_page = await http.get(f"/programmes/{world.programme.id}")

    assert page.status_code == 200
    assert page.text.count("Idea 0 of Acque del Mincio") == 2  # both editions
    assert "Idea 0 of Tea S.p.A." in page.text
    assert "Fuori Programma" not in page.text
    assert "<td>6/10</td>" in page.text  # the row: 3 sessions of 2 hours, 10 promised
    assert "10 di 30 ore di mentoring" in page.text  # the totals
    assert "<svg" in page.text and "8/20" in page.text  # Acque: 6 + 2 of 10 + 10 hours
    assert f"/programmes/{world.programme.id}/adoptions" in programme_page.text


async def test_the_report_downloads_as_csv_and_xlsx(db: Database, actors: Actors) -> None:
    world = await _world(db, actors)
    await _adopt(db, actors, world, world.stages[0], company="=Acque", milestones=2)
    base = f"/programmes/{world.programme.id}/adoptions"

    async with await actors.client(world.organiser) as http:
        as_csv = await http.get(f"{base}.csv", params={"sep": ";"})
        as_xlsx = await http.get(f"{base}.xlsx")
        unknown = await http.get(f"{base}.pdf")

    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "-adoptions.csv" in as_csv.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    assert len(rows) == 2
    assert row[header.index("Sfida")] == "Climathon 2026"
    assert row[header.index("Impresa")] == "'=Acque"  # a formula stays text
    assert row[header.index("Ore di mentoring svolte")] == "4"
    assert row[header.index("Tappe confermate")] == "2"
    assert as_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[1][header.index("Ore di mentoring svolte")] == 4
    assert unknown.status_code == 404


async def test_an_organiser_of_one_stage_sees_that_stage_only(db: Database, actors: Actors) -> None:
    world = await _world(db, actors)
    climathon, hackathon, _earlier = world.stages
    await _adopt(db, actors, world, climathon, company="Acque del Mincio")
    await _adopt(db, actors, world, hackathon, company="Tea S.p.A.")
    other = await actors.user("Ottavio Organizzatore")
    only_hackathon = await make_challenge(db, organiser=other)
    async with db.transaction() as session:
        await session.execute(
            update(Challenge)
            .where(Challenge.id == only_hackathon.id)  # type: ignore[arg-type]
            .values(programme_id=world.programme.id, stage=3)
        )
    await _adopt(db, actors, world, only_hackathon, company="Sua Impresa")

    async with await actors.client(other) as http:
        page = await http.get(f"/programmes/{world.programme.id}/adoptions")

    assert page.status_code == 200
    assert "Sua Impresa" in page.text
    assert "Acque del Mincio" not in page.text and "Tea S.p.A." not in page.text


async def test_people_who_organise_none_of_its_challenges_may_not(
    db: Database, actors: Actors
) -> None:
    world = await _world(db, actors)
    await _adopt(db, actors, world, world.stages[0], company="Acque del Mincio")
    base = f"/programmes/{world.programme.id}/adoptions"

    async with await actors.client(world.rep) as http:
        page = await http.get(base)
        csv_file = await http.get(f"{base}.csv")
    async with actors.anonymous() as http:
        anonymous = await http.get(base)
    async with await actors.client(world.organiser) as http:
        missing = await http.get(f"/programmes/{(world.programme.id or 0) + 99}/adoptions")

    assert page.status_code == 403 and csv_file.status_code == 403
    assert "Acque del Mincio" not in page.text
    assert anonymous.status_code in (302, 303)
    assert missing.status_code == 404


async def _statements(db: Database, actors: Actors, *, count: int, milestones: int) -> int:
    world = await _world(db, actors)
    await _adopt(
        db, actors, world, world.stages[0], company="Acque", count=count, milestones=milestones
    )
    await _adopt(db, actors, world, world.stages[2], company="Tea", count=count)
    async with await actors.client(world.organiser) as http:
        with sql_statements(db) as sent:
            page = await http.get(f"/programmes/{world.programme.id}/adoptions")
    assert page.status_code == 200
    return len(sent)


async def test_the_report_sends_as_many_statements_for_one_adoption_as_for_many(
    db: Database, actors: Actors
) -> None:
    one = await _statements(db, actors, count=1, milestones=1)
    many = await _statements(db, actors, count=6, milestones=5)

    assert one == many


async def test_the_report_pages_its_adoptions_the_totals_and_files_keep_them_all(
    db: Database, actors: Actors
) -> None:
    world = await _world(db, actors)
    await _adopt(db, actors, world, world.stages[0], company="Acque", count=5, milestones=1)
    await _adopt(db, actors, world, world.stages[1], company="Tea", count=2)
    async with db.read() as session:
        pages = [
            await programme_adoptions(
                session,
                user=world.organiser,
                programme_id=world.programme.id or 0,
                page=n,
                page_size=3,
            )
            for n in (1, 2, 3, 99)
        ]
        whole = await programme_adoptions(
            session, user=world.organiser, programme_id=world.programme.id or 0, page=None
        )
    titles = [[(r.sponsor_name, r.project_title) for r in p.rows] for p in pages]
    assert [len(t) for t in titles] == [3, 3, 1, 1]
    assert titles[3] == titles[2]  # past the last page: the last
    seen = [title for page_titles in titles[:3] for title in page_titles]
    assert len(set(seen)) == 7  # each adoption on one page, none twice
    assert [(p.page, p.pages, p.count) for p in pages] == [
        (1, 3, 7),
        (2, 3, 7),
        (3, 3, 7),
        (3, 3, 7),
    ]
    for page in pages:  # the programme's totals and chart, whatever the page
        assert page.totals.mentoring_hours_promised == 70
        assert page.totals.mentoring_hours_done == 14
        assert [bar.name for bar in page.chart] == ["Acque", "Tea"]
    assert len(whole.rows) == 7
    assert sorted((r.sponsor_name, r.project_title) for r in whole.rows) == sorted(seen)


async def test_the_page_shows_links_to_the_other_pages_only_past_a_hundred(
    db: Database, actors: Actors
) -> None:
    world = await _world(db, actors)
    await _adopt(db, actors, world, world.stages[0], company="Acque", count=2)
    async with await actors.client(world.organiser) as http:
        page = await http.get(f"/programmes/{world.programme.id}/adoptions", params={"page": "x"})
        csv_file = await http.get(f"/programmes/{world.programme.id}/adoptions.csv")
    assert page.status_code == 200
    assert 'class="pager"' not in page.text
    assert "Idea 1 of Acque" in page.text
    assert csv_file.status_code == 200
    assert csv_file.content.startswith("\ufeff".encode())
    assert csv_file.text.count("Idea") == 2
