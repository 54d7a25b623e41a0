"""`python -m bench.ranking_page`: the organisers' ranking page at 1,000 and 5,000 projects.

"afresh" is a view after a change of the round's scores (the ranking memo emptied, so the
bootstrap runs, as it did at every view before app.judging.ranking.RankingMemo); "again" is
a view after a write elsewhere (the page made again, its ranking from the memo); "kept" is
the organiser's next view while nothing is written (app.personalcache). Wall and CPU (this
process, every thread) medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time

from app.judging import ranking
from bench.harness import ORGANISER, bench_app
from bench.pages import get_ok


async def measure(teams: int, views: int) -> None:
    async with bench_app(teams=teams, judges=teams // 10) as env:
        client = env.client(env.user_id(ORGANISER))
        url = f"/challenges/{env.data.challenge_ids[0]}/ranking"
        await client.get("/healthz")
        results: dict[str, tuple[list[float], list[float]]] = {
            "afresh": ([], []),
            "again": ([], []),
            "kept": ([], []),
        }
        try:
            for n in range(views):
                for kind in ("afresh", "again", "kept"):
                    if kind == "afresh":
                        ranking.memo.clear()
                    # A query never asked before is not in the page cache; "kept" asks again.
                    asked = f"{url}?view={n}" if kind != "again" else f"{url}?again={n}"
                    wall, cpu = time.perf_counter(), time.process_time()
                    await get_ok(client, asked)
                    results[kind][0].append(time.perf_counter() - wall)
                    results[kind][1].append(time.process_time() - cpu)
        finally:
            await client.aclose()
    load = os.getloadavg()[0]
    for kind, (walls, cpus) in results.items():
        print(
            f"{teams:>6} projects  {kind:<7} wall {statistics.median(walls) * 1000:8.1f} ms"
            f"  CPU {statistics.median(cpus) * 1000:8.1f} ms  (load average {load:.1f})"
        )


async def main(sizes: list[int], views: int) -> None:
    for teams in sizes:
        await measure(teams, views)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--views", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.sizes, args.views))
