"""The ranking math, checked against examples computed by hand."""

from __future__ import annotations

import math
import random

import pytest

from app.judging.models import Aggregation
from app.judging.ranking import (
    SPREAD_FLOOR_SHARE,
    JudgeScore,
    Table,
    ZNote,
    competition_ranks,
    judge_effects,
    podium,
    rank_projects,
    rank_round,
    raw_means,
    standardised,
    weighted_score,
    zscore_means,
)

# Judge 10 is generous, judge 20 strict; they share only project 2.
#   judge 10: P1 = 5, P2 = 4        judge 20: P2 = 2, P3 = 3
INCOMPLETE = [
    JudgeScore(1, 10, 5.0),
    JudgeScore(2, 10, 4.0),
    JudgeScore(2, 20, 2.0),
    JudgeScore(3, 20, 3.0),
]


def test_weighted_score_is_sum_of_weight_times_value_over_100() -> None:
    # (30*4 + 30*3 + 40*5) / 100 = (120 + 90 + 200) / 100
    assert weighted_score({1: 30, 2: 30, 3: 40}, {1: 4, 2: 3, 3: 5}) == pytest.approx(4.1)


def test_raw_means_average_each_projects_judges() -> None:
    assert raw_means(INCOMPLETE) == {1: 5.0, 2: 3.0, 3: 3.0}


def test_zscore_means_standardise_each_judge_first() -> None:
    # judge 10: 5, 4, 3 (mean 4, deviation sqrt(2/3)); judge 20: 2, 3, 4 (mean 3, the same)
    scores = [
        JudgeScore(1, 10, 5.0),
        JudgeScore(2, 10, 4.0),
        JudgeScore(3, 10, 3.0),
        JudgeScore(2, 20, 2.0),
        JudgeScore(3, 20, 3.0),
        JudgeScore(4, 20, 4.0),
    ]
    one = 1 / math.sqrt(2 / 3)

    assert zscore_means(scores) == {
        1: pytest.approx(one),
        2: pytest.approx(-one / 2),
        3: pytest.approx(-one / 2),
        4: pytest.approx(one),
    }


def test_zscore_of_a_judge_giving_equal_scores_says_so_and_counts_as_average() -> None:
    scores = [JudgeScore(p, 10, 4.0) for p in (1, 2, 3)] + [
        JudgeScore(1, 20, 5.0),
        JudgeScore(2, 20, 3.0),
        JudgeScore(3, 20, 1.0),
    ]

    z, notes = standardised(Table.of(scores))

    assert notes == {10: ZNote.CONSTANT}
    assert list(z[:3]) == [0.0, 0.0, 0.0]
    assert zscore_means(scores)[1] == pytest.approx(1 / math.sqrt(8 / 3) * 2 / 2)


def test_zscore_of_a_judge_with_few_scores_uses_everyones_mean_and_deviation() -> None:
    # Judge 30 scored one project: 5, against everyone's mean 3 and deviation sqrt(2).
    scores = [JudgeScore(p, 10, float(p)) for p in (1, 2, 3, 4, 5)] + [JudgeScore(6, 30, 5.0)]
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]
    mean = sum(values) / 6
    deviation = math.sqrt(sum((v - mean) ** 2 for v in values) / 6)

    z, notes = standardised(Table.of(scores))

    assert notes == {30: ZNote.FEW}
    assert z[-1] == pytest.approx((5.0 - mean) / deviation)


def test_zscore_of_a_judge_with_almost_no_spread_is_held_to_the_floor() -> None:
    # Judge 10 spreads 1..5 (deviation sqrt(2)); judge 20 only 3.00 to 3.02.
    scores = [JudgeScore(p, 10, float(p)) for p in (1, 2, 3, 4, 5)] + [
        JudgeScore(1, 20, 3.0),
        JudgeScore(2, 20, 3.01),
        JudgeScore(3, 20, 3.02),
    ]

    z, notes = standardised(Table.of(scores))

    assert notes == {20: ZNote.FLOOR}
    floor = SPREAD_FLOOR_SHARE * (math.sqrt(2) + math.sqrt(2 / 3 * 0.01**2)) / 2
    assert z[-1] == pytest.approx(0.01 / floor)


