"""Crowd-BT's updates and information gain, and the Bradley-Terry refit, checked against the
mathematics they come from (no database)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import expit

from app.judging import crowd_bt
from app.judging.crowd_bt import Belief, Reliability
from app.judging.pairwise import MIN_VIEWS, choose


def test_a_vote_moves_the_winner_up_the_loser_down_and_both_become_surer() -> None:
    _judge, winner, loser = crowd_bt.update(Reliability(), Belief(), Belief())

    assert winner.mu > 0 > loser.mu
    assert winner.mu == pytest.approx(-loser.mu)
    assert winner.sigma_sq < 1 and loser.sigma_sq < 1


def test_the_project_update_is_a_newton_step_on_the_crowd_likelihood() -> None:
    """mu' = mu + sigma^2 d/ds log P(w beat l), where eta is integrated out of the likelihood."""
    judge, w, lo = Reliability(6.0, 2.0), Belief(0.3, 0.8), Belief(-0.2, 0.5)

    def log_p(s_w: float, s_l: float) -> float:
        a, b = judge.alpha, judge.beta
        return math.log(
            (a * math.exp(s_w) + b * math.exp(s_l)) / ((a + b) * (math.exp(s_w) + math.exp(s_l)))
        )

    h = 1e-5
    grad = (log_p(w.mu + h, lo.mu) - log_p(w.mu - h, lo.mu)) / (2 * h)
    curv = (log_p(w.mu + h, lo.mu) - 2 * log_p(w.mu, lo.mu) + log_p(w.mu - h, lo.mu)) / h**2

    _j, new_w, new_l = crowd_bt.update(judge, w, lo)

    assert new_w.mu == pytest.approx(w.mu + w.sigma_sq * grad, rel=1e-6)
    assert new_l.mu == pytest.approx(lo.mu - lo.sigma_sq * grad, rel=1e-6)
    assert new_w.sigma_sq == pytest.approx(w.sigma_sq * (1 + w.sigma_sq * curv), rel=1e-4)


def test_the_judge_update_matches_the_moments_of_the_exact_posterior() -> None:
    """With certain projects (no variance) the posterior of eta is the prior times
    eta p + (1 - eta)(1 - p): its mean and variance are what the Beta update keeps."""
    judge = Reliability(4.0, 2.0)
    w, lo = Belief(1.0, 0.0), Belief(0.0, 0.0)
    p = float(expit(1.0))

    def density(eta: float) -> float:
        beta_pdf = eta ** (judge.alpha - 1) * (1 - eta) ** (judge.beta - 1)
        return beta_pdf * (eta * p + (1 - eta) * (1 - p))

    norm = integrate.quad(density, 0, 1)[0]
    mean = integrate.quad(lambda e: e * density(e), 0, 1)[0] / norm
    second = integrate.quad(lambda e: e * e * density(e), 0, 1)[0] / norm

    new, _w, _l = crowd_bt.update(judge, w, lo)
    total = new.alpha + new.beta

    assert new.mean == pytest.approx(mean, rel=1e-9)
    assert new.alpha * (new.alpha + 1) / (total * (total + 1)) == pytest.approx(second, rel=1e-9)


def test_a_judge_who_contradicts_clear_differences_loses_reliability() -> None:
    strong, weak = Belief(2.0, 0.05), Belief(-2.0, 0.05)
    judge = Reliability()
    for _ in range(10):
        judge, _w, _l = crowd_bt.update(judge, weak, strong)
    assert judge.mean < Reliability().mean - 0.2


def test_a_variance_never_drops_to_zero_or_below() -> None:
    judge = Reliability(1000.0, 0.001)
    w, lo = Belief(0.0, 50.0), Belief(0.0, 50.0)
    _j, new_w, new_l = crowd_bt.update(judge, w, lo)
    assert new_w.sigma_sq > 0 and new_l.sigma_sq > 0


def test_the_information_gain_prefers_uncertain_close_projects() -> None:
    seen = Belief(0.0, 1.0)
    mu = np.array([0.0, 0.0, 4.0])
    sigma_sq = np.array([1.0, 0.01, 1.0])

    gains = crowd_bt.expected_gains(Reliability(), seen, mu, sigma_sq)

    assert gains[0] > gains[1]  # the same closeness, more to learn
    assert gains[0] > gains[2]  # the same uncertainty, a foregone outcome
    assert (gains >= 0).all()


