from __future__ import annotations

from sqlalchemy import select
from starlette.applications import Starlette

from app.challenges import tasks
from app.challenges.models import Challenge
from app.db import Database
from app.events.models import OutboxEvent
from tests.challenges.windows import set_windows
from tests.factories import make_challenge, run_jobs


async def _phase_events(db: Database) -> list[OutboxEvent]:
    async with db.read() as session:
        result = await session.execute(
            select(OutboxEvent)
            .where(OutboxEvent.type == "PhaseStarted")
            .order_by(OutboxEvent.created_at)
        )
        return list(result.scalars())


async def test_announce_phases_emits_once_per_change(app: Starlette, db: Database) -> None:
    challenge = await make_challenge(db)
    await set_windows(db, challenge, registration=(-1, 1), submission=(2, 5))
    await make_challenge(db, published=False)  # drafts are not announced

    first = await tasks.announce_phases({"db": db})
    again = await tasks.announce_phases({"db": db})

    assert (first, again) == (1, 0)
    events = await _phase_events(db)
    assert [(e.challenge_id, e.payload) for e in events] == [
        (challenge.id, {"phase": "registration"})
    ]
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.announced_phase == "registration"


async def test_announce_phases_follows_the_clock_to_the_end(db: Database) -> None:
    challenge = await make_challenge(db)
    await set_windows(db, challenge, registration=(-1, 1))
    await tasks.announce_phases({"db": db})

    await set_windows(db, challenge, registration=(-3, -2), submission=(-1, 1))
    await tasks.announce_phases({"db": db})
    await set_windows(db, challenge, registration=(-3, -2), submission=(-2, -1))
    await tasks.announce_phases({"db": db})

    assert [e.payload["phase"] for e in await _phase_events(db)] == [
        "registration",
        "submission",
        "closed",
    ]


async def test_phase_events_are_dispatched_by_the_worker(app: Starlette, db: Database) -> None:
    challenge = await make_challenge(db)
    await set_windows(db, challenge, judging=(-1, 1))
    await tasks.announce_phases({"db": db})

    await run_jobs(app)

    events = await _phase_events(db)
    assert len(events) == 1 and events[0].dispatched_at is not None


def test_cron_is_registered_every_minute() -> None:
    [job] = tasks.cron_jobs

    assert job.name == "challenges.announce_phases"
    assert job.second == {0} and job.minute is None
