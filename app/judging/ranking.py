"""Ranking rubric scores: pure functions on arrays, no database.

Every judge's scores of a project are first reduced to one weighted score,
sum(weight * value) / 100, which stays on the rubric's scale. Three views follow, shown
side by side because each answers a different worry:

- raw mean: what the judges said, averaged;
- z-score mean: each judge's scores standardised (mean 0, deviation 1), so a judge who uses
  only the top of the scale weighs as much as one who uses all of it;
- judge-effect model: score = project quality + judge leniency, fitted by least squares,
  so a project is not punished for drawing strict judges in an incomplete design.

The organiser picks one per round before it opens (`Aggregation`); that one decides the
awards. Its uncertainty is shown honestly: a bootstrap over the judges (draw as many
judges as there are, with replacement, and aggregate again) gives each project an interval,
and neighbours whose intervals overlap are statistically tied. Ties of value are never
broken: equal values share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from app.judging.models import Aggregation

# Values closer than this are the same for ranking (floating-point noise is not a winner).
TIE_DIGITS = 6
# z-scores: a judge with fewer scores than this is standardised with everyone's mean and
# deviation (their own say too little); a judge's deviation is never taken below this share
# of the typical judge's, so tiny differences of a near-constant judge do not become ±1.
MIN_SCORES_FOR_Z = 3
SPREAD_FLOOR_SHARE = 0.25
BOOTSTRAP_SAMPLES = 200
INTERVAL = (2.5, 97.5)  # percent: a 95% interval

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


class ZNote(StrEnum):
    """Why a judge's z-scores were not made from their own mean and deviation alone."""

    FEW = "few"  # too few scores: standardised with everyone's mean and deviation
    FLOOR = "floor"  # almost no spread: their deviation raised to the floor
    CONSTANT = "constant"  # the same score everywhere: every project counts as average


class JudgeScore(NamedTuple):
    """One judge's weighted score of one project (a named tuple: a round of 5,000 projects
    has 15,000, made at every view of its ranking, where a frozen dataclass costs 5x more)."""

    project_id: int
    judge_id: int
    value: float


@dataclass(frozen=True)
class Table:
    """Scores as arrays: observation i is judge `judge[i]` scoring project `project[i]`."""

    project_ids: list[int]
    judge_ids: list[int]
    project: Ints
    judge: Ints
    value: Floats

    @classmethod
    def of(cls, scores: Sequence[JudgeScore]) -> Table:
        project_ids = sorted({s.project_id for s in scores})
        judge_ids = sorted({s.judge_id for s in scores})
        p_index = {pid: i for i, pid in enumerate(project_ids)}
        j_index = {jid: i for i, jid in enumerate(judge_ids)}
        return cls(
            project_ids,
            judge_ids,
            np.array([p_index[s.project_id] for s in scores], dtype=np.int64),
            np.array([j_index[s.judge_id] for s in scores], dtype=np.int64),
            np.array([s.value for s in scores], dtype=np.float64),
        )

    @property
    def projects(self) -> int:
        return len(self.project_ids)

    @cached_property
    def pairs(self) -> tuple[Ints, Ints]:
        """Every ordered pair (a, b) of observations of the same project, a == b included:
        what the judge-effect system is made of, computed once for all bootstrap draws."""
        order = np.argsort(self.project, kind="stable")
        counts = np.bincount(self.project, minlength=self.projects)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        firsts: list[Ints] = []
        seconds: list[Ints] = []
        for size in sorted(set(counts.tolist()) - {0}):
            groups = np.flatnonzero(counts == size)
            members = order[starts[groups][:, None] + np.arange(size)]  # groups x size
            firsts.append(np.repeat(members, size, axis=1).ravel())
            seconds.append(np.tile(members, (1, size)).ravel())
        empty = np.empty(0, dtype=np.int64)
        return (
            np.concatenate(firsts) if firsts else empty,
            np.concatenate(seconds) if seconds else empty,
        )

    @property
    def judges(self) -> int:
        return len(self.judge_ids)


