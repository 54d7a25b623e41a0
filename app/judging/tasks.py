"""Jobs and event handlers of this domain (collected by workers.main)."""

from __future__ import annotations

from typing import Any

from arq import cron

from app.db import Database
from app.judging import schedule


async def advance_rounds(ctx: dict[str, Any]) -> dict[str, int]:
    """Open and close the rounds whose dates have come; safe to run any number of times.
    One transaction per round: a round that cannot open does not hold back the others."""
    db: Database = ctx["db"]
    async with db.read() as session:
        round_ids = await schedule.due(session)
    moved: dict[str, int] = {}
    for round_id in round_ids:
        async with db.transaction() as session:
            outcome = await schedule.advance_round(session, round_id=round_id)
        moved[outcome] = moved.get(outcome, 0) + 1
    return moved


functions: list[Any] = []
# Every minute at second 30 (the phases move at second 0); not at start-up, so a worker's
# burst run in another domain's tests does not move rounds behind its back.
cron_jobs: list[Any] = [cron(advance_rounds, name="judging.advance_rounds", second={30})]
