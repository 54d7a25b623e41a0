"""How costs grow with ten times the data: pages and the ranking at N and 10N.

Projects and judges grow together (each judge keeps about the same load), so a page that
shows one project or one judge's work should cost the same at 10N, a page listing every
project about ten times as much. Growth beyond four times that is flagged SUPER-LINEAR
(an N+1 query or a quadratic step); between two and four times, "above linear".
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.judging import allocation, queries, ranking
from bench import pages
from bench.harness import BenchApp, bench_app, ms, table, time_calls

# A page whose first request at 10N took longer than this gets 3 samples there, not dozens;
# one that took longer than VERY_SLOW keeps that first sample only.
SLOW_SECONDS = 0.5
VERY_SLOW_SECONDS = 5.0
# Growth within 2x (+1) of the expected is fine; up to 4x is "above linear" (sorting's log n,
# more garbage collections on a bigger heap, a busy machine); beyond, an N+1 query or a
# quadratic step: flagged.
TOLERANCE = 2.0
FLAG = 4.0


@dataclass(frozen=True)
class Growth:
    name: str
    small: float  # seconds
    large: float
    samples_large: int
    expected: float  # the growth that is fine: 1 (constant) or the output's growth

    @property
    def ratio(self) -> float:
        return self.large / self.small if self.small > 0 else float("inf")

    @property
    def verdict(self) -> str:
        if self.ratio > FLAG * self.expected:
            return f"SUPER-LINEAR (expected ~{self.expected:.0f}x)"
        if self.ratio > TOLERANCE * self.expected + 1:
            return f"above linear (expected ~{self.expected:.0f}x)"
        return "ok" if self.expected <= 1 else f"ok (output {self.expected:.0f}x)"


def verdict_line(growths: list[Growth]) -> str:
    flagged = [g.name for g in growths if g.verdict.startswith("SUPER")]
    return "Flagged: " + (", ".join(flagged) if flagged else "nothing")


async def page_growth(
    small: BenchApp,
    large: BenchApp,
    captured_small: list[pages.Captured],
    captured_large: list[pages.Captured],
    *,
    runs: int,
    per_run: int,
    very_slow: float = VERY_SLOW_SECONDS,
) -> list[Growth]:
    """Each page at N and 10N, timed interleaved (fewer samples of pages slow at 10N)."""
    growths = []
    clients = {"small": pages.Clients(small), "large": pages.Clients(large)}
    try:
        for a, b in zip(captured_small, captured_large, strict=True):
            calls = {"N": _getter(clients["small"], a), "10N": _getter(clients["large"], b)}
            if b.seconds > very_slow:
                n_time = (await time_calls({"N": calls["N"]}, runs=runs, per_run=per_run))["N"]
                t_small, t_large, samples = n_time.median, b.seconds, 1
            else:
                slow = b.seconds > SLOW_SECONDS
                timings = await time_calls(
                    calls, runs=3 if slow else runs, per_run=1 if slow else per_run, warmup=1
                )
                t_small, t_large = timings["N"].median, timings["10N"].median
                samples = len(timings["10N"].samples)
            expected = 1.0 if a.page.constant_size else max(1.0, len(b.body) / len(a.body))
            growths.append(Growth(a.page.name, t_small, t_large, samples, expected))
    finally:
        for c in clients.values():
            await c.aclose()
    return growths


def _getter(clients: pages.Clients, item: pages.Captured) -> Callable[[], Awaitable[bytes]]:
    client = clients(item.page.who)

    async def call() -> bytes:
        return await pages.get_ok(client, item.url)

    return call


def print_pages(growths: list[Growth], small: BenchApp, large: BenchApp) -> None:
    n, n10 = len(small.data.project_ids), len(large.data.project_ids)
    rows = [
        [g.name, ms(g.small), ms(g.large), g.samples_large, g.ratio, g.verdict] for g in growths
    ]
    print(
        table(
            f"Page time at N={n} and 10N={n10} projects "
            f"({len(small.data.judge_ids)} and {len(large.data.judge_ids)} judges), median ms",
            ["page", "N ms", "10N ms", "10N samples", "10N/N", "verdict"],
            rows,
        )
    )
    print(verdict_line(growths))


# The ranking ---------------------------------------------------------------------------------


@dataclass
class RankingInputs:
    scores: list[ranking.JudgeScore]
    projects: list[int]
    judges: list[int]


async def ranking_inputs(env: BenchApp) -> RankingInputs:
    """The weighted judge scores of the round, built as results.round_results builds them."""
    challenge_id = env.data.challenge_ids[0]
    async with env.db.read() as session:
        round_list = await queries.rounds(session, challenge_id)
        criteria = await queries.criteria(session, sorted({r.rubric_id for r in round_list}))
        sheets = await queries.ranking_sheets(
            session,
            [r.id for r in round_list if r.id],
            counted=[c.id for group in criteria.values() for c in group if c.id],
            independent=[],
        )
    scores = [
        ranking.JudgeScore(pid, jid, total / 100) for _round_id, jid, pid, total in sheets.totals
    ]
    return RankingInputs(scores, env.data.project_ids, env.data.judge_ids)


def _timed(fn: Callable[[], Any]) -> Callable[[], Awaitable[Any]]:
    async def call() -> Any:
        return fn()

    return call


async def ranking_growth(
    small: BenchApp, large: BenchApp, *, runs: int
) -> tuple[list[Growth], dict[str, int]]:
    """SQL load, the three views, the judge-effect fit and the allocation, at N and 10N."""
    steps: dict[str, dict[str, Callable[[], Awaitable[Any]]]] = defaultdict(dict)
    inputs: dict[str, RankingInputs] = {}
    for label, env in (("N", small), ("10N", large)):
        challenge_id = env.data.challenge_ids[0]

        async def load(env: BenchApp = env, challenge_id: int = challenge_id) -> Any:
            async with env.db.read() as session:
                rounds = await queries.rounds(session, challenge_id)
                criteria = await queries.criteria(session, sorted({r.rubric_id for r in rounds}))
                return await queries.ranking_sheets(
                    session,
                    [r.id for r in rounds if r.id],
                    counted=[c.id for group in criteria.values() for c in group if c.id],
                    independent=[],
                )

        i = inputs[label] = await ranking_inputs(env)

        def means(scores: list[ranking.JudgeScore] = i.scores) -> Any:
            raw, z = ranking.raw_means(scores), ranking.zscore_means(scores)
            return ranking.competition_ranks(raw), ranking.competition_ranks(z)

        def allocate(i: RankingInputs = i) -> Any:
            return allocation.allocate(i.projects, i.judges, per_project=3, conflicts={})

        steps["SQL: sheets' totals"][label] = load
        steps["raw + z-score ranks"][label] = _timed(means)
        steps["allocate 3 judges/project"][label] = _timed(allocate)
    growths = []
    for name, calls in steps.items():
        # Sub-millisecond steps get more calls per run, so a context switch cannot decide.
        per_run = 3 if name.startswith("SQL") else 20
        timings = await time_calls(calls, runs=runs, per_run=per_run, warmup=1)
        n, n10 = timings["N"], timings["10N"]
        growths.append(Growth(name, n.median, n10.median, len(n10.samples), 10.0))
    judges: dict[str, int] = {}
    fit: dict[str, float] = {}
    for label in ("N", "10N"):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            effects = ranking.judge_effects(inputs[label].scores)
            times.append(time.perf_counter() - started)
        fit[label] = sorted(times)[len(times) // 2]
        judges[label] = len(effects.leniency)
    growths.insert(2, Growth("judge effects (fit)", fit["N"], fit["10N"], runs, 10.0))
    return growths, judges


def print_ranking(
    growths: list[Growth], judges: dict[str, int], small: BenchApp, large: BenchApp
) -> None:
    n, n10 = len(small.data.project_ids), len(large.data.project_ids)
    rows = [
        [g.name, ms(g.small), ms(g.large), g.samples_large, g.ratio, g.verdict] for g in growths
    ]
    print(
        table(
            f"Ranking at N={n} and 10N={n10} projects, 3 judges each "
            f"({len(small.data.judge_ids)} and {len(large.data.judge_ids)} judges), median ms",
            ["step", "N ms", "10N ms", "10N samples", "10N/N", "verdict"],
            rows,
        )
    )
    print(
        f"Judge-effect fit: one direct least-squares solve over the judges "
        f"({judges['N']:,} at N, {judges['10N']:,} at 10N)."
    )
    print(verdict_line(growths))


def print_generation(small: BenchApp, large: BenchApp) -> None:
    rows = [
        [label, env.data.total_rows, env.seconds_to_generate,
         env.data.total_rows / env.seconds_to_generate, env.data.rows.get("project_file", 0)]
        for label, env in (("N", small), ("10N", large))
    ]  # fmt: skip
    print(
        table(
            "Synthetic data (bench/data.py): rows inserted, PDFs stored",
            ["dataset", "rows", "seconds", "rows/s", "PDF files"],
            rows,
        )
    )


async def run(
    small: BenchApp,
    large: BenchApp,
    *,
    quick: bool,
    captured: tuple[list[pages.Captured], list[pages.Captured]] | None = None,
) -> None:
    """Growth tables; pages.py's captures (one request per page and size) reused if given."""
    if captured is None:
        captured = (await pages.capture(small), await pages.capture(large))
        for item in captured[0] + captured[1]:
            item.context = {}  # not needed here; see pages.run
    runs, per_run = (2, 2) if quick else (4, 8)
    print_generation(small, large)
    growths = await page_growth(
        small,
        large,
        *captured,
        runs=runs,
        per_run=per_run,
        very_slow=SLOW_SECONDS if quick else VERY_SLOW_SECONDS,
    )
    print_pages(growths, small, large)
    ranking_growths, judges = await ranking_growth(small, large, runs=runs)
    print_ranking(ranking_growths, judges, small, large)


async def main(quick: bool) -> None:
    small_args, large_args = pages.sizes(quick)
    async with bench_app(**small_args) as small, bench_app(**large_args) as large:
        await run(small, large, quick=quick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    asyncio.run(main(parser.parse_args().quick))
