"""Anonymous public pages come from memory with an ETag, are dropped by any write (here or
in another process, through Redis), and are never given to, or made from, a logged-in
person; answers are gzipped unless they hold a CSRF secret; static files have hashed names."""

from __future__ import annotations

import re

from httpx import ASGITransport, AsyncClient
from sqlalchemy import update
from starlette.applications import Starlette

from app.challenges.models import Challenge
from app.db import Database
from app.middleware import CSRF_COOKIE
from app.pagecache import GENERATION_KEY
from app.teams.models import Project
from app.web import services
from tests.factories import Actors, csrf_from, make_challenge, make_project, make_team
from tests.judging.voting_world import visitor, vote_world
from tests.queries import sql_statements


async def _project(db: Database, actors: Actors) -> Project:
    challenge = await make_challenge(db, title="Climathon Mantova")
    team = await make_team(db, challenge, coach=await actors.user())
    return await make_project(db, team, title="Sensori per orti")


async def test_public_page_second_visit_sends_no_sql_and_answers_304(
    db: Database, actors: Actors
) -> None:
    project = await _project(db, actors)
    async with actors.anonymous() as first, actors.anonymous() as second:
        page = await first.get(f"/projects/{project.id}")
        with sql_statements(db) as sent:
            again = await second.get(f"/projects/{project.id}")
            unchanged = await second.get(
                f"/projects/{project.id}", headers={"if-none-match": page.headers["etag"]}
            )

    assert page.status_code == 200
    assert again.status_code == 200
    assert again.text == page.text
    assert again.headers["etag"] == page.headers["etag"]
    assert again.headers["cache-control"] == "private, no-cache"
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert sent == []


