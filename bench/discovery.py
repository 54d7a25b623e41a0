"""`python -m bench.discovery [--quick]`: a company finding ideas (the page and the API) at N
and 10N submitted projects: p50/p99 per request and the statements each one sends.

The answer is a page of 20 whatever the challenge's size, so the statements must not grow;
the time grows with what SQLite filters and counts (the window over the rows)."""

from __future__ import annotations

import argparse
import asyncio

from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.models import User
from app.sponsors.discovery_schemas import DISCOVERY_PAGE_SIZE
from app.sponsors.models import SponsorRepresentative
from bench.harness import BenchApp, bench_app, ms, quantile, table, time_calls

QUERIES = {
    "page: all": "/sponsors/{sponsor}/projects",
    "API: all": "/api/v1/sponsors/{sponsor}/projects",
    "API: search": "/api/v1/sponsors/{sponsor}/projects?q=acqua",
    "API: not adopted, no award": "/api/v1/sponsors/{sponsor}/projects?adopted=no&awarded=no",
    "API: page 2": "/api/v1/sponsors/{sponsor}/projects?page=2",
}


async def measure(env: BenchApp, *, runs: int, per_run: int) -> dict[str, tuple[float, float, int]]:
    """name -> (p50 ms, p99 ms, statements) as the first sponsor's representative."""
    sponsor_id = env.data.sponsor_ids[0]
    async with env.db.read() as session:
        rep_id = await session.scalar(
            select(SponsorRepresentative.user_id).where(
                col(SponsorRepresentative.sponsor_id) == sponsor_id
            )
        )
    assert rep_id is not None
    await env.login(rep_id)
    async with env.db.transaction() as session:
        rep = await session.get(User, rep_id)
        assert rep is not None
        _token, secret = await accounts_service.create_api_token(session, user=rep, name="bench")
    page, api = env.client(rep_id), env.client()
    api.headers["authorization"] = f"Bearer {secret}"
    urls = {
        name: path.format(sponsor=sponsor_id)
        for name, path in QUERIES.items()
        # A second page only where there is one (--quick's N has fewer projects than a page).
        if name != "API: page 2" or len(env.data.project_ids) > DISCOVERY_PAGE_SIZE
    }
    statements: dict[str, int] = {}
    try:
        for name, url in urls.items():
            before = env.queries.count
            response = await (api if url.startswith("/api/") else page).get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            statements[name] = env.queries.count - before

        def getter(url: str):  # type: ignore[no-untyped-def]
            http = api if url.startswith("/api/") else page
            return lambda: http.get(url)

        timings = await time_calls(
            {name: getter(url) for name, url in urls.items()}, runs=runs, per_run=per_run
        )
    finally:
        await page.aclose()
        await api.aclose()
    return {
        name: (ms(quantile(t.samples, 0.5)), ms(quantile(t.samples, 0.99)), statements[name])
        for name, t in timings.items()
    }


async def run(small: BenchApp, large: BenchApp, *, quick: bool) -> None:
    runs, per_run = (2, 5) if quick else (5, 20)
    n = await measure(small, runs=runs, per_run=per_run)
    n10 = await measure(large, runs=runs, per_run=per_run)
    sizes = (len(small.data.project_ids), len(large.data.project_ids))

    def cell(found: dict[str, tuple[float, float, int]], name: str, at: int) -> str:
        return (
            "-"
            if name not in found
            else f"{found[name][at]:.1f}"
            if at < 2
            else str(found[name][at])
        )

    rows = [
        (
            name,
            f"{cell(n, name, 0)} / {cell(n, name, 1)}",
            f"{cell(n10, name, 0)} / {cell(n10, name, 1)}",
            f"{cell(n, name, 2)} / {cell(n10, name, 2)}",
        )
        for name in QUERIES
    ]
    print(
        table(
            f"Finding ideas: {sizes[0]:,} and {sizes[1]:,} submitted projects",
            ("request", "N p50 / p99 ms", "10N p50 / p99 ms", "statements N / 10N"),
            rows,
        )
    )
    grown = [name for name in n if n[name][2] != n10[name][2]]
    print("statements constant: " + ("yes" if not grown else f"NO ({', '.join(grown)})"))


async def main(quick: bool) -> None:
    small_args = {"teams": 100, "judges": 4, "scores": False}
    large_args = {"teams": 1000, "judges": 10, "scores": False}
    if quick:
        small_args, large_args = {"teams": 30, "judges": 2}, {"teams": 300, "judges": 4}
    async with bench_app(**small_args) as small, bench_app(**large_args) as large:
        await run(small, large, quick=quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    asyncio.run(main(parser.parse_args().quick))
