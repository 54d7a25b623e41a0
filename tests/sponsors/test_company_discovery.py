"""Finding ideas across challenges: a company's representative searches the submitted
projects of every challenge the company takes part in whose adoption window is open, with
the filters of one challenge's search, no member names, and a fixed number of statements."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import select

from app.challenges.models import PhaseKind
from app.db import Database
from app.sponsors.models import CompanyRepresentative
from app.teams.models import TeamMember
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.queries import sql_statements

ALL_BUT_ADOPTION = tuple(kind for kind in PhaseKind if kind != PhaseKind.ADOPTION)


async def _company(db: Database, actors: Actors, *, projects: int = 1) -> dict[str, object]:
    """A company in two challenges taking offers and one whose adoption window is over."""
    rep = await actors.user("Riccardo Rep")
    coach = await actors.user("Carla Coach")
    open_a = await make_challenge(db, organiser=await actors.user(), title="Climathon")
    open_b = await make_challenge(db, organiser=await actors.user(), title="Hackathon")
    closed = await make_challenge(
        db, organiser=await actors.user(), title="Chiusa", open_phases=ALL_BUT_ADOPTION
    )
    sponsors = [
        await make_sponsor(db, challenge, representative=rep, name="Acme S.p.A.")
        for challenge in (open_a, open_b, closed)
    ]
    for challenge, label in ((open_a, "Acqua"), (open_b, "Bici"), (closed, "Scaduta")):
        for n in range(projects):
            team = await make_team(db, challenge, coach=coach, name=f"{label} team {n}")
            await make_project(db, team, title=f"Idea {label} {n}")
    return {"rep": rep, "company_id": sponsors[0].company_id, "sponsors": sponsors}


async def test_a_representative_finds_ideas_in_every_open_challenge_of_the_company(
    db: Database, actors: Actors
) -> None:
    found = await _company(db, actors)
    company_id = found["company_id"]
    async with await actors.api(found["rep"]) as api:  # type: ignore[arg-type]
        everything = (await api.get(f"/api/v1/companies/{company_id}/ideas")).json()
        searched = (await api.get(f"/api/v1/companies/{company_id}/ideas?q=bici")).json()
        too_long = await api.get(f"/api/v1/companies/{company_id}/ideas", params={"q": "x" * 101})
    async with await actors.client(found["rep"]) as http:  # type: ignore[arg-type]
        page = await http.get(f"/companies/{company_id}/ideas")
        dashboard = await http.get("/sponsor")

    assert sorted(item["title"] for item in everything["items"]) == ["Idea Acqua 0", "Idea Bici 0"]
    assert {c["title"] for c in everything["challenges"]} == {"Climathon", "Hackathon"}
    assert {item["challenge_title"] for item in everything["items"]} == {"Climathon", "Hackathon"}
    assert [item["title"] for item in searched["items"]] == ["Idea Bici 0"]
    assert too_long.status_code == 422
    assert page.status_code == 200
    assert "Idea Acqua 0" in page.text and "Idea Bici 0" in page.text
    assert "Idea Scaduta 0" not in page.text
    assert f"/companies/{company_id}/ideas" in dashboard.text


async def test_no_member_name_and_no_one_else(db: Database, actors: Actors) -> None:
    found = await _company(db, actors)
    company_id = found["company_id"]
    async with db.read() as session:
        members = list((await session.execute(select(TeamMember))).scalars())
    other_rep = await actors.user("Bruno Beta")
    await make_sponsor(
        db,
        await make_challenge(db, organiser=await actors.user()),
        representative=other_rep,
        name="Beta S.r.l.",
    )
    async with await actors.client(found["rep"]) as http:  # type: ignore[arg-type]
        page = await http.get(f"/companies/{company_id}/ideas")
    for person in (other_rep, await actors.user("Sara Sconosciuta")):
        async with await actors.client(person) as http, await actors.api(person) as api:
            assert (await http.get(f"/companies/{company_id}/ideas")).status_code == 404
            assert (await api.get(f"/api/v1/companies/{company_id}/ideas")).status_code == 404
    assert members
    for member in members:
        assert member.last_name not in page.text


async def test_a_representative_removed_finds_nothing_at_once(db: Database, actors: Actors) -> None:
    found = await _company(db, actors)
    async with db.transaction() as session:
        await session.execute(delete(CompanyRepresentative))
    async with await actors.client(found["rep"]) as http:  # type: ignore[arg-type]
        assert (await http.get(f"/companies/{found['company_id']}/ideas")).status_code == 404


async def _statements(db: Database, actors: Actors, projects: int) -> int:
    found = await _company(db, actors, projects=projects)
    async with await actors.client(found["rep"]) as http:  # type: ignore[arg-type]
        with sql_statements(db) as sent:
            page = await http.get(f"/companies/{found['company_id']}/ideas")
    assert page.status_code == 200
    return len(sent)


async def test_the_search_sends_as_many_statements_for_one_project_as_for_many(
    db: Database, actors: Actors
) -> None:
    assert await _statements(db, actors, 1) == await _statements(db, actors, 6)
