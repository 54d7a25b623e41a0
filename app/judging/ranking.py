"""Ranking rubric scores: pure functions, no database.

Every judge's scores of a project are first reduced to one weighted score,
sum(weight * value) / 100, which stays on the rubric's scale. Three views follow, shown
side by side because each answers a different worry:

- raw mean: what the judges said, averaged;
- z-score mean: each judge's scores standardised (mean 0, deviation 1), so a judge who uses
  only the top of the scale weighs as much as one who uses all of it;
- judge-effect model: score = project quality + judge leniency, fitted by least squares,
  so a project is not punished for drawing strict judges in an incomplete design.

Ties are never broken: equal values share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Values closer than this are the same for ranking (floating-point noise is not a winner).
TIE_DIGITS = 6


@dataclass(frozen=True)
class JudgeScore:
    """One judge's weighted score of one project."""

    project_id: int
    judge_id: int
    value: float


@dataclass(frozen=True)
class JudgeEffects:
    quality: dict[int, float]  # project id -> judge-adjusted score, on the rubric's scale
    leniency: dict[int, float]  # judge id -> how much above (+) or below (-) the others
    iterations: int


@dataclass(frozen=True)
class ProjectRanking:
    project_id: int
    judges: int
    low: float
    high: float
    raw_mean: float
    raw_rank: int
    z_mean: float
    z_rank: int
    adjusted: float
    adjusted_rank: int

    @property
    def spread(self) -> float:
        return self.high - self.low


def weighted_score(weights: Mapping[int, int], values: Mapping[int, int | float]) -> float:
    """sum(weight * value) / 100 over the criteria (weights are percentages adding to 100)."""
    return sum(weights[criterion] * value for criterion, value in values.items()) / 100


def _by_project(scores: Iterable[JudgeScore]) -> dict[int, list[JudgeScore]]:
    grouped: dict[int, list[JudgeScore]] = defaultdict(list)
    for score in scores:
        grouped[score.project_id].append(score)
    return dict(grouped)


def _by_judge(scores: Iterable[JudgeScore]) -> dict[int, list[JudgeScore]]:
    grouped: dict[int, list[JudgeScore]] = defaultdict(list)
    for score in scores:
        grouped[score.judge_id].append(score)
    return dict(grouped)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def raw_means(scores: Sequence[JudgeScore]) -> dict[int, float]:
    """Mean weighted score of each project over its judges."""
    return {pid: _mean([s.value for s in group]) for pid, group in _by_project(scores).items()}


def zscore_means(scores: Sequence[JudgeScore]) -> dict[int, float]:
    """Mean over judges of each judge's standardised score (population deviation).

    A judge whose scores are all equal (or who scored one project) ranks nothing, so their
    scores count as 0: average, neither up nor down.
    """
    z: dict[tuple[int, int], float] = {}
    for judge_id, group in _by_judge(scores).items():
        values = [s.value for s in group]
        mean = _mean(values)
        deviation = math.sqrt(_mean([(v - mean) ** 2 for v in values]))
        for s in group:
            z[(s.project_id, judge_id)] = (s.value - mean) / deviation if deviation > 1e-12 else 0.0
    return {
        pid: _mean([z[(pid, s.judge_id)] for s in group])
        for pid, group in _by_project(scores).items()
    }


