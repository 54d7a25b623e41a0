"""A people's-choice vote stays one vote per address when everything happens at once: one
link confirmed from many tabs counts once, one address voting from many tabs makes one
ballot (PostgreSQL: truly at once, the row locks and the unique constraint decide; SQLite
serialises writers, so there the same tests show the sequential behaviour)."""

from __future__ import annotations

import asyncio
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from httpx import Response
from sqlalchemy import func, select
from sqlmodel import col
from starlette.applications import Starlette

from app.db import Database
from app.events.models import AuditEntry, OutboxEvent
from app.judging import live
from app.judging.mails import confirm_link
from tests.factories import Actors
from tests.judging.voting_world import ballots, visitor, vote_world

AT_ONCE = 10
TABS = 5  # one address may vote 5 times an hour


async def _confirmed(db: Database) -> int:
    async with db.read() as session:
        query = (
            select(func.count())
            .select_from(AuditEntry)
            .where(col(AuditEntry.action) == "public_vote.confirmed")
        )
        return int((await session.execute(query)).scalar_one())


async def test_one_link_confirmed_from_many_tabs_at_once_counts_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    async with actors.anonymous() as http:
        await http.post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={"project_id": world.pid(1), "email": "anna@example.org"},
        )
    [ballot] = await ballots(db, world.rid)
    link = confirm_link(app.state.settings, ballot)
    token = parse_qs(urlsplit(link).query)["token"][0]
    clients = [visitor(app) for _ in range(AT_ONCE)]

    async def confirm(n: int) -> Response:
        return await clients[n].post("/api/v1/votes/confirm", json={"token": token})

    responses = await asyncio.gather(*(confirm(n) for n in range(AT_ONCE)))
    for http in clients:
        await http.aclose()

    assert Counter(r.status_code for r in responses) == Counter({200: 1, 409: AT_ONCE - 1})
    refused = next(r for r in responses if r.status_code == 409)
    assert refused.json()["error"]["code"] == "vote_link_not_valid"
    assert [(b.project_id, b.pending_project_id) for b in await ballots(db, world.rid)] == [
        (world.pid(1), None)
    ]
    assert await _confirmed(db) == 1
    assert await _told_screens(db) == 1  # only the confirmation that counted tells them


async def _told_screens(db: Database) -> int:
    async with db.read() as session:
        query = (
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.type) == "PublicVotesChanged")
        )
        return int((await session.execute(query)).scalar_one())


async def test_many_voters_at_once_make_the_live_count_exact(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    voters = [await actors.user(f"Voter {n}") for n in range(AT_ONCE)]
    clients = [await actors.api(voter) for voter in voters]

    async def cast(n: int) -> Response:
        return await clients[n].post(
            f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(n % 3)}
        )

    responses = await asyncio.gather(*(cast(n) for n in range(AT_ONCE)))
    for http in clients:
        await http.aclose()
    board = await live.snapshot(db, user=world.organiser, round_id=world.rid)

    assert Counter(r.status_code for r in responses) == Counter({200: AT_ONCE})
    assert board.leaderboard is not None
    counted = {row.project_id: row.evidence for row in board.leaderboard.rows}
    assert counted == {world.pid(0): 4, world.pid(1): 3, world.pid(2): 3}
    assert [row.rank for row in board.leaderboard.rows] == [1, 2, 2]
    assert await _told_screens(db) == AT_ONCE


async def test_one_visitor_voting_from_several_tabs_at_once_makes_one_ballot(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    clients = [visitor(app) for _ in range(TABS)]

    async def cast(n: int) -> Response:
        return await clients[n].post(
            f"/api/v1/rounds/{world.rid}/votes",
            json={
                "project_id": world.pid(n % 3),
                "email": "Tab@Example.org" if n else "tab@example.org",
            },
        )

    responses = await asyncio.gather(*(cast(n) for n in range(TABS)))
    for http in clients:
        await http.aclose()

    assert [r.status_code for r in responses] == [200] * TABS
    [ballot] = await ballots(db, world.rid)
    assert ballot.email == "tab@example.org" and ballot.project_id is None


async def test_one_account_voting_from_several_tabs_at_once_counts_once(
    db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    voter = await actors.user()
    clients = [await actors.api(voter) for _ in range(TABS)]

    async def cast(n: int) -> Response:
        return await clients[n].post(
            f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(n % 3)}
        )

    responses = await asyncio.gather(*(cast(n) for n in range(TABS)))
    for http in clients:
        await http.aclose()

    assert [r.json()["status"] for r in responses] == ["counted"] * TABS
    [ballot] = await ballots(db, world.rid)
    assert ballot.project_id in {world.pid(n) for n in range(3)}
    async with await actors.api(world.organiser) as http:
        tally = (await http.get(f"/api/v1/rounds/{world.rid}/votes")).json()
    assert tally["counted"] == 1


async def test_votes_cast_while_the_round_closes_are_counted_before_or_refused_after(
    app: Starlette, db: Database, actors: Actors
) -> None:
    world = await vote_world(db, actors)
    voters = [await actors.user() for _ in range(AT_ONCE)]
    clients = [await actors.api(v) for v in voters]
    organiser = await actors.api(world.organiser)

    async def cast(n: int) -> Response:
        return await clients[n].post(
            f"/api/v1/rounds/{world.rid}/votes", json={"project_id": world.pid(0)}
        )

    *votes, closed = await asyncio.gather(
        *(cast(n) for n in range(AT_ONCE)), organiser.post(f"/api/v1/rounds/{world.rid}/close")
    )
    for http in [*clients, organiser]:
        await http.aclose()

    assert closed.status_code == 200
    accepted = sum(r.status_code == 200 for r in votes)
    assert Counter(r.status_code for r in votes) == Counter(
        {200: accepted, 409: AT_ONCE - accepted}
    )
    assert len(await ballots(db, world.rid)) == accepted