def test_judge_effects_separate_quality_from_leniency() -> None:
    # q + b fits exactly: q2 + b = 4 and q2 - b = 2 give q2 = 3, b = 1; so q1 = 4, q3 = 4.
    fit = judge_effects(INCOMPLETE)

    assert fit.quality == {1: pytest.approx(4.0), 2: pytest.approx(3.0), 3: pytest.approx(4.0)}
    assert fit.leniency == {10: pytest.approx(1.0), 20: pytest.approx(-1.0)}


def test_judge_effects_equal_raw_means_when_every_judge_scores_every_project() -> None:
    scores = [
        JudgeScore(1, 10, 4.0),
        JudgeScore(2, 10, 2.0),
        JudgeScore(1, 20, 5.0),
        JudgeScore(2, 20, 3.0),
    ]

    fit = judge_effects(scores)

    assert fit.quality == {1: pytest.approx(4.5), 2: pytest.approx(2.5)}
    assert fit.leniency == {10: pytest.approx(-0.5), 20: pytest.approx(0.5)}


def _sparse_design(projects: int, judges: int, per_project: int) -> list[JudgeScore]:
    """Each project scored by `per_project` judges in a rotating pattern: a sparse, linked design
    in which every judge has a true leniency and every project a true quality, plus noise."""
    rng = random.Random(7)
    leniency = {j: rng.uniform(-1.5, 1.5) for j in range(judges)}
    scores = []
    for p in range(projects):
        quality = rng.uniform(2, 8)
        for k in range(per_project):
            judge = (p * 7 + k * (judges // per_project + 1)) % judges
            scores.append(JudgeScore(p, judge, quality + leniency[judge] + rng.gauss(0, 0.3)))
    return scores


def test_judge_effects_solve_the_least_squares_equations_on_a_sparse_design() -> None:
    scores = _sparse_design(projects=1000, judges=100, per_project=3)

    fit = judge_effects(scores)

    # The normal equations: residuals sum to zero for every project and for every judge.
    residual_by_project: dict[int, float] = {}
    residual_by_judge: dict[int, float] = {}
    for s in scores:
        residual = s.value - fit.quality[s.project_id] - fit.leniency[s.judge_id]
        residual_by_project[s.project_id] = residual_by_project.get(s.project_id, 0) + residual
        residual_by_judge[s.judge_id] = residual_by_judge.get(s.judge_id, 0) + residual
    assert max(map(abs, residual_by_project.values())) < 1e-8
    assert max(map(abs, residual_by_judge.values())) < 1e-8
    assert sum(fit.leniency.values()) == pytest.approx(0, abs=1e-8)


def test_judge_effects_centre_each_group_of_linked_judges() -> None:
    # Judges 10 and 20 share project 1; judges 30 and 40 share project 2; nothing links the pairs.
    scores = [
        JudgeScore(1, 10, 6.0),
        JudgeScore(1, 20, 4.0),
        JudgeScore(2, 30, 9.0),
        JudgeScore(2, 40, 7.0),
    ]

    fit = judge_effects(scores)

    assert fit.leniency == {
        10: pytest.approx(1.0),
        20: pytest.approx(-1.0),
        30: pytest.approx(1.0),
        40: pytest.approx(-1.0),
    }
    assert fit.quality == {1: pytest.approx(5.0), 2: pytest.approx(8.0)}


def test_competition_ranks_share_rank_on_ties_and_skip_the_next() -> None:
    assert competition_ranks({1: 3.0, 2: 4.0, 3: 4.0, 4: 1.0}) == {2: 1, 3: 1, 1: 3, 4: 4}


def test_competition_ranks_ignore_floating_point_noise() -> None:
    assert competition_ranks({1: 0.1 + 0.2, 2: 0.3}) == {1: 1, 2: 1}


def test_podium_includes_everyone_tied_within_the_places() -> None:
    values = {1: 5.0, 2: 5.0, 3: 4.0, 4: 3.0, 5: 2.0}

    assert podium(values, places=3) == [(1, 1), (2, 1), (3, 3)]
    assert podium(values, places=1) == [(1, 1), (2, 1)]


def test_rank_projects_shows_three_views_judges_and_spread() -> None:
    rows = {row.project_id: row for row in rank_projects(INCOMPLETE)}

    # Two scores per judge are too few for their own z-scores: everyone's mean is used.
    assert [(r.raw_rank, r.z_rank, r.adjusted_rank) for r in rows.values()] == [
        (1, 1, 1),
        (2, 2, 3),
        (2, 2, 1),
    ]
    assert rows[2].judges == 2
    assert (rows[2].low, rows[2].high, rows[2].spread) == (2.0, 4.0, 2.0)
    assert rows[3].adjusted == pytest.approx(4.0)


def test_rank_projects_of_nothing_is_empty() -> None:
    assert rank_projects([]) == []


def _simulated(
    seed: int, judges: int = 12, projects: int = 60, k: int = 3
) -> tuple[list[JudgeScore], dict[int, float]]:
    """A connected sparse design (the platform's allocation) with lenient and harsh judges."""
    from app.judging.allocation import allocate

    rng = random.Random(seed)
    quality = {p: rng.gauss(0, 1) for p in range(projects)}
    leniency = {j: rng.choice([-1.5, -0.75, 0.0, 0.75, 1.5]) for j in range(judges)}
    panels = allocate(list(range(projects)), list(range(judges)), per_project=k, conflicts={})
    scores = [
        JudgeScore(p, j, quality[p] + leniency[j] + rng.gauss(0, 0.3))
        for p, panel in panels.items()
        for j in panel
    ]
    return scores, quality


def _tau(values: dict[int, float], truth: dict[int, float]) -> float:
    ids = sorted(truth)
    agree = disagree = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            sign = (values[a] - values[b]) * (truth[a] - truth[b])
            agree += sign > 0
            disagree += sign < 0
    return (agree - disagree) / (len(ids) * (len(ids) - 1) / 2)


def test_judge_effect_beats_the_raw_mean_when_judges_differ_in_leniency() -> None:
    gains = []
    for seed in range(5):
        scores, truth = _simulated(seed)
        gains.append(_tau(judge_effects(scores).quality, truth) - _tau(raw_means(scores), truth))

    assert min(gains) > 0.05


def test_rank_round_orders_by_the_chosen_view_with_intervals_around_it() -> None:
    scores, _truth = _simulated(1)

    ranked = rank_round(scores, method=Aggregation.JUDGE_EFFECT, samples=100, seed=3)
    again = rank_round(scores, method=Aggregation.JUDGE_EFFECT, samples=100, seed=3)

    assert ranked == again  # the same seed, the same page
    assert [r.rank for r in ranked.rows] == sorted(r.rank for r in ranked.rows)
    assert all(r.score == r.adjusted for r in ranked.rows)
    assert all(r.interval_low <= r.score + 1e-9 <= r.interval_high + 2e-9 for r in ranked.rows)
    for better, worse in zip(ranked.rows, ranked.rows[1:], strict=False):
        assert worse.tied_with_better == (worse.interval_high >= better.interval_low)


def test_rank_round_marks_overlapping_neighbours_as_tied_and_clear_gaps_not() -> None:
    # Three judges agree on P1 (9) far above P2 (5); P2 and P3 differ by a hair.
    scores = [
        JudgeScore(p, j, value + noise)
        for j, noise in ((1, 0.0), (2, 0.2), (3, -0.2))
        for p, value in ((1, 9.0), (2, 5.0), (3, 4.95))
    ]

    rows = rank_round(scores, method=Aggregation.RAW_MEAN, samples=200).rows

    assert [r.project_id for r in rows] == [1, 2, 3]
    assert [r.tied_with_better for r in rows] == [False, False, True]


def test_rank_round_of_raw_mean_puts_the_raw_order_first() -> None:
    scores, _truth = _simulated(2)

    rows = rank_round(scores, method=Aggregation.RAW_MEAN, samples=20).rows

    assert [r.rank for r in rows] == sorted(r.raw_rank for r in rows)
    assert all(r.score == r.raw_mean for r in rows)
