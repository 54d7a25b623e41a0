"""Rounds that open and close by themselves at their dates (the cron job, run for real)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from starlette.applications import Starlette

from app.db import Database, utcnow
from app.events.models import AuditEntry
from app.judging import schedule, service, tasks
from app.judging.models import Round, RoundStatus
from app.notifications.models import Notification
from tests.factories import make_round, run_jobs
from tests.judging.conftest import Jury, draft_round, events
from workers.main import worker_options


async def _dates(db: Database, round_id: int | None, **dates: object) -> None:
    async with db.transaction() as session:
        stored = await session.get(Round, round_id)
        assert stored is not None
        for name, value in dates.items():
            setattr(stored, name, value)


async def _stored(db: Database, round_id: int | None) -> Round:
    async with db.read() as session:
        found = await session.get(Round, round_id)
    assert found is not None
    return found


async def _audit(db: Database, action: str) -> list[AuditEntry]:
    async with db.read() as session:
        found = await session.execute(select(AuditEntry).where(AuditEntry.action == action))
        return list(found.scalars())


async def test_a_round_opens_by_itself_with_the_same_event_as_by_hand(
    db: Database, jury: Jury
) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    await _dates(db, judging_round.id, opens_at=utcnow() - timedelta(seconds=1))

    moved = await tasks.advance_rounds({"db": db})

    assert moved == {"opened": 1}
    assert (await _stored(db, judging_round.id)).status == RoundStatus.OPEN
    assert await events(db, "RoundOpened") == [{"round_id": judging_round.id}]
    [entry] = await _audit(db, "round.opened")
    assert entry.actor_id is None


async def test_a_round_closes_by_itself(db: Database, jury: Jury) -> None:
    judging_round = await make_round(db, jury.challenge, judges=jury.judges, projects=jury.projects)
    await _dates(db, judging_round.id, closes_at=utcnow() - timedelta(seconds=1))

    moved = await tasks.advance_rounds({"db": db})
    again = await tasks.advance_rounds({"db": db})

    assert (moved, again) == ({"closed": 1}, {})
    assert (await _stored(db, judging_round.id)).status == RoundStatus.CLOSED
    assert len(await events(db, "RoundClosed")) == 1


async def test_a_round_whose_dates_both_passed_opens_and_closes(db: Database, jury: Jury) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    now = utcnow()
    await _dates(
        db,
        judging_round.id,
        opens_at=now - timedelta(hours=2),
        closes_at=now - timedelta(hours=1),
    )

    moved = await tasks.advance_rounds({"db": db})

    assert moved == {"opened_and_closed": 1}
    assert (len(await events(db, "RoundOpened")), len(await events(db, "RoundClosed"))) == (1, 1)


async def test_a_round_not_yet_due_is_left_alone(db: Database, jury: Jury) -> None:
    judging_round = await make_round(
        db, jury.challenge, judges=jury.judges, projects=jury.projects, status=RoundStatus.DRAFT
    )
    await _dates(db, judging_round.id, opens_at=utcnow() + timedelta(minutes=5))

    assert await tasks.advance_rounds({"db": db}) == {}
    assert (await _stored(db, judging_round.id)).status == RoundStatus.DRAFT


async def test_a_round_that_cannot_open_tells_the_organisers_once(
    app: Starlette, db: Database, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)  # no judges assigned
    await _dates(db, judging_round.id, opens_at=utcnow() - timedelta(seconds=1))

    first = await tasks.advance_rounds({"db": db})
    second = await tasks.advance_rounds({"db": db})
    await run_jobs(app)

    assert (first, second) == ({"not_opened": 1}, {"nothing": 1})
    stored = await _stored(db, judging_round.id)
    assert stored.status == RoundStatus.DRAFT and stored.open_failed_at is not None
    assert await events(db, "RoundNotOpened") == [{"round_id": judging_round.id}]
    async with db.read() as session:
        told = (
            await session.execute(
                select(Notification.user_id).where(Notification.kind == "round_not_opened")
            )
        ).all()
    assert [row[0] for row in told] == [jury.organiser.id]


async def test_a_round_that_could_not_open_opens_once_judges_are_assigned(
    db: Database, jury: Jury
) -> None:
    _rubric, judging_round = await draft_round(db, jury)
    await _dates(db, judging_round.id, opens_at=utcnow() - timedelta(seconds=1))
    await tasks.advance_rounds({"db": db})

    async with db.transaction() as session:
        await service.assign_judges(session, user=jury.organiser, round_id=judging_round.id or 0)

    async with db.transaction() as session:
        moved = await schedule.advance_round(session, round_id=judging_round.id or 0)

    assert moved == schedule.Moved.OPENED
    assert (await _stored(db, judging_round.id)).status == RoundStatus.OPEN


async def test_the_cron_job_is_registered_with_the_worker(app: Starlette) -> None:
    options = worker_options(app.state.settings, app.state.settings.redis_url)

    assert "judging.advance_rounds" in {job.name for job in options["cron_jobs"]}