@dataclass(frozen=True)
class JudgeEffects:
    quality: dict[int, float]  # project id -> judge-adjusted score, on the rubric's scale
    leniency: dict[int, float]  # judge id -> how much above (+) or below (-) the others


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
    # The chosen view, its bootstrap interval, and whether the next better one is within it.
    score: float = 0.0
    rank: int = 0
    interval_low: float = 0.0
    interval_high: float = 0.0
    tied_with_better: bool = False

    @property
    def spread(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class RoundRanking:
    rows: list[ProjectRanking]  # by the chosen view's rank, then project id
    leniency: dict[int, float]
    z_notes: dict[int, ZNote] = field(default_factory=dict)
    # What pages make from the same scores besides the ranking (the judges' agreement and
    # distributions), kept with it by whoever makes them: a ranking from RankingMemo is
    # shared by every view of the same scores, so they are made once per memo key too.
    figures: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def weighted_score(weights: Mapping[int, int], values: Mapping[int, int | float]) -> float:
    """sum(weight * value) / 100 over the criteria (weights are percentages adding to 100)."""
    return sum(weights[criterion] * value for criterion, value in values.items()) / 100


# --- The three views, on arrays, with a weight per judge (how often a bootstrap drew them) ---


def _raw(t: Table, w: Floats) -> Floats:
    wi = w[t.judge]
    total = np.bincount(t.project, wi * t.value, minlength=t.projects)
    count = np.bincount(t.project, wi, minlength=t.projects)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)


def standardised(t: Table) -> tuple[Floats, dict[int, ZNote]]:
    """Each observation's z-score, and the judges handled apart (see the module's constants).

    A judge's own mean and deviation come from their own scores, whoever is drawn with them,
    so the bootstrap re-weights these values without recomputing them.
    """
    count = np.bincount(t.judge, minlength=t.judges).astype(np.float64)
    mean = np.bincount(t.judge, t.value, minlength=t.judges) / np.maximum(count, 1)
    squares = np.bincount(t.judge, (t.value - mean[t.judge]) ** 2, minlength=t.judges)
    deviation = np.sqrt(squares / np.maximum(count, 1))
    pooled_mean = float(t.value.mean()) if len(t.value) else 0.0
    pooled_deviation = float(t.value.std()) if len(t.value) else 0.0
    typical = deviation[count >= MIN_SCORES_FOR_Z]
    reference = float(np.median(typical)) if len(typical) else pooled_deviation
    floor = max(SPREAD_FLOOR_SHARE * reference, 1e-9)
    notes: dict[int, ZNote] = {}
    for j, judge_id in enumerate(t.judge_ids):
        if count[j] < MIN_SCORES_FOR_Z:
            notes[judge_id] = ZNote.FEW
            mean[j] = pooled_mean
            deviation[j] = max(pooled_deviation, floor)
        elif deviation[j] < 1e-12:
            notes[judge_id] = ZNote.CONSTANT
            deviation[j] = floor
        elif deviation[j] < floor:
            notes[judge_id] = ZNote.FLOOR
            deviation[j] = floor
    return (t.value - mean[t.judge]) / deviation[t.judge], notes


def _zmean(t: Table, z: Floats, w: Floats) -> Floats:
    return _raw(Table(t.project_ids, t.judge_ids, t.project, t.judge, z), w)


def _effects(t: Table, w: Floats, *, exact: bool = True) -> tuple[Floats, Floats]:
    """Weighted least squares of value = quality[project] + leniency[judge].

    A project's quality is the weighted mean of its values less its judges' leniencies;
    putting that into the leniencies' own equations leaves one symmetric positive
    semi-definite system over the judges, L b = r with L = diag(judge's weight) -
    M diag(1 / project's weight) M^T, small enough to solve directly. Its smallest solution
    centres leniencies on 0 within every group of judges linked by shared projects, so
    qualities stay on the rubric's scale; with every judge scoring every project, quality
    equals the raw mean.
    """
    wi = w[t.judge]
    judge_weight = np.bincount(t.judge, wi, minlength=t.judges)
    project_weight = np.bincount(t.project, wi, minlength=t.projects)
    seen = project_weight > 0
    inverse = np.where(seen, 1.0 / np.where(seen, project_weight, 1), 0.0)
    mean = _raw(t, w)
    a, b = t.pairs
    shared = wi[a] * wi[b] * inverse[t.project[a]]
    cells = np.bincount(t.judge[a] * t.judges + t.judge[b], shared, minlength=t.judges**2)
    system = np.diag(judge_weight) - cells.reshape(t.judges, t.judges)
    residual = np.bincount(
        t.judge, wi * (t.value - np.nan_to_num(mean[t.project])), minlength=t.judges
    )
    if exact:
        solution = np.linalg.lstsq(system, residual, rcond=None)[0]
    else:
        # For bootstrap draws: a ridge far below any real curvature gives the same smallest
        # solution to ~1e-9 (the residual has no part along the constants of a group) and is
        # a plain solve, ten times faster than the least-squares one.
        ridge = 1e-9 * max(float(judge_weight.mean()), 1.0)
        solution = np.linalg.solve(system + ridge * np.eye(t.judges), residual)
    # Judges not drawn weigh nothing: their leniency is not defined, leave it at 0.
    leniency: Floats = np.where(judge_weight > 0, solution, 0.0).astype(np.float64)
    adjusted = Table(t.project_ids, t.judge_ids, t.project, t.judge, t.value - leniency[t.judge])
    return _raw(adjusted, w), leniency


