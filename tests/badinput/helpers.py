"""Helpers for the bad-input suite: a draft project to upload to, counting rows and files,
and a meter for the CPU time and memory one request costs."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from app.accounts.models import User
from app.db import Database
from app.storage import LocalStorage
from app.teams.models import Project
from tests.factories import Actors, make_challenge, make_project, make_team

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
MB = 1024 * 1024


@dataclass
class Cost:
    cpu_seconds: float = 0.0
    peak_bytes: int = 0


@contextmanager
def metered() -> Iterator[Cost]:
    """CPU seconds and peak Python memory spent inside the block."""
    cost = Cost()
    tracemalloc.start()
    started = time.process_time()
    try:
        yield cost
    finally:
        cost.cpu_seconds = time.process_time() - started
        cost.peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


async def count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def stored_files(storage: LocalStorage) -> list[str]:
    return sorted(str(p) for p in storage.root.rglob("*") if p.is_file())


async def coach_with_draft(db: Database, actors: Actors) -> tuple[User, Project]:
    """A coach and their team's draft project, while every phase is open."""
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    team = await make_team(db, challenge, coach=coach)
    return coach, await make_project(db, team, submitted=False)
