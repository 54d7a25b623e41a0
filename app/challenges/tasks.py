"""Jobs and event handlers of this domain (collected by workers.main)."""

from __future__ import annotations

from typing import Any

from arq import cron

from app.challenges import phases
from app.db import Database


async def announce_phases(ctx: dict[str, Any]) -> int:
    """Move published challenges into the phase the clock says; safe to run any number of times."""
    db: Database = ctx["db"]
    async with db.transaction() as session:
        changed = await phases.announce_phases(session)
    return len(changed)


functions: list[Any] = []
# Every minute, at second 0 (arq's default); not at start-up, so a worker's burst run in
# another domain's tests does not announce phases behind its back.
cron_jobs: list[Any] = [cron(announce_phases, name="challenges.announce_phases", second={0})]
