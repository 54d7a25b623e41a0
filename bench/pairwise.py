"""Pairwise (expo) rounds: how fast the ranking is refitted and the next project chosen, and
how well Crowd-BT's choice of pairs finds the truth against random pairs.

Speed: the Bradley-Terry refit (choix's ILSR, then the standard errors) of 60 / 500 / 2,000
projects with 20 comparisons per project (10 N votes: each vote is a comparison for two
projects), target < 1 s at 500; choosing a judge's next project among 500 (Crowd-BT's
expected information gain over every candidate), target < 50 ms.

Quality: sessions with a hidden true quality per project (N(0, 1)) and 12 judges, lenient
(+0.8), harsh (-0.8), neutral, noisy (sd 1.0 rather than 0.4) and one careless (votes at
random); a judge perceives a project as truth + leniency + noise at each comparison. With
10 comparisons per project (5 N votes), the pairs come from Crowd-BT's choice (judges walking
in turn, each from the project they saw last) or at random; both are ranked by the same
Bradley-Terry refit, and Kendall's tau against the truth is taken over 30 seeds.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlmodel import col, select

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.judging import crowd_bt
from app.judging import pairwise as pairwise_service
from app.judging import queries as judging_queries
from app.judging.models import PairwiseVote, Round, RoundKind, RoundStatus, SkipReason
from app.judging.pairwise import choose
from app.teams.models import Project, ProjectStatus
from app.web import services
from bench.harness import BenchApp, table
from bench.judging import kendall_tau

JUDGES = 12


@dataclass(frozen=True)
class Judge:
    leniency: float
    noise: float
    careless: bool = False


def _judges(rng: random.Random) -> list[Judge]:
    kinds = [Judge(0.8, 0.4), Judge(-0.8, 0.4), Judge(0.0, 0.4), Judge(0.0, 1.0)]
    people = [kinds[i % len(kinds)] for i in range(JUDGES - 1)] + [Judge(0.0, 0.0, True)]
    rng.shuffle(people)
    return people


def _says_first_wins(rng: random.Random, judge: Judge, a: float, b: float) -> bool:
    if judge.careless:
        return rng.random() < 0.5
    seen_a = a + judge.leniency + rng.gauss(0, judge.noise)
    seen_b = b + judge.leniency + rng.gauss(0, judge.noise)
    return seen_a > seen_b


def random_session(
    seed: int, projects: int, votes: int
) -> tuple[list[tuple[int, int]], dict[int, float]]:
    rng = random.Random(seed)
    truth = {p: rng.gauss(0, 1) for p in range(projects)}
    people = _judges(rng)
    out = []
    for n in range(votes):
        a, b = rng.sample(range(projects), 2)
        judge = people[n % JUDGES]
        out.append((a, b) if _says_first_wins(rng, judge, truth[a], truth[b]) else (b, a))
    return out, truth


def crowd_session(
    seed: int, projects: int, votes: int
) -> tuple[list[tuple[int, int]], dict[int, float]]:
    """Judges take turns; each goes to the project `choose` picks (busy: where the others are)."""
    rng = random.Random(seed)
    truth = {p: rng.gauss(0, 1) for p in range(projects)}
    people = _judges(rng)
    pick = random.Random(seed + 1000)
    items: dict[int, tuple[float, float, int]] = {}
    reliability = [crowd_bt.Reliability() for _ in people]
    previous: list[int | None] = [None] * JUDGES
    current: list[int | None] = [None] * JUDGES
    seen: list[set[int]] = [set() for _ in people]
    out: list[tuple[int, int]] = []

    def send(j: int) -> None:
        busy = {c for k, c in enumerate(current) if k != j and c is not None}
        excluded = seen[j] | {p for p in (previous[j], current[j]) if p is not None}
        candidates = [p for p in range(projects) if p not in excluded]
        chosen = choose(
            candidates, items=items, judge=reliability[j], seen=previous[j], busy=busy, rng=pick
        )
        current[j] = chosen
        if chosen is not None:
            mu, s, v = items.get(chosen, (0.0, 1.0, 0))
            items[chosen] = (mu, s, v + 1)

    turn = 0
    while len(out) < votes:
        j = turn % JUDGES
        turn += 1
        if current[j] is None and previous[j] is None:
            send(j)
            previous[j] = current[j]
            send(j)
            continue
        a, b = previous[j], current[j]
        if a is None or b is None:
            if turn > 100 * votes:
                break
            continue
        winner, loser = (a, b) if _says_first_wins(rng, people[j], truth[a], truth[b]) else (b, a)
        out.append((winner, loser))
        w, lo = items.get(winner, (0.0, 1.0, 0)), items.get(loser, (0.0, 1.0, 0))
        reliability[j], bw, bl = crowd_bt.update(
            reliability[j], crowd_bt.Belief(w[0], w[1]), crowd_bt.Belief(lo[0], lo[1])
        )
        items[winner] = (bw.mu, bw.sigma_sq, w[2])
        items[loser] = (bl.mu, bl.sigma_sq, lo[2])
        seen[j] |= {a, b}
        previous[j] = b
        send(j)
    return out, truth


def quality_rows(seeds: int, projects: int, per_project: int) -> list[list[object]]:
    votes = per_project * projects // 2
    taus: dict[str, list[float]] = {"Crowd-BT choice": [], "random pairs": []}
    for seed in range(seeds):
        for name, session in (("Crowd-BT choice", crowd_session), ("random pairs", random_session)):
            pairs, truth = session(seed, projects, votes)
            fitted = crowd_bt.fit(pairs, intervals=False).strength
            taus[name].append(kendall_tau({p: fitted.get(p, 0.0) for p in truth}, truth))
    rows: list[list[object]] = []
    for name, values in taus.items():
        wins = sum(a > b for a, b in zip(values, taus["random pairs"], strict=True))
        rows.append(
            [
                name,
                statistics.median(values),
                min(values),
                max(values),
                f"{wins}/{seeds}" if name != "random pairs" else "-",
            ]
        )
    return rows


def _votes(rng: np.random.Generator, projects: int, count: int) -> list[tuple[int, int]]:
    quality = rng.normal(size=projects)
    a = rng.integers(0, projects, count)
    b = (a + rng.integers(1, projects, count)) % projects
    first = rng.random(count) < 1 / (1 + np.exp(quality[b] - quality[a]))
    return [
        (int(x), int(y)) if f else (int(y), int(x)) for x, y, f in zip(a, b, first, strict=True)
    ]


def speed_rows(sizes: tuple[int, ...], runs: int) -> list[list[object]]:
    rng = np.random.default_rng(7)
    rows: list[list[object]] = []
    for projects in sizes:
        votes = _votes(rng, projects, 10 * projects)
        fits, full, cpu = [], [], []
        for _ in range(runs if projects <= 500 else 1):
            started = time.perf_counter()
            crowd_bt.fit(votes, intervals=False)
            fits.append(time.perf_counter() - started)
            started, processor = time.perf_counter(), time.process_time()
            crowd_bt.fit(votes)
            full.append(time.perf_counter() - started)
            cpu.append(time.process_time() - processor)
        rows.append(
            [
                f"refit, {projects:,} projects, {len(votes):,} votes",
                statistics.median(fits) * 1000,
                statistics.median(full) * 1000,
                statistics.median(cpu) * 1000,
                statistics.median(full) / 1.0 if projects == 500 else "-",
            ]
        )
    return rows


def choice_row(runs: int, projects: int = 500) -> list[object]:
    rng = random.Random(3)
    items = {
        p: (rng.gauss(0, 1), rng.uniform(0.05, 1), rng.randint(2, 30)) for p in range(projects)
    }
    times, cpu = [], []
    for n in range(runs):
        started, processor = time.perf_counter(), time.process_time()
        choose(
            list(range(1, projects)),
            items=items,
            judge=crowd_bt.Reliability(),
            seen=0,
            busy=set(range(n % 20)),
            rng=rng,
        )
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - processor)
    median = statistics.median(times)
    return [
        f"next project among {projects} (information gain)",
        median * 1000,
        median * 1000,
        statistics.median(cpu) * 1000,
        median / 0.05,
    ]


def run(quick: bool) -> None:
    sizes = (60, 500) if quick else (60, 500, 2000)
    runs, seeds = (1, 6) if quick else (3, 30)
    print(
        table(
            "Pairwise rounds: Bradley-Terry refit (choix ILSR) with 20 comparisons per project, "
            f"and the next-project choice; median of {runs} (2,000: one run; "
            f"choice: of {runs * 50})",
            ["operation", "ms (fit)", "ms (with intervals)", "CPU ms (with)", "of the target"],
            [*speed_rows(sizes, runs), choice_row(runs * 50)],
        )
    )
    print(
        table(
            f"Pairwise ranking quality: Kendall's tau against the hidden truth, {seeds} seeds, "
            "60 projects, 10 comparisons per project (300 votes), 12 judges lenient (+0.8), "
            "harsh (-0.8), neutral, noisy, and one careless; both ranked by the same refit",
            ["pairs chosen by", "median tau", "min", "max", "beats random"],
            quality_rows(seeds, 60, 10),
        )
    )


async def db_run(env: BenchApp, *, quick: bool) -> None:
    """The next project chosen through the service, with its reads and writes, in the
    challenge of the dataset with the most submitted projects (5 N votes already given)."""
    db = services(env.app).db
    rng = random.Random(5)
    async with db.transaction() as session:
        cid, _count = (
            await session.execute(
                select(Project.challenge_id, func.count())
                .where(col(Project.status) == ProjectStatus.SUBMITTED)
                .group_by(col(Project.challenge_id))
                .order_by(func.count().desc())
                .limit(1)
            )
        ).one()
        project_ids = await judging_queries.submitted_project_ids(session, cid)
        judge_ids = env.data.judge_ids[:JUDGES]
        for jid in judge_ids:
            await accounts_service.grant_role(
                session, user_id=jid, challenge_id=cid, kind=RoleKind.JUDGE, actor_id=None
            )
        expo = Round(
            challenge_id=cid, kind=RoundKind.PAIRWISE, name="Bench expo", status=RoundStatus.OPEN
        )
        session.add(expo)
        await session.flush()
        assert expo.id is not None
        for n in range(5 * len(project_ids)):
            winner, loser = rng.sample(project_ids, 2)
            session.add(
                PairwiseVote(
                    round_id=expo.id,
                    judge_id=judge_ids[n % len(judge_ids)],
                    winner_id=winner,
                    loser_id=loser,
                    imported=True,
                )
            )
        await session.flush()
        await pairwise_service.replay(session, expo.id)
    starts, skips = [], []
    for step in range(3 if quick else 8):
        for jid in judge_ids:
            async with db.transaction() as session:
                user = await session.get(User, jid)
                assert user is not None
                started = time.perf_counter()
                if step == 0:
                    await pairwise_service.start(session, user=user, round_id=expo.id)
                    starts.append(time.perf_counter() - started)
                else:
                    await pairwise_service.skip(
                        session, user=user, round_id=expo.id, reason=SkipReason.ABSENT
                    )
                    skips.append(time.perf_counter() - started)
    rows: list[list[object]] = []
    for name, times in (
        ("a judge's first project", starts),
        ("skip, then the next project", skips),
    ):
        median = statistics.median(times)
        rows.append([name, median * 1000, max(times) * 1000, median / 0.05])
    print(
        table(
            "Pairwise rounds through the service and the database: "
            f"the next project among {len(project_ids):,} submitted projects, "
            f"{5 * len(project_ids):,} votes given, {len(starts) + len(skips)} calls",
            ["call", "median ms", "max ms", "of the 50 ms target"],
            rows,
        )
    )
