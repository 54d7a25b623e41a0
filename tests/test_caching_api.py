"""The JSON API's anonymous public reads come from the page cache as the pages do: with their
content type and headers, without SQL, afresh after any write (here or in another process),
never to or from a caller with a token, and never an answer made for one person."""

from __future__ import annotations

from httpx import ASGITransport, AsyncClient
from sqlalchemy import update
from starlette.applications import Starlette

from app.db import Database
from app.pagecache import GENERATION_KEY
from app.teams.models import Project
from app.teams.schemas import API_PAGE_SIZE
from app.web import services
from tests.factories import Actors, make_challenge, make_project, make_team
from tests.listings.rows import submitted_projects
from tests.queries import sql_statements


async def _project(db: Database, actors: Actors) -> Project:
    challenge = await make_challenge(db, title="Climathon Mantova")
    team = await make_team(db, challenge, coach=await actors.user())
    return await make_project(db, team, title="Sensori per orti")


async def test_api_answer_second_call_sends_no_sql_and_answers_304(
    db: Database, actors: Actors
) -> None:
    project = await _project(db, actors)
    url = f"/api/v1/challenges/{project.challenge_id}/projects"
    async with actors.anonymous() as first, actors.anonymous() as second:
        made = await first.get(url)
        with sql_statements(db) as sent:
            kept = await second.get(url)
            unchanged = await second.get(url, headers={"if-none-match": made.headers["etag"]})

    assert made.status_code == 200
    assert kept.status_code == 200
    assert kept.json() == made.json()
    assert [p["title"] for p in kept.json()] == ["Sensori per orti"]
    assert kept.headers["content-type"] == "application/json"
    assert kept.headers["x-total-count"] == "1"
    assert kept.headers["etag"] == made.headers["etag"]
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert sent == []


async def test_api_answer_after_a_write_shows_it(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    async with actors.anonymous() as http:
        before = await http.get(f"/api/v1/projects/{project.id}")
        async with db.transaction() as session:
            await session.execute(
                update(Project).where(Project.id == project.id).values(title="Orti")  # type: ignore[arg-type]
            )
        after = await http.get(
            f"/api/v1/projects/{project.id}", headers={"if-none-match": before.headers["etag"]}
        )

    assert before.json()["title"] == "Sensori per orti"
    assert after.status_code == 200
    assert after.json()["title"] == "Orti"


async def test_api_answer_after_another_process_wrote_is_made_afresh(
    db: Database, actors: Actors, other_process: Starlette
) -> None:
    await _project(db, actors)
    theirs = services(other_process)
    transport = ASGITransport(app=other_process)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        await http.get("/api/v1/challenges")
        with sql_statements(theirs.db) as cached:
            await http.get("/api/v1/challenges")
        assert theirs.redis is not None
        await theirs.redis.incr(GENERATION_KEY)  # what a commit in any other process does
        with sql_statements(theirs.db) as fresh:
            listed = await http.get("/api/v1/challenges")

    assert cached == []
    assert len(fresh) > 0
    assert [c["title"] for c in listed.json()] == ["Climathon Mantova"]


async def test_api_answer_made_by_one_process_is_served_by_another_with_its_headers(
    db: Database, actors: Actors, other_process: Starlette
) -> None:
    project = await _project(db, actors)
    url = f"/api/v1/challenges/{project.challenge_id}/projects"
    theirs = services(other_process)
    async with (
        actors.anonymous() as here,
        AsyncClient(transport=ASGITransport(app=other_process), base_url="http://t") as there,
    ):
        made = await here.get(url)
        await here.get(url, params={"page": 1})
        with sql_statements(theirs.db) as shared:
            taken = await there.get(url)
        with sql_statements(theirs.db) as not_shared:
            paged = await there.get(url, params={"page": 1})

    assert shared == []
    assert taken.content == made.content
    assert taken.headers["content-type"] == "application/json"
    assert taken.headers["x-total-count"] == "1"
    assert taken.headers["etag"] == made.headers["etag"]
    # Any ?page= up to 10,000 answers 200: such answers stay in their process, not in Redis.
    assert len(not_shared) > 0
    assert paged.json() == made.json()


async def test_token_caller_never_gets_nor_fills_a_kept_answer(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    draft = await make_challenge(db, organiser=organiser, title="Bozza", published=False)
    project = await _project(db, actors)
    async with await actors.api(organiser) as with_token, actors.anonymous() as anonymous:
        await anonymous.get(f"/api/v1/projects/{project.id}")
        with sql_statements(db) as sent:
            answered = await with_token.get(f"/api/v1/projects/{project.id}")
        own_draft = await with_token.get(f"/api/v1/challenges/{draft.id}")
        hidden = await anonymous.get(f"/api/v1/challenges/{draft.id}")

    assert answered.status_code == 200
    assert "etag" not in answered.headers
    assert len(sent) > 0
    assert own_draft.status_code == 200
    assert own_draft.json()["title"] == "Bozza"
    assert "etag" not in own_draft.headers
    assert hidden.status_code == 404


async def test_api_answer_other_than_200_is_not_kept(db: Database, actors: Actors) -> None:
    draft = await make_challenge(db, published=False)
    project = await _project(db, actors)
    gallery = f"/api/v1/challenges/{project.challenge_id}/projects"
    async with actors.anonymous() as http:
        await http.get(f"/api/v1/challenges/{draft.id}/projects")
        await http.get(gallery, params={"page": 0})
        with sql_statements(db) as sent:
            missing = await http.get(f"/api/v1/challenges/{draft.id}/projects")
        refused = await http.get(gallery, params={"page": 0})

    assert missing.status_code == 404
    assert "etag" not in missing.headers
    assert len(sent) > 0
    assert refused.status_code == 422
    assert "etag" not in refused.headers


async def test_kept_gallery_links_its_next_page_at_the_site_not_the_host_asked(
    db: Database, actors: Actors
) -> None:
    """Whoever asks first with a forged Host makes the answer everyone gets."""
    challenge = await make_challenge(db)
    await submitted_projects(db, actors, challenge, API_PAGE_SIZE + 1)
    url = f"/api/v1/challenges/{challenge.id}/projects"
    async with actors.anonymous() as attacker, actors.anonymous() as visitor:
        forged = await attacker.get(url, headers={"host": "evil.example"})
        with sql_statements(db) as sent:
            kept = await visitor.get(url)

    assert forged.links["next"]["url"] == f"http://testserver{url}?page=2"
    assert kept.links["next"]["url"] == f"http://testserver{url}?page=2"
    assert sent == []
    assert kept.headers["content-encoding"] == "gzip"
    assert len(kept.json()) == API_PAGE_SIZE
