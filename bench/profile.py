"""`python -m bench.profile PAGE`: where one bench page spends its time (cProfile).

Builds the bench's N dataset, asks for the page a few times to warm up, then profiles
`--requests` requests in-process (`--miss`: each made afresh, not from the public page
cache) and prints the SQL statements of one request and the top of
the profile, by own time and by cumulative time. PAGE is a page name of `bench.pages.PAGES`
("project", "home", "judge: score sheet", ...) or a unique part of it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time
from typing import Any

from sqlalchemy import event

from bench.harness import bench_app
from bench.pages import PAGES, Clients, Page, get_ok, page_urls, sizes


def find_page(name: str) -> Page:
    exact = [p for p in PAGES if p.name == name]
    matches = exact or [p for p in PAGES if name.lower() in p.name.lower()]
    if len(matches) != 1:
        names = ", ".join(repr(p.name) for p in PAGES)
        raise SystemExit(f"PAGE must name one of: {names}")
    return matches[0]


async def main(
    name: str, *, requests: int, top: int, quick: bool, miss: bool, teams: int | None = None
) -> None:
    page = find_page(name)
    small_args, _large = sizes(quick)
    if teams:
        small_args = {**small_args, "teams": teams, "judges": max(4, teams // 10)}
    async with bench_app(**small_args) as env:
        clients = Clients(env)
        try:
            client = clients(page.who)
            url = (await page_urls(env))[page.name]
            await client.get("/healthz")  # the CSRF cookie, as a browser has it
            for _ in range(20):
                await get_ok(client, url)
            statements: list[str] = []

            def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
                statements.append(" ".join(statement.split()))

            engine = env.db.engine.sync_engine
            event.listen(engine, "before_cursor_execute", seen)
            body = await get_ok(client, f"{url}?profile-miss=first" if miss else url)
            event.remove(engine, "before_cursor_execute", seen)
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            for i in range(requests):
                # --miss: a query string never asked before, so the page cache misses.
                await get_ok(client, f"{url}?profile-miss={i}" if miss else url)
            profiler.disable()
            seconds = (time.perf_counter() - started) / requests
        finally:
            await clients.aclose()
    print(
        f"{page.name} ({url}, as {page.who}): {len(body) / 1024:.1f} KB, "
        f"{seconds * 1000:.2f} ms per request under the profiler, "
        f"{len(statements)} SQL statements:"
    )
    for statement in statements:
        print(f"  - {statement[:160]}{'...' if len(statement) > 160 else ''}")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        text = out.getvalue()
        print(f"\nTop {top} by {order} ({requests} requests):")
        print(text[text.find("   ncalls") :].rstrip())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", help="a page name from bench.pages.PAGES, or part of one")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--quick", action="store_true", help="the small quick dataset")
    parser.add_argument("--teams", type=int, help="projects in the dataset (default 100)")
    parser.add_argument(
        "--miss", action="store_true", help="make the page afresh each time (no page cache)"
    )
    args = parser.parse_args()
    asyncio.run(
        main(
            args.page,
            requests=args.requests,
            top=args.top,
            quick=args.quick,
            miss=args.miss,
            teams=args.teams,
        )
    )
