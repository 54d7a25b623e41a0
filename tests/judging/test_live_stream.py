"""The live results stream over a real server (`madrina serve` in a child process), pushed by a
judge's submission through the real outbox, worker and Redis pub/sub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import from_url
from sqlalchemy import select, text
from starlette.applications import Starlette

from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import Role, RoleKind, User
from app.config import Settings
from app.db import Database
from app.judging import live
from app.judging.models import Assignment, Criterion, Round
from tests.badinput.server import ServeProcess
from tests.factories import Actors, csrf_from, make_round, run_jobs
from tests.judging.conftest import Jury
from tests.judging.test_live_votes import open_vote

HEARTBEAT = 0.5


@pytest.fixture(scope="module")
def served(migrated: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    log = tmp_path_factory.mktemp("live") / "serve.log"
    server = ServeProcess(migrated, log, LIVE_HEARTBEAT_SECONDS=str(HEARTBEAT))
    try:
        yield server.start()
    finally:
        server.stop()


@dataclass
class Event:
    name: str
    data: str


async def _events(response: httpx.Response) -> AsyncIterator[Event]:
    """The server-sent events of a stream (comments, such as heartbeats, left out)."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield Event(name, "\n".join(data))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").removeprefix(" "))


async def _next(events: AsyncIterator[Event], within: float = 15) -> Event:
    return await asyncio.wait_for(anext(events), within)


async def _browser(db: Database, served: ServeProcess, user: User) -> httpx.AsyncClient:
    """A browser logged in as the user, talking to the real server, in English."""
    async with db.transaction() as session:
        token = await accounts_service.start_session(session, user=user, days=1)
    return httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{served.port}",
        cookies={SESSION_COOKIE: token, "madrina_lang": "en"},
        timeout=15,
    )


async def _subscribers(settings: Settings, challenge_id: int) -> int:
    redis = from_url(settings.redis_url)
    try:
        [(_name, count)] = await redis.pubsub_numsub(live.channel(settings, challenge_id))
        return int(count)
    finally:
        await redis.aclose()


async def _first_sheet(db: Database, judging_round: Round, judge: User) -> tuple[int, list[int]]:
    async with db.read() as session:
        assignment = (
            await session.execute(
                select(Assignment.id)
                .where(Assignment.round_id == judging_round.id, Assignment.judge_id == judge.id)
                .order_by(Assignment.id)
                .limit(1)
            )
        ).scalar_one()
        criteria = (
            await session.execute(
                select(Criterion.id).where(Criterion.rubric_id == judging_round.rubric_id)
            )
        ).scalars()
        return assignment, [c for c in criteria if c is not None]


async def _idle_in_transaction(db: Database) -> int:
    """Connections to the database that sit in a transaction doing nothing (PostgreSQL; on
    SQLite, whose connections live in each process, 0)."""
    if db.settings.is_sqlite:
        return 0
    async with db.read() as session:
        found = await session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        )
        return int(found.scalar_one())


def _stream(http: httpx.AsyncClient, judging_round: Round) -> Any:
    return http.stream(
        "GET",
        f"/rounds/{judging_round.id}/live/stream",
        headers={"accept": "text/event-stream"},
    )