def test_the_information_gain_is_the_expected_kl_of_the_two_outcomes() -> None:
    judge, seen, other = Reliability(5.0, 1.5), Belief(0.4, 0.7), Belief(-0.1, 0.9)

    def kl_normal(new: Belief, old: Belief) -> float:
        return 0.5 * (
            math.log(old.sigma_sq / new.sigma_sq)
            + (new.sigma_sq + (new.mu - old.mu) ** 2) / old.sigma_sq
            - 1
        )

    def kl_beta(new: Reliability, old: Reliability) -> float:
        from scipy.special import betaln, digamma

        return float(
            betaln(old.alpha, old.beta)
            - betaln(new.alpha, new.beta)
            + (new.alpha - old.alpha) * digamma(new.alpha)
            + (new.beta - old.beta) * digamma(new.beta)
            + (old.alpha - new.alpha + old.beta - new.beta) * digamma(new.alpha + new.beta)
        )

    def outcome(w: Belief, lo: Belief) -> float:
        p = float(expit(w.mu - lo.mu))
        c1 = p + 0.5 * (w.sigma_sq + lo.sigma_sq) * p * (1 - p) * (1 - 2 * p)
        return (c1 * judge.alpha + (1 - c1) * judge.beta) / (judge.alpha + judge.beta)

    expected = 0.0
    for w, lo in ((seen, other), (other, seen)):
        j, nw, nl = crowd_bt.update(judge, w, lo)
        gain = kl_normal(nw, w) + kl_normal(nl, lo) + crowd_bt.GAMMA * kl_beta(j, judge)
        expected += outcome(w, lo) * gain

    found = crowd_bt.expected_gains(judge, seen, np.array([other.mu]), np.array([other.sigma_sq]))

    assert found[0] == pytest.approx(expected, rel=1e-9)


def test_the_refit_recovers_the_order_of_hidden_strengths() -> None:
    rng = random.Random(3)
    truth = {pid: pid / 4 for pid in range(1, 21)}
    votes = []
    for _ in range(2000):
        a, b = rng.sample(sorted(truth), 2)
        p = 1 / (1 + math.exp(truth[b] - truth[a]))
        votes.append((a, b) if rng.random() < p else (b, a))

    fitted = crowd_bt.fit(votes)

    tau = stats.kendalltau([truth[p] for p in truth], [fitted.strength[p] for p in truth])
    assert tau.statistic > 0.85
    assert all(0 < se < 1 for se in fitted.stderr.values())
    assert sum(fitted.comparisons.values()) == 2 * len(votes)


def test_the_refit_depends_only_on_the_votes_not_their_order() -> None:
    votes = [(1, 2), (2, 3), (1, 3), (3, 1), (2, 1), (1, 2)]
    assert crowd_bt.fit(votes).strength == pytest.approx(crowd_bt.fit(votes[::-1]).strength)


def test_no_votes_give_an_empty_ranking() -> None:
    assert crowd_bt.fit([]).strength == {}


def test_every_project_is_seen_a_minimum_number_of_times_first() -> None:
    items = {1: (3.0, 0.01, MIN_VIEWS + 3), 2: (0.0, 1.0, MIN_VIEWS), 3: (0.0, 1.0, 0)}
    chosen = choose([1, 2, 3], items=items, judge=Reliability(), seen=1, busy=set())
    assert chosen == 3


def test_a_project_another_judge_is_at_is_avoided_unless_nothing_else_is_left() -> None:
    items = {1: (0.0, 1.0, 0), 2: (0.0, 1.0, 0)}
    assert choose([1, 2], items=items, judge=Reliability(), seen=None, busy={1}) == 2
    assert choose([1], items=items, judge=Reliability(), seen=None, busy={1}) == 1


def test_nothing_left_to_see_is_none() -> None:
    assert choose([], items={}, judge=Reliability(), seen=None, busy=set()) is None


def test_the_most_informative_candidate_is_chosen() -> None:
    items = {
        9: (0.0, 0.5, MIN_VIEWS),
        1: (0.1, 1.0, MIN_VIEWS),  # close and uncertain
        2: (5.0, 0.05, MIN_VIEWS),  # far and certain
    }
    assert choose([1, 2], items=items, judge=Reliability(), seen=9, busy=set()) == 1