async def test_public_page_after_a_write_shows_it(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    async with actors.anonymous() as http:
        before = await http.get(f"/challenges/{project.challenge_id}")
        async with db.transaction() as session:
            await session.execute(
                update(Challenge)
                .where(Challenge.id == project.challenge_id)  # type: ignore[arg-type]
                .values(title="Climathon Suzzara")
            )
        after = await http.get(
            f"/challenges/{project.challenge_id}", headers={"if-none-match": before.headers["etag"]}
        )

    assert "Climathon Mantova" in before.text
    assert after.status_code == 200
    assert "Climathon Suzzara" in after.text


async def test_public_page_after_another_process_wrote_shows_it(
    db: Database, actors: Actors, other_process: Starlette
) -> None:
    project = await _project(db, actors)
    transport = ASGITransport(app=other_process)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        theirs = services(other_process)
        await http.get(f"/projects/{project.id}")
        with sql_statements(theirs.db) as cached:
            await http.get(f"/projects/{project.id}")
        assert theirs.redis is not None
        await theirs.redis.incr(GENERATION_KEY)  # what a commit in any other process does
        with sql_statements(theirs.db) as fresh:
            page = await http.get(f"/projects/{project.id}")

    assert cached == []
    assert len(fresh) == 2
    assert "Sensori per orti" in page.text


async def test_logged_in_person_never_gets_the_cached_page(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    person = await actors.user("Giulia Bianchi")
    async with actors.anonymous() as anonymous, await actors.client(person) as logged_in:
        await anonymous.get(f"/projects/{project.id}")
        with sql_statements(db) as sent:
            page = await logged_in.get(f"/projects/{project.id}")

    assert page.status_code == 200
    assert "Giulia Bianchi" in page.text
    assert "etag" not in page.headers
    assert len(sent) > 0


async def test_logged_in_page_is_never_given_to_anyone_else(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    person = await actors.user("Giulia Bianchi")
    async with await actors.client(person) as logged_in, actors.anonymous() as anonymous:
        mine = await logged_in.get(f"/projects/{project.id}")
        theirs = await anonymous.get(f"/projects/{project.id}")

    assert "Giulia Bianchi" in mine.text
    assert "Giulia Bianchi" not in theirs.text
    assert "Log out" not in theirs.text and "Esci" not in theirs.text


async def test_cached_page_holds_no_browser_secret(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    async with actors.anonymous() as first, actors.anonymous() as second:
        one = await first.get(f"/projects/{project.id}")
        two = await second.get(f"/projects/{project.id}")
        cookies = [first.cookies[CSRF_COOKIE], second.cookies[CSRF_COOKIE]]

    assert cookies[0] != cookies[1]
    assert two.text == one.text
    assert not any(cookie in one.text for cookie in cookies)
    assert 'name="csrf_token"' not in one.text


async def test_page_without_the_session_it_names_is_not_cached(
    db: Database, actors: Actors
) -> None:
    """A browser with an expired or unknown session cookie is answered afresh, not cached."""
    project = await _project(db, actors)
    async with actors.anonymous() as http:
        http.cookies.set("madrina_session", "not-a-session")
        await http.get(f"/projects/{project.id}")
        with sql_statements(db) as sent:
            page = await http.get(f"/projects/{project.id}")

    assert page.status_code == 200
    assert "etag" not in page.headers
    assert len(sent) > 0


async def test_large_page_is_gzipped_for_browsers_that_accept_it(
    db: Database, actors: Actors
) -> None:
    project = await _project(db, actors)
    async with actors.anonymous() as http:
        response = await http.get(f"/challenges/{project.challenge_id}/calendar.ics")
        page = await http.get(f"/challenges/{project.challenge_id}")
        plain = await http.get(
            f"/challenges/{project.challenge_id}", headers={"accept-encoding": "identity"}
        )

    assert response.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert page.text == plain.text


async def test_page_holding_a_form_token_is_not_compressed(actors: Actors) -> None:
    """BREACH: a page with this browser's CSRF token and reflected input stays plain."""
    async with actors.anonymous() as http:
        page = await http.get("/login?next=/challenges")

    assert 'name="csrf_token"' in page.text
    assert "content-encoding" not in page.headers


async def test_static_files_have_hashed_names_cached_for_a_year(actors: Actors) -> None:
    async with actors.anonymous() as http:
        home = await http.get("/")
        found = re.search(r'href="(/static/madrina\.[0-9a-f]{12}\.css)"', home.text)
        assert found, "the stylesheet is linked by its hashed name"
        hashed = await http.get(found.group(1), headers={"accept-encoding": "gzip"})
        plain = await http.get("/static/madrina.css")
        again = await http.get(
            "/static/madrina.css", headers={"if-none-match": plain.headers["etag"]}
        )
        missing = await http.get("/static/madrina.0123456789ab.css")

    assert hashed.status_code == 200
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert hashed.headers["content-encoding"] == "gzip"
    assert hashed.headers["content-type"] == "text/css; charset=utf-8"
    assert plain.headers["cache-control"] == "no-cache"
    assert plain.content == hashed.content
    assert again.status_code == 304
    assert missing.status_code == 404


async def test_committed_write_bumps_the_shared_generation(
    app: Starlette, db: Database, actors: Actors
) -> None:
    project = await _project(db, actors)
    redis = services(app).redis
    assert redis is not None
    before = int(await redis.get(GENERATION_KEY) or 0)
    async with db.transaction() as session:
        await session.execute(
            update(Project).where(Project.id == project.id).values(title="Orti")  # type: ignore[arg-type]
        )
    after = int(await redis.get(GENERATION_KEY) or 0)

    assert after == before + 1


async def test_reading_pages_leaves_the_generation_alone(
    app: Starlette, db: Database, actors: Actors
) -> None:
    """A page view that wrote (a session touched, a counter) would empty every cache."""
    project = await _project(db, actors)
    person = await actors.user()
    redis = services(app).redis
    assert redis is not None
    async with await actors.client(person) as logged_in, actors.anonymous() as anonymous:
        before = await redis.get(GENERATION_KEY)
        for path in ("/", f"/challenges/{project.challenge_id}", f"/projects/{project.id}"):
            assert (await logged_in.get(path)).status_code == 200
            assert (await anonymous.get(path)).status_code == 200
        after = await redis.get(GENERATION_KEY)

    assert after == before


async def test_page_made_by_one_process_is_served_by_another_from_redis(
    db: Database, actors: Actors, other_process: Starlette
) -> None:
    project = await _project(db, actors)
    theirs = services(other_process)
    async with (
        actors.anonymous() as here,
        AsyncClient(transport=ASGITransport(app=other_process), base_url="http://t") as there,
    ):
        made = await here.get(f"/projects/{project.id}")
        with sql_statements(theirs.db) as sent:
            taken = await there.get(f"/projects/{project.id}")

    assert sent == []
    assert taken.text == made.text
    assert taken.headers["etag"] == made.headers["etag"]


async def test_a_kept_form_page_gives_each_browser_its_own_token(
    app: Starlette, db: Database, actors: Actors
) -> None:
    """The people's ballot is kept without a token; every browser gets the page with its
    own (so its vote is accepted), never compressed, with its own ETag."""
    world = await vote_world(db, actors)
    path = f"/rounds/{world.rid}/vote"
    gzip_ok = {"accept-encoding": "gzip"}
    async with visitor(app) as first, visitor(app) as second:
        mine = await first.get(path, headers=gzip_ok)
        with sql_statements(db) as sent:
            theirs = await second.get(path, headers=gzip_ok)
            not_mine = await second.get(path, headers={"if-none-match": mine.headers["etag"]})
            unchanged = await second.get(path, headers={"if-none-match": theirs.headers["etag"]})
        tokens = [csrf_from(mine.text), csrf_from(theirs.text)]
        voted = await second.post(
            path,
            data={"csrf_token": tokens[1], "project_id": str(world.pid(1)), "email": "a@x.it"},
        )
    redis = services(app).redis
    assert redis is not None
    shared = [await redis.get(key) async for key in redis.scan_iter(match="madrina:answers:*")]

    assert sent == []
    assert tokens[0] != tokens[1]
    assert mine.text.replace(tokens[0], tokens[1]) == theirs.text
    assert "content-encoding" not in theirs.headers
    assert mine.headers["etag"] != theirs.headers["etag"]
    assert not_mine.status_code == 200 and unchanged.status_code == 304
    assert voted.status_code == 303  # the token put back is the one its cookie makes
    assert shared and not any(token.encode() in page for page in shared for token in tokens)