async def test_stream_pushes_the_board_when_a_judge_submits_through_the_worker(
    served: ServeProcess, app: Starlette, db: Database, jury: Jury, migrated: Settings
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    assignment_id, criteria = await _first_sheet(db, judging_round, jury.judges[0])
    organiser = await _browser(db, served, jury.organiser)
    judge = await _browser(db, served, jury.judges[0])

    async with organiser, judge, _stream(organiser, judging_round) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = _events(stream)
        first = await _next(events)
        waiting_in_transaction = await _idle_in_transaction(db)
        sheet = await judge.get(f"/judging/assignments/{assignment_id}")
        posted = await judge.post(
            f"/judging/assignments/{assignment_id}",
            data={"csrf_token": csrf_from(sheet.text), **{f"criterion-{c}": "4" for c in criteria}},
        )
        await run_jobs(app)  # a real worker dispatches ScoreSubmitted: its handler publishes
        pushed = await _next(events)
        listening = await _subscribers(migrated, jury.cid)

    assert first.name == "update" and "0 of 9 score sheets submitted" in first.data
    assert posted.status_code == 303
    assert pushed.name == "update" and "1 of 9 score sheets submitted" in pushed.data
    leader = 'Project 0<br><span class="muted">Team 0</span></th>\n              <td>4</td>'
    assert leader in pushed.data
    assert listening == 1
    assert waiting_in_transaction == 0  # no database session is held while the stream waits
    # The browser went away: the server gives its Redis subscription back.
    for _ in range(50):
        if await _subscribers(migrated, jury.cid) == 0:
            break
        await asyncio.sleep(0.1)
    assert await _subscribers(migrated, jury.cid) == 0


async def test_stream_pushes_the_peoples_count_when_a_vote_counts_through_the_worker(
    served: ServeProcess, app: Starlette, db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await open_vote(db, jury)
    rid = judging_round.id or 0
    voter = await actors.user("Vera Voter")  # a confirmed address: the vote counts at once
    organiser = await _browser(db, served, jury.organiser)
    browser = await _browser(db, served, voter)

    async with organiser, browser, _stream(organiser, judging_round) as stream:
        events = _events(stream)
        first = await _next(events)
        ballot = await browser.get(f"/rounds/{rid}/vote")
        posted = await browser.post(
            f"/rounds/{rid}/vote",
            data={"csrf_token": csrf_from(ballot.text), "project_id": str(jury.projects[2].id)},
        )
        await run_jobs(app)  # a real worker dispatches PublicVotesChanged: its handler publishes
        pushed = await _next(events)

    assert first.name == "update" and "0 votes counted" in first.data
    assert "No vote counted yet." in first.data
    assert posted.status_code == 303
    assert pushed.name == "update" and "1 vote counted" in pushed.data
    leader = 'Project 2<br><span class="muted">Team 2</span></th>\n            <td>1</td>'
    assert leader in pushed.data


async def test_removed_organisers_stream_is_closed_at_the_next_heartbeat(
    served: ServeProcess, app: Starlette, db: Database, actors: Actors, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    colleague = await actors.user("Carla Co-organiser")
    await actors.grant(colleague, jury.cid, RoleKind.ORGANISER)
    browser = await _browser(db, served, colleague)

    async with browser, _stream(browser, judging_round) as stream:
        events = _events(stream)
        first = await _next(events)
        async with db.transaction() as session:
            role = (
                await session.execute(
                    select(Role).where(Role.user_id == colleague.id, Role.challenge_id == jury.cid)
                )
            ).scalar_one()
            await accounts_service.revoke_role(
                session, role_id=role.id or 0, challenge_id=jury.cid, actor_id=jury.organiser.id
            )
        closed = await _next(events, within=HEARTBEAT * 10)
        after = [event async for event in events]  # the server ended the stream
        again = await browser.get(f"/rounds/{judging_round.id}/live/stream")

    assert first.name == "update"
    assert closed == Event("closed", "You may no longer watch this round.")
    assert after == []
    assert again.status_code == 403


async def test_stream_of_an_organiser_who_logged_out_is_closed(
    served: ServeProcess, app: Starlette, db: Database, jury: Jury
) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    browser = await _browser(db, served, jury.organiser)
    other_tab = await _browser(db, served, jury.organiser)
    other_tab.cookies.set(SESSION_COOKIE, browser.cookies[SESSION_COOKIE])

    async with browser, other_tab, _stream(browser, judging_round) as stream:
        events = _events(stream)
        first = await _next(events)
        page = await other_tab.get("/account")
        logged_out = await other_tab.post("/logout", data={"csrf_token": csrf_from(page.text)})
        closed = await _next(events, within=HEARTBEAT * 10)

    assert first.name == "update"
    assert logged_out.status_code == 303
    assert closed == Event("closed", "You may no longer watch this round.")
