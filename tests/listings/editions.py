"""Worlds for the query-count tests: teams that may move on to the next stage."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col

from app.challenges.models import Challenge
from app.db import Database
from tests.factories import Actors, make_challenge
from tests.listings import Visit
from tests.listings.rows import make_programme, put_in_programme, submitted_projects


async def promote_page(db: Database, actors: Actors, n: int) -> Visit:
    """n teams that handed in a project, in the first stage of a programme whose second
    stage the visitor also organises."""
    organiser = await actors.user(creator=True)
    programme = await make_programme(db, "Programme", owner=organiser)
    first = await make_challenge(db, organiser=organiser, title="Stage one")
    second = await make_challenge(db, organiser=organiser, title="Stage two")
    for stage in (first, second):
        await put_in_programme(db, stage, programme)
    async with db.transaction() as session:
        await session.execute(
            update(Challenge).where(col(Challenge.id) == second.id).values(stage=2)
        )
    await submitted_projects(db, actors, first, n)
    return Visit(await actors.client(organiser), f"/challenges/{first.id}/promote")
