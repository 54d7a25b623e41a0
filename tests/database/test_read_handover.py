"""A logged-in page's session lookup hands its read session to the page's first read
(app.db.Database.read): one connection per page, never a snapshot older than a write of the
same request, nothing held after the response starts; and the person is still looked up at
every request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select, update

from app.accounts.models import User, UserSession
from app.db import Database, utcnow
from tests.factories import Actors


@contextmanager
def checkouts(db: Database) -> Iterator[list[int]]:
    """How many connections were taken from the pool, and how many are out now."""
    seen = [0]
    pool = db.engine.sync_engine.pool

    def taken(*_args: Any) -> None:
        seen[0] += 1

    event.listen(pool, "checkout", taken)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", taken)


def checked_out(db: Database) -> int:
    return int(db.engine.sync_engine.pool.checkedout())  # type: ignore[attr-defined]


async def test_the_next_read_takes_the_handed_over_session_once(db: Database) -> None:
    with checkouts(db) as taken:
        async with db.handing_over():
            async with db.read(hand_over=True) as lookup:
                await lookup.scalar(select(func.count()).select_from(User))
            async with db.read() as page:
                assert page is lookup
                await page.scalar(select(func.count()).select_from(User))
            async with db.read() as later:
                assert later is not lookup
    assert taken[0] == 2
    assert checked_out(db) == 0


async def test_a_session_nobody_took_is_closed_at_the_end(db: Database) -> None:
    async with db.handing_over():
        async with db.read(hand_over=True) as lookup:
            await lookup.scalar(select(func.count()).select_from(User))
        assert checked_out(db) == 1
        await db.release_handed_over()  # the response starts
        assert checked_out(db) == 0
        async with db.read() as page:
            assert page is not lookup
    async with db.handing_over(), db.read(hand_over=True) as lookup:
        await lookup.scalar(select(func.count()).select_from(User))
    assert checked_out(db) == 0


async def test_a_read_after_a_write_sees_the_write(db: Database, actors: Actors) -> None:
    await actors.user("Before")
    async with db.handing_over():
        async with db.read(hand_over=True) as lookup:
            before = await lookup.scalar(select(func.count()).select_from(User))
        await actors.user("Written during the request")  # a transaction of the request
        async with db.read() as page:
            assert page is not lookup
            after = await page.scalar(select(func.count()).select_from(User))
    assert after == (before or 0) + 1
    assert checked_out(db) == 0


async def test_a_logged_in_page_uses_one_connection(db: Database, actors: Actors) -> None:
    person = await actors.user("Paola")
    http = await actors.client(person)
    with checkouts(db) as taken:
        page = await http.get("/account")
    assert page.status_code == 200
    assert "Paola" in page.text
    assert taken[0] == 1
    assert checked_out(db) == 0


async def test_an_ended_session_is_refused_at_the_next_page(db: Database, actors: Actors) -> None:
    person = await actors.user("Paola")
    http = await actors.client(person)
    assert (await http.get("/account")).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == person.id)  # type: ignore[arg-type]
            .values(revoked_at=utcnow())
        )

    page = await http.get("/account")
    assert page.status_code in (302, 303, 401)
    assert "Paola" not in page.text


async def test_an_expired_session_is_refused(db: Database, actors: Actors) -> None:
    person = await actors.user("Paola")
    http = await actors.client(person)
    assert (await http.get("/account")).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == person.id)  # type: ignore[arg-type]
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )

    page = await http.get("/account")
    assert page.status_code in (302, 303, 401)
    assert "Paola" not in page.text
