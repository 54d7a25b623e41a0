"""How far the judges agree, how each judge uses the scale, and which way of deciding the
winners fits a round's design: pure functions, no database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.judging import allocation
from app.judging.models import Aggregation
from app.judging.ranking import JudgeScore, Table


@dataclass(frozen=True)
class Agreement:
    """ICC(1): the share of the score variance that lies between projects rather than between
    the judges of one project (1: judges agree; 0: the scores say nothing). Kendall's W only
    when every judge scored every project (it needs complete rankings)."""

    icc: float | None
    icc_adjusted: float | None  # after removing each judge's leniency
    kendall_w: float | None
    projects: int
    judges: int


@dataclass(frozen=True)
class Distribution:
    judge_id: int
    values: list[float]
    mean: float
    low: float
    high: float


def icc1(scores: Sequence[JudgeScore], leniency: Mapping[int, float] | None = None) -> float | None:
    """One-way random-effects ICC for unequal numbers of judges per project (Shrout & Fleiss,
    with the average group size k0 of Snedecor & Cochran); None without enough data."""
    groups: dict[int, list[float]] = {}
    for s in scores:
        value = s.value - (leniency or {}).get(s.judge_id, 0.0)
        groups.setdefault(s.project_id, []).append(value)
    groups = {p: v for p, v in groups.items() if len(v) >= 1}
    n = sum(len(v) for v in groups.values())
    a = len(groups)
    if a < 2 or n - a < 1:
        return None
    grand = sum(sum(v) for v in groups.values()) / n
    between = sum(len(v) * (sum(v) / len(v) - grand) ** 2 for v in groups.values())
    within = sum(sum((x - sum(v) / len(v)) ** 2 for x in v) for v in groups.values())
    msb = between / (a - 1)
    msw = within / (n - a)
    k0 = (n - sum(len(v) ** 2 for v in groups.values()) / n) / (a - 1)
    denominator = msb + (k0 - 1) * msw
    if denominator <= 0:
        return None
    return float((msb - msw) / denominator)


def kendall_w(scores: Sequence[JudgeScore]) -> float | None:
    """Kendall's coefficient of concordance with the correction for tied ranks; None unless
    every judge scored every project (at least two of each)."""
    t = Table.of(scores)
    m, n = t.judges, t.projects
    if m < 2 or n < 2 or len(scores) != m * n:
        return None
    matrix = np.full((m, n), np.nan)
    matrix[t.judge, t.project] = t.value
    if np.isnan(matrix).any():
        return None
    ranks = np.vstack([_average_ranks(row) for row in matrix])
    totals = ranks.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    ties = sum(_tie_term(row) for row in matrix)
    denominator = m**2 * (n**3 - n) - m * ties
    if denominator <= 0:
        return None
    return 12 * s / denominator


def _average_ranks(row: np.ndarray) -> np.ndarray:
    order = np.argsort(row, kind="stable")
    ranks = np.empty(len(row))
    ranks[order] = np.arange(1, len(row) + 1)
    for value in set(row.tolist()):
        same = row == value
        ranks[same] = ranks[same].mean()
    return ranks


def _tie_term(row: np.ndarray) -> float:
    return float(sum(c**3 - c for c in Counter(row.tolist()).values()))


def agreement(scores: Sequence[JudgeScore], leniency: Mapping[int, float]) -> Agreement:
    return Agreement(
        icc=icc1(scores),
        icc_adjusted=icc1(scores, leniency),
        kendall_w=kendall_w(scores),
        projects=len({s.project_id for s in scores}),
        judges=len({s.judge_id for s in scores}),
    )


def distributions(scores: Iterable[JudgeScore]) -> list[Distribution]:
    """Each judge's weighted scores, for a chart of how they use the scale."""
    by_judge: dict[int, list[float]] = {}
    for s in scores:
        by_judge.setdefault(s.judge_id, []).append(s.value)
    return [
        Distribution(jid, sorted(v), sum(v) / len(v), min(v), max(v))
        for jid, v in sorted(by_judge.items())
    ]


class Design(StrEnum):
    """What a round's allocation is like, for the recommendation."""

    EMPTY = "empty"  # no judges assigned yet
    COMPLETE = "complete"  # every judge scores every project
    SINGLE = "single"  # one judge per project
    DISCONNECTED = "disconnected"  # groups of judges who never meet
    CONNECTED = "connected"  # different panels, all linked


@dataclass(frozen=True)
class Recommendation:
    method: Aggregation
    design: Design


def recommend(panels: Mapping[int, Iterable[int]]) -> Recommendation:
    """Raw mean when every judge scores every project (all three views agree then, and the
    mean is simplest to explain); judge effect when panels differ and link all judges; z-score
    when they cannot be linked (one judge per project, or separate groups)."""
    frozen = {pid: frozenset(panel) for pid, panel in panels.items() if panel}
    if not frozen:
        return Recommendation(Aggregation.JUDGE_EFFECT, Design.EMPTY)
    judges = frozenset().union(*frozen.values())
    if all(panel == judges for panel in frozen.values()):
        return Recommendation(Aggregation.RAW_MEAN, Design.COMPLETE)
    if max(len(panel) for panel in frozen.values()) <= 1:
        return Recommendation(Aggregation.Z_SCORE, Design.SINGLE)
    if len(allocation.components(frozen.values())) > 1:
        return Recommendation(Aggregation.Z_SCORE, Design.DISCONNECTED)
    return Recommendation(Aggregation.JUDGE_EFFECT, Design.CONNECTED)
