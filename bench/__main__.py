"""`python -m bench [--quick]`: every benchmark on two shared datasets, N and 10N.

The full run takes a few minutes on two cores; --quick (small datasets, few repetitions,
no uvicorn unless --http) is a smoke run that takes well under a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import time

from bench import (
    adoptions,
    certificates,
    discovery,
    exports,
    growth,
    judging,
    live,
    notifications,
    pages,
    pairwise,
    voting,
)
from bench.harness import bench_app


def machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )


def section(title: str, started: float) -> None:
    print(f"\n== {title} == (at {time.perf_counter() - started:.0f}s)", flush=True)


async def main(quick: bool, http: bool, postgres: str | None) -> None:
    started = time.perf_counter()
    print(f"Madrina benchmarks{' (quick)' if quick else ''}: {machine()}", flush=True)
    section("Judging", started)
    judging.run(quick)
    section("Pairwise judging", started)
    pairwise.run(quick)
    section("People's choice", started)
    voting.run(quick)
    small_args, large_args = pages.sizes(quick)
    async with (
        bench_app(postgres=postgres, database="madrina_bench_n", **small_args) as small,
        bench_app(postgres=postgres, database="madrina_bench_10n", **large_args) as large,
    ):
        print(
            f"Datasets ready on {'PostgreSQL' if postgres else 'SQLite'} in "
            f"{time.perf_counter() - started:.1f}s "
            f"(N: {small.data.total_rows:,} rows, 10N: {large.data.total_rows:,} rows)",
            flush=True,
        )
        section("Pages", started)
        captured_small, captured_large, _timings = await pages.run(
            small, large, quick=quick, http=http
        )
        section("Growth", started)
        await growth.run(small, large, quick=quick, captured=(captured_small, captured_large))
        section("Live results", started)
        await live.run(small, large, quick=quick)
        section("Pairwise judging with the database", started)
        await pairwise.db_run(large, quick=quick)
        section("Finding ideas", started)
        await discovery.run(small, large, quick=quick)
        section("Exports", started)
        await exports.run(small, large)
        section("Certificates", started)
        await certificates.run(small, quick=quick)
    section("Notifications", started)
    await notifications.run(quick)
    section("Adoptions", started)
    await adoptions.run(quick)
    print(f"\nDone in {time.perf_counter() - started:.0f}s; {machine()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run (< 1 minute)")
    parser.add_argument(
        "--http",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also serve pages over uvicorn on loopback (default: yes, but not with --quick)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="the shared datasets (pages, growth, live, finding ideas, exports) on this "
        "PostgreSQL server, in scratch databases made and dropped there, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()
    http = not args.quick if args.http is None else args.http
    asyncio.run(main(args.quick, http, args.postgres))