def view(
    t: Table, method: Aggregation, w: Floats, z: Floats | None = None, *, exact: bool = True
) -> Floats:
    """Each project's score in one view (NaN for a project no drawn judge scored)."""
    if method == Aggregation.RAW_MEAN:
        return _raw(t, w)
    if method == Aggregation.Z_SCORE:
        return _zmean(t, z if z is not None else standardised(t)[0], w)
    return _effects(t, w, exact=exact)[0]


def bootstrap(
    t: Table, method: Aggregation, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> tuple[Floats, Floats]:
    """Each project's 95% interval when the judges are drawn again with replacement."""
    rng = np.random.default_rng(seed)
    z = standardised(t)[0] if method == Aggregation.Z_SCORE else None
    draws = np.empty((samples, t.projects))
    for b in range(samples):
        picked = rng.integers(0, t.judges, size=t.judges)
        w = np.bincount(picked, minlength=t.judges).astype(np.float64)
        draws[b] = view(t, method, w, z, exact=False)
    point = view(t, method, np.ones(t.judges), z)
    # A project no draw reached (one judge among many, drawn by none) keeps its own value.
    unseen = np.isnan(draws).all(axis=0)
    draws[:, unseen] = point[unseen]
    low, high = np.nanpercentile(draws, INTERVAL, axis=0)
    return low, high


# --- What pages and tests read: dicts by id ---


def _by_id(t: Table, values: Floats) -> dict[int, float]:
    return {pid: float(values[i]) for i, pid in enumerate(t.project_ids)}


def raw_means(scores: Sequence[JudgeScore]) -> dict[int, float]:
    """Mean weighted score of each project over its judges."""
    t = Table.of(scores)
    return _by_id(t, _raw(t, np.ones(t.judges)))


def zscore_means(scores: Sequence[JudgeScore]) -> dict[int, float]:
    """Mean over judges of each judge's standardised score (population deviation)."""
    t = Table.of(scores)
    return _by_id(t, _zmean(t, standardised(t)[0], np.ones(t.judges)))


def judge_effects(scores: Sequence[JudgeScore]) -> JudgeEffects:
    """Least-squares fit of value = quality[project] + leniency[judge]."""
    t = Table.of(scores)
    quality, leniency = _effects(t, np.ones(t.judges))
    return JudgeEffects(
        quality=_by_id(t, quality),
        leniency={jid: float(leniency[j]) for j, jid in enumerate(t.judge_ids)},
    )


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


def rank_round(
    scores: Sequence[JudgeScore],
    *,
    method: Aggregation = Aggregation.JUDGE_EFFECT,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> RoundRanking:
    """The three views of every scored project, the chosen one with its bootstrap interval,
    ordered by the chosen view (then by id)."""
    if not scores:
        return RoundRanking([], {})
    t = Table.of(scores)
    ones = np.ones(t.judges)
    z, notes = standardised(t)
    views = {
        Aggregation.RAW_MEAN: _raw(t, ones),
        Aggregation.Z_SCORE: _zmean(t, z, ones),
    }
    views[Aggregation.JUDGE_EFFECT], leniency = _effects(t, ones)
    ranks = {m: competition_ranks(_by_id(t, v)) for m, v in views.items()}
    low, high = bootstrap(t, method, samples=samples, seed=seed)
    chosen = views[method]
    count = np.bincount(t.project, minlength=t.projects)
    lowest = np.full(t.projects, np.inf)
    highest = np.full(t.projects, -np.inf)
    np.minimum.at(lowest, t.project, t.value)
    np.maximum.at(highest, t.project, t.value)
    rows = []
    for i, pid in enumerate(t.project_ids):
        rows.append(
            ProjectRanking(
                project_id=pid,
                judges=int(count[i]),
                low=float(lowest[i]),
                high=float(highest[i]),
                raw_mean=float(views[Aggregation.RAW_MEAN][i]),
                raw_rank=ranks[Aggregation.RAW_MEAN][pid],
                z_mean=float(views[Aggregation.Z_SCORE][i]),
                z_rank=ranks[Aggregation.Z_SCORE][pid],
                adjusted=float(views[Aggregation.JUDGE_EFFECT][i]),
                adjusted_rank=ranks[Aggregation.JUDGE_EFFECT][pid],
                score=float(chosen[i]),
                rank=ranks[method][pid],
                interval_low=float(low[i]),
                interval_high=float(high[i]),
            )
        )
    rows.sort(key=lambda row: (row.rank, row.project_id))
    return RoundRanking(
        _mark_ties(rows),
        {jid: float(leniency[j]) for j, jid in enumerate(t.judge_ids)},
        notes,
    )


def _mark_ties(rows: list[ProjectRanking]) -> list[ProjectRanking]:
    """A project is statistically tied with the next better one when their intervals overlap
    (or their values are equal)."""
    marked: list[ProjectRanking] = []
    for i, row in enumerate(rows):
        if i == 0:
            marked.append(row)
            continue
        better = rows[i - 1]
        tied = row.rank == better.rank or row.interval_high >= better.interval_low
        marked.append(replace(row, tied_with_better=tied))
    return marked


class RankingMemo:
    """The rankings last made in this process, keyed by everything `rank_round` reads: the
    method, the draws, the seed and every (project, judge, weighted score) in order.

    A view of the ranking page (or a live board) re-reads the round's scores in its own
    transaction, as always, but the bootstrap (nearly all of the page's time) runs only when
    they differ from a ranking made before: a submitted sheet, a removed judge, a recusal, a
    withdrawn project, a changed weight or method changes the key. The key is the data
    itself, read in the request's transaction, so no process can serve a ranking of scores
    that have since changed, whichever process wrote them; nothing has to be invalidated.
    Bounded (least recently used first out); thread-safe, as rankings are made in threads.
    The rankings handed out are shared: callers read them and never change them.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.made: OrderedDict[tuple[object, ...], RoundRanking] = OrderedDict()
        self.lock = threading.Lock()
        self.computed = 0  # rankings actually made (tests read it)
        # Rankings being made, by key (read and written on the event loop's thread only).
        self.making: dict[tuple[object, ...], asyncio.Future[RoundRanking]] = {}

    async def rank(
        self,
        scores: Sequence[JudgeScore],
        *,
        method: Aggregation = Aggregation.JUDGE_EFFECT,
        samples: int = BOOTSTRAP_SAMPLES,
        seed: int = 0,
    ) -> RoundRanking:
        """The round's ranking: the one made before for the same key, else made in a worker
        thread, so a big round's first view (seconds of bootstrap at 5,000 projects) does
        not hold up every other request of the web process meanwhile; views asking for it
        while it is being made wait for that one (eight at once must not make it eight
        times, each slower)."""
        key = (str(method), samples, seed, tuple(scores))
        found = self._found(key)
        if found is not None:
            return found
        making = self.making.get(key)
        if making is None or making.get_loop() is not asyncio.get_running_loop():
            making = asyncio.ensure_future(
                asyncio.to_thread(self._make, key, scores, method, samples, seed)
            )
            self.making[key] = making
            making.add_done_callback(lambda done: self._made(key, done))
        # Shielded: a view whose client went away does not cancel the others' ranking.
        return await asyncio.shield(making)

    def _made(self, key: tuple[object, ...], done: asyncio.Future[RoundRanking]) -> None:
        if self.making.get(key) is done:
            del self.making[key]

    def _found(self, key: tuple[object, ...]) -> RoundRanking | None:
        with self.lock:
            found = self.made.get(key)
            if found is not None:
                self.made.move_to_end(key)
            return found

    def _make(
        self,
        key: tuple[object, ...],
        scores: Sequence[JudgeScore],
        method: Aggregation,
        samples: int,
        seed: int,
    ) -> RoundRanking:
        ranked = rank_round(scores, method=method, samples=samples, seed=seed)
        with self.lock:
            self.computed += 1
            self.made[key] = ranked
            self.made.move_to_end(key)
            while len(self.made) > self.size:
                self.made.popitem(last=False)
        return ranked

    def clear(self) -> None:
        with self.lock:
            self.made.clear()


memo = RankingMemo()


def rank_projects(scores: Sequence[JudgeScore]) -> list[ProjectRanking]:
    """The three views for every scored project, ordered by raw rank (then by id)."""
    ranked = rank_round(scores, method=Aggregation.RAW_MEAN, samples=20).rows
    return sorted(ranked, key=lambda row: (row.raw_rank, row.project_id))
