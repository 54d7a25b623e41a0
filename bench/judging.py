"""Judging: how fast rubric rounds are aggregated, and how well each aggregation finds the
truth in simulated sessions.

Speed: 2,000 projects x 5 judges x 6 criteria, from the criterion scores to the three views
and the chosen one's 200-draw bootstrap (target < 1 s). Quality: sessions with a hidden true
quality per project and judges who are lenient, harsh, noisy or (one of them) careless,
allocated by the platform itself (k = 3, 12 and 13 judges); Kendall's tau of each view
against the truth over 30 seeds.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass

from app.judging import allocation, ranking
from app.judging.models import Aggregation
from bench.harness import table

CRITERIA = 6
SCALE = (1, 5)


@dataclass(frozen=True)
class Judge:
    leniency: float
    noise: float
    careless: bool = False


def _judges(rng: random.Random, count: int) -> list[Judge]:
    """A mix: lenient, harsh and neutral judges, some noisy, and exactly one careless one."""
    kinds = [Judge(0.8, 0.4), Judge(-0.8, 0.4), Judge(0.0, 0.4), Judge(0.0, 1.0)]
    judges = [kinds[i % len(kinds)] for i in range(count - 1)] + [Judge(0.0, 0.0, careless=True)]
    rng.shuffle(judges)
    return judges


def _criterion(rng: random.Random, quality: float, judge: Judge) -> int:
    if judge.careless:
        return rng.randint(*SCALE)
    value = 3 + quality + judge.leniency + rng.gauss(0, judge.noise)
    return max(SCALE[0], min(SCALE[1], round(value)))


def session(
    seed: int, *, projects: int, judges: int, k: int
) -> tuple[list[ranking.JudgeScore], dict[int, float]]:
    """Weighted scores (equal weights) of a simulated round, and each project's true quality."""
    rng = random.Random(seed)
    truth = {p: rng.gauss(0, 0.8) for p in range(projects)}
    people = _judges(rng, judges)
    panels = allocation.allocate(
        list(range(projects)), list(range(judges)), per_project=k, conflicts={}, seed=seed
    )
    scores = []
    for pid, panel in panels.items():
        for j in panel:
            values = [_criterion(rng, truth[pid], people[j]) for _ in range(CRITERIA)]
            scores.append(ranking.JudgeScore(pid, j, sum(values) / CRITERIA))
    return scores, truth


def kendall_tau(values: dict[int, float], truth: dict[int, float]) -> float:
    """tau-a: (concordant - discordant) pairs over all pairs (ties count as neither)."""
    ids = sorted(truth)
    score = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            product = (values[a] - values[b]) * (truth[a] - truth[b])
            score += (product > 0) - (product < 0)
    return score / (len(ids) * (len(ids) - 1) / 2)


def quality_rows(seeds: int, projects: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for judges in (12, 13):
        taus: dict[str, list[float]] = {m.value: [] for m in Aggregation}
        for seed in range(seeds):
            scores, truth = session(seed, projects=projects, judges=judges, k=3)
            taus[Aggregation.RAW_MEAN].append(kendall_tau(ranking.raw_means(scores), truth))
            taus[Aggregation.Z_SCORE].append(kendall_tau(ranking.zscore_means(scores), truth))
            fit = ranking.judge_effects(scores).quality
            taus[Aggregation.JUDGE_EFFECT].append(kendall_tau(fit, truth))
        raw = statistics.median(taus[Aggregation.RAW_MEAN])
        for method, values in taus.items():
            median = statistics.median(values)
            wins = sum(v > r for v, r in zip(values, taus[Aggregation.RAW_MEAN], strict=True))
            rows.append(
                [
                    f"{judges} judges, {method}",
                    median,
                    min(values),
                    max(values),
                    median / raw,
                    f"{wins}/{seeds}" if method != Aggregation.RAW_MEAN else "-",
                ]
            )
    return rows


def speed_rows(runs: int, projects: int) -> list[list[object]]:
    rng = random.Random(1)
    judges, k = 100, 5
    panels = allocation.allocate(
        list(range(projects)), list(range(judges)), per_project=k, conflicts={}
    )
    weights = dict.fromkeys(range(CRITERIA), 100 // CRITERIA)
    weights[0] += 100 - sum(weights.values())
    criteria = [
        (pid, j, {c: rng.randint(*SCALE) for c in range(CRITERIA)})
        for pid, panel in panels.items()
        for j in panel
    ]
    rows: list[list[object]] = []
    for method in Aggregation:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            scores = [
                ranking.JudgeScore(pid, j, ranking.weighted_score(weights, values))
                for pid, j, values in criteria
            ]
            ranking.rank_round(scores, method=method)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        rows.append([f"{method}", median * 1000, median / 1.0])
    return rows


def run(quick: bool) -> None:
    runs, seeds, projects = (1, 8, 60) if quick else (3, 30, 60)
    size = 500 if quick else 2000
    print(
        table(
            f"Rubric aggregation: {size:,} projects x 5 judges (of 100) x {CRITERIA} criteria, "
            f"three views + 200-draw bootstrap of the chosen one, median of {runs}",
            ["chosen view", "ms", "of the 1 s target"],
            speed_rows(runs, size),
        )
    )
    print(
        table(
            f"Ranking quality: Kendall's tau against the hidden truth, {seeds} seeds, "
            f"{projects} projects, k = 3, the platform's allocation; judges lenient (+0.8), "
            "harsh (-0.8), neutral, noisy, and one careless",
            ["design, view", "median tau", "min", "max", "/ raw mean", "beats raw"],
            quality_rows(seeds, projects),
        )
    )