def judge_effects(scores: Sequence[JudgeScore], *, tolerance: float = 1e-12) -> JudgeEffects:
    """Least-squares fit of value = quality[project] + leniency[judge].

    A project's quality is the mean of its values less its judges' leniencies; putting that
    into the leniencies' own equations leaves one symmetric positive semi-definite system,
    L b = r with L = diag(judge's count) - A diag(1 / project's count) A^T, which conjugate
    gradients solve in at most one step per judge. (Alternating least squares needed over a
    thousand sweeps on sparse designs of 120 projects: see `make bench`.) Started from zero,
    conjugate gradients end at the smallest solution: leniencies centred on 0 within every
    group of judges linked by shared projects, so qualities stay on the rubric's scale. With
    every judge scoring every project, quality equals the raw mean.
    """
    projects = _by_project(scores)
    judges = _by_judge(scores)
    project_mean = {pid: _mean([s.value for s in group]) for pid, group in projects.items()}

    def apply_l(b: Mapping[int, float]) -> dict[int, float]:
        mean_b = {pid: _mean([b[s.judge_id] for s in group]) for pid, group in projects.items()}
        return {
            jid: sum(b[jid] - mean_b[s.project_id] for s in group) for jid, group in judges.items()
        }

    def dot(x: Mapping[int, float], y: Mapping[int, float]) -> float:
        return sum(x[jid] * y[jid] for jid in judges)

    leniency = dict.fromkeys(judges, 0.0)
    residual = {
        jid: sum(s.value - project_mean[s.project_id] for s in group)
        for jid, group in judges.items()
    }
    direction = dict(residual)
    squared = dot(residual, residual)
    stop = squared * tolerance**2
    iterations = 0
    # Exact arithmetic needs at most one step per judge; rounding may need a few more.
    while squared > stop and iterations < 2 * len(judges):
        iterations += 1
        l_direction = apply_l(direction)
        curvature = dot(direction, l_direction)
        if curvature <= 0:  # only rounding noise is left
            break
        step = squared / curvature
        for jid in judges:
            leniency[jid] += step * direction[jid]
            residual[jid] -= step * l_direction[jid]
        previous, squared = squared, dot(residual, residual)
        direction = {jid: residual[jid] + squared / previous * direction[jid] for jid in judges}
    quality = {
        pid: _mean([s.value - leniency[s.judge_id] for s in group])
        for pid, group in projects.items()
    }
    return JudgeEffects(quality=quality, leniency=leniency, iterations=iterations)


def competition_ranks(
    values: Mapping[int, float], *, higher_is_better: bool = True
) -> dict[int, int]:
    """Rank 1 for the best; equal values share a rank and the next rank skips (1, 2, 2, 4)."""
    rounded = {key: round(value, TIE_DIGITS) for key, value in values.items()}
    ordered = sorted(rounded.values(), reverse=higher_is_better)
    first_place: dict[float, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_place.setdefault(value, position)
    return {key: first_place[value] for key, value in rounded.items()}


def podium(values: Mapping[int, float], *, places: int) -> list[tuple[int, int]]:
    """(id, rank) of everyone ranked within the first `places`, ties included, best first."""
    ranks = competition_ranks(values)
    chosen = [(key, rank) for key, rank in ranks.items() if rank <= places]
    return sorted(chosen, key=lambda item: (item[1], item[0]))


def rank_projects(
    scores: Sequence[JudgeScore], *, effects: JudgeEffects | None = None
) -> list[ProjectRanking]:
    """The three views for every scored project, ordered by raw rank (then by id).

    Pass `effects` when the caller has fitted them already (they are needed for leniencies too).
    """
    if not scores:
        return []
    raw = raw_means(scores)
    z = zscore_means(scores)
    adjusted = (effects or judge_effects(scores)).quality
    raw_rank = competition_ranks(raw)
    z_rank = competition_ranks(z)
    adjusted_rank = competition_ranks(adjusted)
    rows = []
    for pid, group in _by_project(scores).items():
        values = [s.value for s in group]
        rows.append(
            ProjectRanking(
                project_id=pid,
                judges=len(values),
                low=min(values),
                high=max(values),
                raw_mean=raw[pid],
                raw_rank=raw_rank[pid],
                z_mean=z[pid],
                z_rank=z_rank[pid],
                adjusted=adjusted[pid],
                adjusted_rank=adjusted_rank[pid],
            )
        )
    return sorted(rows, key=lambda row: (row.raw_rank, row.project_id))
