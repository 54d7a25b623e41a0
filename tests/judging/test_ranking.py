"""The ranking math, checked against examples computed by hand."""

from __future__ import annotations

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
