"""The ranking math, checked against examples computed by hand."""

from __future__ import annotations

import random

import pytest

from app.judging.ranking import (
    JudgeScore,
    competition_ranks,
    judge_effects,
    podium,
    rank_projects,
    raw_means,
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
    # judge 10: mean 4.5, deviation 0.5 -> P1 +1, P2 -1; judge 20: mean 2.5 -> P2 -1, P3 +1
    assert zscore_means(INCOMPLETE) == {1: 1.0, 2: -1.0, 3: 1.0}


def test_zscore_of_a_judge_giving_equal_scores_counts_as_zero() -> None:
    scores = [JudgeScore(1, 10, 4.0), JudgeScore(2, 10, 4.0), JudgeScore(1, 20, 5.0)]

    assert zscore_means(scores) == {1: 0.0, 2: 0.0}


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
    assert fit.iterations <= 2 * 100


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

    assert [(r.raw_rank, r.z_rank, r.adjusted_rank) for r in rows.values()] == [
        (1, 1, 1),
        (2, 3, 3),
        (2, 1, 1),
    ]
    assert rows[2].judges == 2
    assert (rows[2].low, rows[2].high, rows[2].spread) == (2.0, 4.0, 2.0)
    assert rows[3].adjusted == pytest.approx(4.0)


def test_rank_projects_of_nothing_is_empty() -> None:
    assert rank_projects([]) == []
