"""A round's dates racing its organisers: the cron job opening (or closing) a round while
organisers click "open" (or "close") at the same moment makes exactly one transition, with
one audit entry and one event, and nobody gets a server error. On PostgreSQL truly at once
(the round's row lock decides); SQLite serialises writers."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from app.accounts.models import User
from app.db import Database, utcnow
from app.judging import schedule, tasks
from app.judging.models import Round, RoundStatus
from tests.concurrency.test_transitions import AT_ONCE, _actions, _clients, _events
from tests.factories import Actors, make_challenge, make_project, make_round, make_team

HALF = AT_ONCE // 2


async def _due_round(db: Database, actors: Actors, status: RoundStatus) -> tuple[Round, User]:
    organiser, coach, judge = await actors.user(), await actors.user(), await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    project = await make_project(db, await make_team(db, challenge, coach=coach))
    judging_round = await make_round(
        db, challenge, judges=[judge], projects=[project], status=status
    )
    async with db.transaction() as session:
        stored = await session.get(Round, judging_round.id)
        assert stored is not None
        past = utcnow() - timedelta(seconds=1)
        if status == RoundStatus.DRAFT:
            stored.opens_at = past
        else:
            stored.closes_at = past
    return judging_round, organiser


async def _by_date(db: Database, round_id: int) -> schedule.Moved:
    async with db.transaction() as session:
        return await schedule.advance_round(session, round_id=round_id)


async def test_opening_by_date_racing_opening_by_hand_opens_once(
    db: Database, actors: Actors
) -> None:
    judging_round, organiser = await _due_round(db, actors, RoundStatus.DRAFT)
    clients = await _clients(actors, organiser, HALF)
    path = f"/api/v1/rounds/{judging_round.id}/open"

    hand, dated = await asyncio.gather(
        asyncio.gather(*(clients[n].post(path) for n in range(HALF))),
        asyncio.gather(*(_by_date(db, judging_round.id or 0) for _ in range(HALF))),
    )

    assert Counter(r.status_code for r in hand) == Counter({200: HALF})
    assert set(dated) <= {schedule.Moved.OPENED, schedule.Moved.NOTHING}
    assert (await _actions(db, "round.opened"), await _events(db, "RoundOpened")) == (1, 1)


async def test_closing_by_date_racing_closing_by_hand_closes_once(
    db: Database, actors: Actors
) -> None:
    judging_round, organiser = await _due_round(db, actors, RoundStatus.OPEN)
    clients = await _clients(actors, organiser, HALF)
    path = f"/api/v1/rounds/{judging_round.id}/close"

    hand, dated = await asyncio.gather(
        asyncio.gather(*(clients[n].post(path) for n in range(HALF))),
        asyncio.gather(*(_by_date(db, judging_round.id or 0) for _ in range(HALF))),
    )

    assert Counter(r.status_code for r in hand) == Counter({200: HALF})
    assert set(dated) <= {schedule.Moved.CLOSED, schedule.Moved.NOTHING}
    assert (await _actions(db, "round.closed"), await _events(db, "RoundClosed")) == (1, 1)


async def test_many_cron_runs_at_once_open_once(db: Database, actors: Actors) -> None:
    judging_round, _organiser = await _due_round(db, actors, RoundStatus.DRAFT)

    runs = await asyncio.gather(*(tasks.advance_rounds({"db": db}) for _ in range(HALF)))

    assert sum(run.get("opened", 0) for run in runs) == 1
    assert (await _actions(db, "round.opened"), await _events(db, "RoundOpened")) == (1, 1)
    async with db.read() as session:
        stored = await session.get(Round, judging_round.id)
    assert stored is not None and stored.status == RoundStatus.OPEN
