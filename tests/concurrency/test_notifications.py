"""The reminder cron run by several workers at once tells each person once.

On PostgreSQL the runs are truly concurrent (each its own connection and transaction): the
unique (kind, subject, person) key makes the later ones wait, then find the row and queue
nothing. SQLite serialises writers, so there the test shows the sequential behaviour.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlmodel import col
from starlette.applications import Starlette

from app.accounts.models import RoleKind
from app.challenges.models import Phase, PhaseKind
from app.db import Database, utcnow
from app.events.models import OutgoingMail
from app.notifications import tasks
from app.notifications.models import Notification
from app.sponsors.models import Adoption, AdoptionStatus
from tests.factories import Actors, make_challenge, make_project, make_sponsor, make_team

AT_ONCE = 4


async def test_reminders_run_at_once_tell_each_person_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    for _ in range(5):
        await actors.grant(await actors.user(), challenge.id or 0, RoleKind.COACH)
    async with db.transaction() as session:
        await session.execute(
            update(Phase)
            .where(col(Phase.challenge_id) == challenge.id)
            .values(starts_at=utcnow() - timedelta(days=5), ends_at=utcnow() + timedelta(days=9))
        )
        await session.execute(
            update(Phase)
            .where(col(Phase.challenge_id) == challenge.id, col(Phase.kind) == PhaseKind.SUBMISSION)
            .values(ends_at=utcnow() + timedelta(hours=30))
        )
    workers = [Database(app.state.settings) for _ in range(AT_ONCE)]
    try:
        queued = await asyncio.gather(*(tasks.remind_phases({"db": w}) for w in workers))
    finally:
        for worker in workers:
            await worker.dispose()

    async with db.read() as session:
        told = (await session.execute(select(func.count()).select_from(Notification))).scalar_one()
        mails = (await session.execute(select(func.count()).select_from(OutgoingMail))).scalar_one()
    assert sum(queued) == 6  # five coaches and the organiser
    assert (told, mails) == (6, 6)


async def test_overdue_reminders_run_at_once_tell_each_side_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    coach = await actors.user()
    team = await make_team(db, challenge, coach=coach)
    project = await make_project(db, team)
    rep = await actors.user()
    sponsor = await make_sponsor(db, challenge, representative=rep)
    async with db.transaction() as session:
        session.add(
            Adoption(
                challenge_id=challenge.id or 0,
                sponsor_id=sponsor.id or 0,
                project_id=project.id or 0,
                status=AdoptionStatus.ACCEPTED,
                proposed_by=rep.id or 0,
                decided_by=coach.id,
                decided_at=utcnow() - timedelta(weeks=5),
            )
        )
    workers = [Database(app.state.settings) for _ in range(AT_ONCE)]
    try:
        queued = await asyncio.gather(*(tasks.remind_overdue({"db": w}) for w in workers))
        again = await tasks.remind_overdue({"db": workers[0]})
    finally:
        for worker in workers:
            await worker.dispose()

    async with db.read() as session:
        told = (await session.execute(select(func.count()).select_from(Notification))).scalar_one()
        mails = (await session.execute(select(func.count()).select_from(OutgoingMail))).scalar_one()
    assert (sum(queued), again) == (2, 0)  # the coach and the company's representative
    assert (told, mails) == (2, 2)
