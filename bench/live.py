"""Live results: what a change costs the screens watching a round.

- board: counting a round's sheets and ranking it with its 200-draw bootstrap
  (`app.judging.live.make_board`), at N and 10N projects;
- shared board: another screen of the same process that heard the same change (only the
  viewer's rights are read);
- live page: the organisers' page over ASGI (the board made afresh);
- fan-out: one `announce` on Redis until every one of S subscribed streams heard it.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from app.accounts.models import User
from app.judging import live, queries
from app.judging.models import Round
from app.web import services
from bench.harness import BenchApp, bench_app, ms, table, time_calls

SUBSCRIBERS = 50


async def _timings(env: BenchApp, *, quick: bool) -> tuple[int, dict[str, float]]:
    round_id = env.data.round_ids[0]
    db = env.db
    async with db.read() as session:
        judging_round = await session.get(Round, round_id)
        organiser = await session.get(User, env.data.organiser_id)
    assert judging_round is not None and organiser is not None
    heard = asyncio.get_running_loop().time()

    async def board() -> None:
        async with db.read() as session:
            await live.make_board(session, judging_round)

    async def shared() -> None:
        await live.snapshot(db, user=organiser, round_id=round_id, heard_at=heard)

    async with env.client(env.data.organiser_id) as http:

        async def page() -> None:
            response = await http.get(f"/rounds/{round_id}/live")
            assert response.status_code == 200, response.status_code

        timings = await time_calls(
            {"board": board, "shared": shared, "page": page},
            runs=2 if quick else 3,
            per_run=2 if quick else 5,
        )
    async with db.read() as session:
        sheets = len(await queries.round_sheets(session, round_id))
    return sheets, {name: ms(t.median) for name, t in timings.items()}


async def _fan_out(env: BenchApp, subscribers: int) -> float:
    """Milliseconds from one announcement until all the subscribed streams heard it."""
    redis = services(env.app).redis
    assert redis is not None
    settings = env.settings
    round_id = env.data.round_ids[0]
    async with env.db.read() as session:
        judging_round = await session.get(Round, round_id)
    assert judging_round is not None
    challenge_id = judging_round.challenge_id
    opened = [
        live.subscribed(redis, settings, challenge_id=challenge_id, round_id=round_id)
        for _ in range(subscribers)
    ]
    subscriptions = [await s.__aenter__() for s in opened]
    try:
        started = time.perf_counter()
        await live.announce(redis, settings, challenge_id=challenge_id, round_id=round_id)
        heard = await asyncio.gather(*(s.changed(10) for s in subscriptions))
        elapsed = time.perf_counter() - started
        assert all(heard), "a subscription missed the announcement"
        return ms(elapsed)
    finally:
        for s in opened:
            await s.__aexit__(None, None, None)


async def run(small: BenchApp, large: BenchApp, *, quick: bool) -> None:
    rows = []
    for name, env in (("N", small), ("10N", large)):
        sheets, figures = await _timings(env, quick=quick)
        rows.append(
            (
                f"{name}: {len(env.data.project_ids):,} projects, {sheets:,} sheets",
                figures["board"],
                figures["shared"],
                figures["page"],
            )
        )
    print(
        table(
            "Live results: the cost of one change (ms, median)",
            ["round", "board", "shared board", "live page"],
            rows,
        )
    )
    subscribers = 10 if quick else SUBSCRIBERS
    fan_out = await _fan_out(small, subscribers)
    print(f"fan-out: {subscribers} subscribed streams heard one announcement in {fan_out:.1f} ms")


async def main(quick: bool) -> None:
    small_args, large_args = (
        ({"teams": 12, "judges": 4}, {"teams": 120, "judges": 40})
        if quick
        else ({"teams": 100, "judges": 10}, {"teams": 1000, "judges": 100})
    )
    async with bench_app(**small_args) as small, bench_app(**large_args) as large:
        await run(small, large, quick=quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    asyncio.run(main(parser.parse_args().quick))
