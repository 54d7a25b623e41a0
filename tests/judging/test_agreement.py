"""Judges' agreement, their score distributions, and the recommended way to decide winners."""

from __future__ import annotations

import pytest

from app.judging.agreement import Design, distributions, icc1, kendall_w, recommend
from app.judging.models import Aggregation
from app.judging.ranking import JudgeScore


def test_icc_is_one_when_judges_agree_and_about_zero_when_scores_are_noise() -> None:
    agreeing = [JudgeScore(p, j, float(p)) for p in range(5) for j in range(3)]
    # Each project gets 1, 3, 5 from its three judges: nothing between projects.
    noise = [JudgeScore(p, j, float(1 + 2 * ((p + j) % 3))) for p in range(6) for j in range(3)]

    assert icc1(agreeing) == pytest.approx(1.0)
    assert icc1(noise) == pytest.approx(-0.5)  # one-way ICC floor for 3 judges: -1/(k-1)


def test_icc_by_hand_on_an_incomplete_design() -> None:
    # P1: 4, 6 (mean 5); P2: 2, 2, 2 (mean 2); grand mean 16/5 = 3.2.
    scores = [
        JudgeScore(1, 1, 4.0),
        JudgeScore(1, 2, 6.0),
        JudgeScore(2, 1, 2.0),
        JudgeScore(2, 2, 2.0),
        JudgeScore(2, 3, 2.0),
    ]
    msb = (2 * (5 - 3.2) ** 2 + 3 * (2 - 3.2) ** 2) / 1
    msw = (1 + 1) / 3
    k0 = (5 - (4 + 9) / 5) / 1

    assert icc1(scores) == pytest.approx((msb - msw) / (msb + (k0 - 1) * msw))


def test_kendall_w_needs_every_judge_on_every_project() -> None:
    same = [JudgeScore(p, j, float(p)) for p in range(4) for j in range(3)]
    reversed_second = [JudgeScore(p, 1, float(p)) for p in range(4)] + [
        JudgeScore(p, 2, float(-p)) for p in range(4)
    ]

    assert kendall_w(same) == pytest.approx(1.0)
    assert kendall_w(reversed_second) == pytest.approx(0.0)
    assert kendall_w(same[:-1]) is None


def test_distributions_list_each_judges_scores() -> None:
    scores = [JudgeScore(1, 7, 4.0), JudgeScore(2, 7, 2.0), JudgeScore(1, 8, 5.0)]

    (first, second) = distributions(scores)

    assert (first.judge_id, first.values, first.mean) == (7, [2.0, 4.0], 3.0)
    assert (second.low, second.high) == (5.0, 5.0)


@pytest.mark.parametrize(
    ("panels", "method", "design"),
    [
        ({}, Aggregation.JUDGE_EFFECT, Design.EMPTY),
        ({1: {1, 2}, 2: {1, 2}}, Aggregation.RAW_MEAN, Design.COMPLETE),
        ({1: {1}, 2: {2}}, Aggregation.Z_SCORE, Design.SINGLE),
        ({1: {1, 2}, 2: {3, 4}}, Aggregation.Z_SCORE, Design.DISCONNECTED),
        ({1: {1, 2}, 2: {2, 3}, 3: {3, 1}}, Aggregation.JUDGE_EFFECT, Design.CONNECTED),
    ],
)
def test_recommendation_follows_the_design(
    panels: dict[int, set[int]], method: Aggregation, design: Design
) -> None:
    found = recommend(panels)

    assert (found.method, found.design) == (method, design)
