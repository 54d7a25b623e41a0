"""Finding ideas: a company's representatives search and filter the submitted projects of
its challenge during the adoption window, a page at a time, on the page and in the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import col

from app.challenges.models import Institution, Phase, PhaseKind, Track
from app.db import Database, utcnow
from app.judging.models import Award
from app.sponsors.models import Adoption, AdoptionStatus
from app.teams.models import Project, Team
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team
from tests.queries import sql_statements
from tests.sponsors.conftest import Scene


def _titles(answer: dict[str, object]) -> list[str]:
    items = answer["items"]
    assert isinstance(items, list)
    return [item["title"] for item in items]


async def _api(actors: Actors, scene: Scene, query: str = "") -> dict[str, object]:
    async with await actors.api(scene.rep) as http:
        response = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects{query}")
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


async def _more(db: Database, actors: Actors, scene: Scene) -> int:
    """Three more teams: one in another town and track, a draft, one adopted and awarded."""
    coach = await actors.user("Marta Coach")
    other = await make_team(db, scene.challenge, coach=coach, name="5C Bici")
    draft_team = await make_team(db, scene.challenge, coach=coach, name="3A Bozza")
    adopted_team = await make_team(db, scene.challenge, coach=coach, name="2D Cibo")
    async with db.transaction() as session:
        await session.execute(
            update(Institution)
            .where(col(Institution.id) == other.institution_id)
            .values(name="Liceo Virgilio", city="Suzzara")
        )
    bike = await make_project(db, other, title="Bike sharing per la scuola")
    await make_project(db, draft_team, title="Idea non inviata", submitted=False)
    food = await make_project(db, adopted_team, title="Meno spreco in mensa")
    rival = await make_sponsor(db, scene.challenge, representative=await actors.user(), name="Bco")
    async with db.transaction() as session:
        track = (
            (await session.execute(select(Track).where(col(Track.challenge_id) == scene.cid)))
            .scalars()
            .first()
        )
        assert track is not None
        await session.execute(
            update(Project).where(col(Project.id) == scene.pid).values(track_id=track.id)
        )
        session.add(
            Adoption(
                challenge_id=scene.cid,
                sponsor_id=rival.id or 0,
                project_id=food.id or 0,
                status=AdoptionStatus.ACCEPTED,
                proposed_by=scene.organiser.id or 0,
            )
        )
        session.add(Award(challenge_id=scene.cid, project_id=food.id or 0, name="Best idea"))
    del bike
    assert track.id is not None
    return track.id


async def test_representative_finds_the_submitted_projects_without_member_names(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _more(db, actors, scene)

    async with await actors.client(scene.rep) as http:
        response = await http.get(f"/sponsors/{scene.sponsor.id}/projects")

    assert response.status_code == 200
    assert "Rain sensors" in response.text and "Bike sharing per la scuola" in response.text
    assert "Idea non inviata" not in response.text  # a draft is not on show
    assert "Bianchi" not in response.text and "Verdi" not in response.text  # members' names
    assert "Adottato da Bco" in response.text and "Premio: Best idea" in response.text
    answer = await _api(actors, scene)
    assert _titles(answer) == ["Bike sharing per la scuola", "Meno spreco in mensa", "Rain sensors"]
    assert (answer["total"], answer["page"], answer["pages"]) == (3, 1, 1)


async def test_search_looks_in_title_summary_and_team_never_in_member_names(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _more(db, actors, scene)

    assert _titles(await _api(actors, scene, "?q=rain")) == ["Rain sensors"]
    assert _titles(await _api(actors, scene, "?q=5c%20BICI")) == ["Bike sharing per la scuola"]
    assert _titles(await _api(actors, scene, "?q=orti%20scolastici")) == [
        "Bike sharing per la scuola",
        "Meno spreco in mensa",
        "Rain sensors",
    ]  # the factory's summary
    assert _titles(await _api(actors, scene, "?q=Bianchi")) == []  # a member's last name
    assert _titles(await _api(actors, scene, "?q=%25")) == []  # a literal %, not "anything"


async def test_filters_by_track_school_town_adopted_and_awarded(
    db: Database, actors: Actors, scene: Scene
) -> None:
    track_id = await _more(db, actors, scene)
    async with db.read() as session:
        team = await session.get(Team, scene.team.id)
        assert team is not None
        school = team.institution_id

    assert _titles(await _api(actors, scene, f"?institution={school}")) == ["Rain sensors"]
    assert _titles(await _api(actors, scene, "?town=suzzara")) == ["Bike sharing per la scuola"]
    assert _titles(await _api(actors, scene, "?adopted=yes")) == ["Meno spreco in mensa"]
    assert _titles(await _api(actors, scene, "?adopted=no&awarded=no")) == [
        "Bike sharing per la scuola",
        "Rain sensors",
    ]
    assert _titles(await _api(actors, scene, "?awarded=yes")) == ["Meno spreco in mensa"]
    assert _titles(await _api(actors, scene, f"?track={track_id}")) == ["Rain sensors"]
    assert _titles(await _api(actors, scene, "?track=999999")) == []


async def test_pages_of_twenty_and_past_the_last_page_is_404(
    db: Database, actors: Actors, scene: Scene
) -> None:
    coach = await actors.user()
    for n in range(24):
        team = await make_team(db, scene.challenge, coach=coach, name=f"Team {n:02}")
        await make_project(db, team, title=f"Idea {n:02}")

    first = await _api(actors, scene)
    second = await _api(actors, scene, "?page=2")
    async with await actors.api(scene.rep) as http:
        third = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects?page=3")
    async with await actors.client(scene.rep) as http:
        page = await http.get(f"/sponsors/{scene.sponsor.id}/projects?q=idea&page=2")

    assert (len(_titles(first)), len(_titles(second)), first["total"], first["pages"]) == (
        20,
        5,
        25,
        2,
    )
    assert third.status_code == 404
    assert page.status_code == 200
    assert "Pagina 2 di 2" in page.text
    assert f"/sponsors/{scene.sponsor.id}/projects?q=idea&amp;page=1" in page.text


async def _move_adoption(db: Database, scene: Scene, *, starts: int, ends: int) -> None:
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            update(Phase)
            .where(col(Phase.challenge_id) == scene.cid, col(Phase.kind) == PhaseKind.ADOPTION)
            .values(starts_at=now + timedelta(days=starts), ends_at=now + timedelta(days=ends))
        )


async def test_before_the_adoption_window_opens_nothing_is_shown(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _move_adoption(db, scene, starts=1, ends=5)

    async with await actors.client(scene.rep) as http:
        page = await http.get(f"/sponsors/{scene.sponsor.id}/projects")
    async with await actors.api(scene.rep) as http:
        api = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects")

    assert page.status_code == 409
    assert "non sono ancora aperte" in page.text and "Rain sensors" not in page.text
    assert (api.status_code, api.json()["error"]["code"]) == (409, "adoption_not_open_yet")


async def test_after_the_adoption_window_nothing_is_shown(
    db: Database, actors: Actors, scene: Scene
) -> None:
    await _move_adoption(db, scene, starts=-5, ends=-1)

    async with await actors.api(scene.rep) as http:
        api = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects")

    assert (api.status_code, api.json()["error"]["code"]) == (409, "adoption_phase_over")


async def test_overlong_search_is_422_with_the_form_shown_again(
    actors: Actors, scene: Scene
) -> None:
    long = "x" * 101

    async with await actors.client(scene.rep) as http:
        page = await http.get(f"/sponsors/{scene.sponsor.id}/projects", params={"q": long})
    async with await actors.api(scene.rep) as http:
        api = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects", params={"q": long})
        bad = await http.get(f"/api/v1/sponsors/{scene.sponsor.id}/projects?adopted=maybe")

    assert page.status_code == 422
    assert f'value="{long}"' in page.text and 'id="e-q"' in page.text
    assert "Rain sensors" not in page.text
    assert (api.status_code, list(api.json()["error"]["fields"])) == (422, ["q"])
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (422, ["adopted"])


async def test_only_the_company_representatives_may_browse(
    db: Database, actors: Actors, scene: Scene
) -> None:
    other_rep = await actors.user("Other Rep")
    await make_sponsor(db, scene.challenge, representative=other_rep, name="Other S.r.l.")
    path = f"/sponsors/{scene.sponsor.id}/projects"

    statuses = []
    for person in (other_rep, scene.organiser, scene.coach):
        async with await actors.client(person) as http:
            statuses.append((await http.get(path)).status_code)
        async with await actors.api(person) as http:
            statuses.append((await http.get("/api/v1" + path)).status_code)
    async with actors.anonymous() as http:
        anonymous = await http.get(path)

    assert statuses == [404] * 6
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


async def test_discovery_statements_do_not_grow_with_projects(db: Database, actors: Actors) -> None:
    counts = []
    for size in (1, 30):
        organiser = await actors.user()
        challenge = await make_challenge(db, organiser=organiser)
        rep = await actors.user()
        sponsor = await make_sponsor(db, challenge, representative=rep)
        coach = await actors.user()
        for n in range(size):
            team = await make_team(db, challenge, coach=coach, name=f"T{n}")
            await make_project(db, team)
        async with await actors.client(rep) as page, await actors.api(rep) as api:
            with sql_statements(db) as sent:
                assert (await page.get(f"/sponsors/{sponsor.id}/projects")).status_code == 200
            with sql_statements(db) as sent_api:
                assert (await api.get(f"/api/v1/sponsors/{sponsor.id}/projects")).status_code == 200
        counts.append((len(sent), len(sent_api)))

    assert counts[0] == counts[1]
