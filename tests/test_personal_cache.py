"""A logged-in person's most opened pages are kept for their browser only, and only until
the next write anywhere (in this process or another, seen at once through Redis), the end
of the login or the cache's age; without Redis nothing is kept (app.personalcache)."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from app import jobs
from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import RoleKind, UserSession
from app.accounts.queries import token_hash
from app.db import Database, utcnow
from app.pagecache import GENERATION_KEY
from app.personalcache import SESSION_ENDS, PersonalPageCache
from app.teams.models import Project
from app.web import services
from tests.factories import Actors, make_challenge, make_project, make_team
from tests.queries import sql_statements


async def _project(db: Database, actors: Actors) -> Project:
    challenge = await make_challenge(db, title="Climathon Mantova")
    team = await make_team(db, challenge, coach=await actors.user())
    return await make_project(db, team, title="Sensori per orti")


async def _kept(http: AsyncClient, path: str) -> Response:
    """The page as a browser sees it the second time (the first visit gave it its CSRF
    cookie, the second is made and kept)."""
    await http.get(path)
    return await http.get(path)


def _without_date(page: Response) -> list[tuple[str, str]]:
    return [(k, v) for k, v in page.headers.multi_items() if k != "date"]


async def test_second_visit_of_the_same_browser_sends_no_sql(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    judge = await actors.user("Giulia Bianchi")
    await actors.grant(judge, project.challenge_id, RoleKind.JUDGE)
    async with await actors.client(judge) as http:
        made = await _kept(http, "/judging")
        with sql_statements(db) as sent:
            again = await http.get("/judging")

    assert made.status_code == again.status_code == 200
    assert again.text == made.text
    assert "Giulia Bianchi" in again.text
    assert _without_date(again) == _without_date(made)  # the outer layers' headers once
    assert sent == []


async def test_kept_page_is_given_to_no_other_browser(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    giulia, marco = await actors.user("Giulia Bianchi"), await actors.user("Marco Rossi")
    path = f"/projects/{project.id}"
    async with (
        await actors.client(giulia) as mine,
        await actors.client(giulia) as my_phone,
        await actors.client(marco) as his,
    ):
        await _kept(mine, path)
        with sql_statements(db) as sent:
            phone = await my_phone.get(path)  # same person, another login: made for it
            other = await his.get(path)

    assert "Giulia Bianchi" in phone.text
    assert "Marco Rossi" in other.text and "Giulia Bianchi" not in other.text
    assert len(sent) >= 4  # both looked up and made


async def test_a_write_anywhere_drops_the_kept_page(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    person = await actors.user()
    path = f"/projects/{project.id}"
    async with await actors.client(person) as http:
        await _kept(http, path)
        async with db.transaction() as session:
            await session.execute(
                update(Project).where(Project.id == project.id).values(title="Orti sensibili")  # type: ignore[arg-type]
            )
        with sql_statements(db) as sent:
            page = await http.get(path)

    assert "Orti sensibili" in page.text
    assert len(sent) > 0


async def test_another_process_write_is_seen_at_the_next_page(
    db: Database, actors: Actors, other_process: Starlette
) -> None:
    project = await _project(db, actors)
    person = await actors.user()
    theirs = services(other_process)
    async with await actors.client(person) as mine:
        cookies = dict(mine.cookies)
    transport = ASGITransport(app=other_process)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        http.cookies.update(cookies)
        await _kept(http, f"/projects/{project.id}")
        assert theirs.redis is not None
        await theirs.redis.incr(GENERATION_KEY)  # a commit in any other process does this
        with sql_statements(theirs.db) as fresh:
            await http.get(f"/projects/{project.id}")

    assert len(fresh) > 0  # not a second later, as for anonymous pages: at once


async def test_an_ended_login_is_not_served_its_kept_page(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    person = await actors.user("Giulia Bianchi")
    path = f"/projects/{project.id}"
    async with await actors.client(person) as http:
        await _kept(http, path)
        async with db.transaction() as session:  # logged out on another device
            await session.execute(
                update(UserSession)
                .where(UserSession.token_hash == token_hash(http.cookies[SESSION_COOKIE]))  # type: ignore[arg-type]
                .values(revoked_at=utcnow())
            )
        page = await http.get(path)

    assert page.status_code == 200
    assert "Giulia Bianchi" not in page.text


async def test_a_login_that_ends_by_its_date_is_not_served_its_kept_page(
    db: Database, actors: Actors
) -> None:
    project = await _project(db, actors)
    person = await actors.user("Giulia Bianchi")
    path = f"/projects/{project.id}"
    async with db.transaction() as session:
        token = await accounts_service.start_session(session, user=person, days=1)
        await session.execute(
            update(UserSession)
            .where(UserSession.token_hash == token_hash(token))  # type: ignore[arg-type]
            .values(expires_at=utcnow() + timedelta(seconds=1.5))
        )
    async with actors.anonymous() as http:
        http.cookies.set(SESSION_COOKIE, token)
        kept = await _kept(http, path)
        await asyncio.sleep(1.6)  # no write: only the login's date has passed
        page = await http.get(path)

    assert "Giulia Bianchi" in kept.text
    assert "Giulia Bianchi" not in page.text


async def test_nothing_is_kept_without_redis(db: Database, actors: Actors) -> None:
    project = await _project(db, actors)
    person = await actors.user()
    pool = jobs.get_pool()
    async with await actors.client(person) as http:
        jobs.set_pool(None)
        try:
            await _kept(http, f"/projects/{project.id}")
            with sql_statements(db) as sent:
                await http.get(f"/projects/{project.id}")
        finally:
            jobs.set_pool(pool)

    assert len(sent) > 0


async def test_pages_not_listed_are_made_each_time(db: Database, actors: Actors) -> None:
    person = await actors.user()
    async with await actors.client(person) as http:
        await _kept(http, "/account")
        with sql_statements(db) as sent:
            page = await http.get("/account")

    assert page.status_code == 200
    assert len(sent) > 0


async def test_kept_pages_stay_within_their_budget(app: Starlette) -> None:
    """The least recently used page goes when the pages kept pass the byte budget."""

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"].update(user="someone", **{SESSION_ENDS: time.time() + 60})
        await HTMLResponse("x" * 100)(scope, receive, send)

    cache = PersonalPageCache(
        page,
        paths=[re.compile("^/p/")],
        session_cookie="s",
        csrf_cookie="c",
        max_age=30,
        max_total_bytes=250,
        max_bytes=200,
    )

    async def localised(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"] = {"locale": "it"}  # as app.middleware.LocaleAndCsrf leaves it
        await cache(scope, receive, send)

    async with AsyncClient(transport=ASGITransport(app=localised), base_url="http://t") as http:
        http.cookies.update({"s": "login", "c": "csrf"})
        for path in ("/p/1", "/p/2", "/p/1", "/p/3"):
            await http.get(path)

    assert [key[1] for key in cache.entries] == ["/p/1", "/p/3"]
    assert cache.kept_bytes == 200
