"""Crowd-BT: pairwise judging where judges are not all equally reliable. Pure functions on
numbers and arrays, no database.

The model (Chen, Bennett, Collins-Thompson, Horvitz, "Pairwise ranking aggregation in a
crowdsourced setting", WSDM 2013): project i has a quality s_i; judge k is reliable with
probability eta_k, and then says "i beat j" with the Bradley-Terry probability
e^s_i / (e^s_i + e^s_j), otherwise the opposite. We keep a Gaussian belief N(mu, sigma^2)
about every s and a Beta(alpha, beta) belief about every eta, and after each vote update them
in closed form (written here from the likelihood, not copied from any program):

- integrating eta out, P(i beat j) = (alpha e^s_i + beta e^s_j) / ((alpha + beta)(e^s_i + e^s_j));
  one Newton step on its logarithm moves mu and shrinks sigma^2 (never below a share kappa);
- the judge's Beta is moment-matched to its posterior: the first two moments of eta given the
  vote, with P(s_i > s_j) taken to second order in the projects' uncertainty.

The next project a judge is sent to is the one whose comparison with the project they just saw
is expected to teach most: the expected Kullback-Leibler divergence from the current beliefs to
the updated ones (both projects', plus gamma times the judge's), over the two outcomes.

The final ranking does not use these running beliefs (they depend on the order of the votes):
it is a Bradley-Terry maximum-likelihood fit of every valid vote (`fit`), so undoing or voiding
votes leaves exactly the ranking those votes would have given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import choix
import numpy as np
from numpy.typing import NDArray
from scipy.special import betaln, digamma, expit

Floats = NDArray[np.float64]

# A new project: quality 0, unit variance. A new judge: Beta(10, 1), a mean reliability of 0.91
# (judges at a final are chosen people; a careless one is found out by their votes).
PRIOR_MU = 0.0
PRIOR_SIGMA_SQ = 1.0
PRIOR_ALPHA = 10.0
PRIOR_BETA = 1.0
# Keeps a variance positive when one vote would otherwise drive it to zero or below.
KAPPA = 1e-4
# How much learning about the judge counts against learning about the projects.
GAMMA = 0.1
# Bradley-Terry fit: the regularisation (a small pull towards equal strengths, so a project that
# won or lost every comparison still has a finite strength) and the tolerance of choix's ILSR.
FIT_ALPHA = 0.01
FIT_TOL = 1e-6


@dataclass(frozen=True)
class Belief:
    """What we believe of one project's quality."""

    mu: float = PRIOR_MU
    sigma_sq: float = PRIOR_SIGMA_SQ


@dataclass(frozen=True)
class Reliability:
    """What we believe of one judge's reliability: Beta(alpha, beta)."""

    alpha: float = PRIOR_ALPHA
    beta: float = PRIOR_BETA

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


def _judge_posterior(
    alpha: Floats | float,
    beta: Floats | float,
    mu_w: Floats | float,
    s_w: Floats | float,
    mu_l: Floats | float,
    s_l: Floats | float,
) -> tuple[Floats, Floats, Floats]:
    """(probability of this outcome, alpha', beta') for the judge saying w beat l."""
    p = expit(np.subtract(mu_w, mu_l))
    # P(s_w > s_l) to second order in the variances: E[sigmoid] ~ sigmoid + var/2 * sigmoid''.
    c1 = np.clip(p + 0.5 * np.add(s_w, s_l) * p * (1 - p) * (1 - 2 * p), 1e-12, 1 - 1e-12)
    c2 = 1 - c1
    a, b = np.asarray(alpha, dtype=np.float64), np.asarray(beta, dtype=np.float64)
    total = a + b
    outcome = (c1 * a + c2 * b) / total
    # E[eta | vote] and E[eta^2 | vote]: the prior's moments reweighted by the likelihood.
    m1 = (c1 * (a + 1) * a + c2 * a * b) / (outcome * (total + 1) * total)
    m2 = (c1 * (a + 2) * (a + 1) * a + c2 * (a + 1) * a * b) / (
        outcome * (total + 2) * (total + 1) * total
    )
    # The Beta with those moments: alpha + beta = (m1 - m2) / (m2 - m1^2).
    spread = np.maximum(m2 - m1 * m1, 1e-12)
    size = (m1 - m2) / spread
    return outcome, m1 * size, (1 - m1) * size


def _project_posterior(
    alpha: Floats | float,
    beta: Floats | float,
    mu_w: Floats | float,
    s_w: Floats | float,
    mu_l: Floats | float,
    s_l: Floats | float,
) -> tuple[Floats, Floats, Floats, Floats]:
    """(mu_w', sigma_w^2', mu_l', sigma_l^2') after the judge said w beat l."""
    d = np.subtract(mu_w, mu_l)
    p = expit(d)  # e^w / (e^w + e^l)
    q = expit(d + np.log(np.divide(alpha, beta)))  # alpha e^w / (alpha e^w + beta e^l)
    gradient = q - p  # d/d s_w of log P(w beat l); d/d s_l is its opposite
    curvature = q * (1 - q) - p * (1 - p)  # the second derivative, the same for both
    return (
        mu_w + s_w * gradient,
        s_w * np.maximum(1 + s_w * curvature, KAPPA),
        mu_l - s_l * gradient,
        s_l * np.maximum(1 + s_l * curvature, KAPPA),
    )


def update(judge: Reliability, winner: Belief, loser: Belief) -> tuple[Reliability, Belief, Belief]:
    """The beliefs after the judge said `winner` was better than `loser`."""
    _p, alpha, beta = _judge_posterior(
        judge.alpha, judge.beta, winner.mu, winner.sigma_sq, loser.mu, loser.sigma_sq
    )
    mu_w, s_w, mu_l, s_l = _project_posterior(
        judge.alpha, judge.beta, winner.mu, winner.sigma_sq, loser.mu, loser.sigma_sq
    )
    return (
        Reliability(float(alpha), float(beta)),
        Belief(float(mu_w), float(s_w)),
        Belief(float(mu_l), float(s_l)),
    )


def _kl_normal(mu1: Floats, s1: Floats, mu0: Floats | float, s0: Floats | float) -> Floats:
    """KL(N(mu1, s1) || N(mu0, s0)), variances s."""
    return np.asarray(
        0.5 * (np.log(np.divide(s0, s1)) + (s1 + np.square(np.subtract(mu1, mu0))) / s0 - 1),
        dtype=np.float64,
    )


def _kl_beta(a1: Floats, b1: Floats, a0: float, b0: float) -> Floats:
    """KL(Beta(a1, b1) || Beta(a0, b0))."""
    return np.asarray(
        betaln(a0, b0)
        - betaln(a1, b1)
        + (a1 - a0) * digamma(a1)
        + (b1 - b0) * digamma(b1)
        + (a0 - a1 + b0 - b1) * digamma(a1 + b1),
        dtype=np.float64,
    )


def expected_gains(judge: Reliability, seen: Belief, mu: Floats, sigma_sq: Floats) -> Floats:
    """For each candidate project (arrays `mu`, `sigma_sq`), the expected information gain of
    the judge comparing it with the project they have just `seen`."""
    a, b = judge.alpha, judge.beta
    total = np.zeros(len(mu))
    seen_mu = np.full(len(mu), seen.mu)
    seen_sigma_sq = np.full(len(mu), seen.sigma_sq)
    for args in ((seen_mu, seen_sigma_sq, mu, sigma_sq), (mu, sigma_sq, seen_mu, seen_sigma_sq)):
        outcome, alpha, beta = _judge_posterior(a, b, *args)
        mu_w, s_w, mu_l, s_l = _project_posterior(a, b, *args)
        w0, l0 = (args[0], args[1]), (args[2], args[3])
        gain = (
            _kl_normal(mu_w, s_w, *w0)
            + _kl_normal(mu_l, s_l, *l0)
            + GAMMA * _kl_beta(alpha, beta, a, b)
        )
        total = total + outcome * gain
    return np.asarray(total, dtype=np.float64)


@dataclass(frozen=True)
class Fitted:
    """Bradley-Terry strengths (log scale, mean 0) with an approximate standard error each."""

    strength: dict[int, float]
    stderr: dict[int, float]
    wins: dict[int, int]
    comparisons: dict[int, int]


def fit(votes: Sequence[tuple[int, int]], *, intervals: bool = True) -> Fitted:
    """The Bradley-Terry fit of (winner id, loser id) votes, by choix's iterative Luce spectral
    ranking; projects never compared are absent. Standard errors come from the curvature of the
    (regularised) log-likelihood at the fit."""
    ids = sorted({pid for vote in votes for pid in vote})
    if not ids:
        return Fitted({}, {}, {}, {})
    index = {pid: i for i, pid in enumerate(ids)}
    data = [(index[w], index[lo]) for w, lo in votes]
    n = len(ids)
    strength = np.asarray(
        choix.ilsr_pairwise(n, data, alpha=FIT_ALPHA, tol=FIT_TOL), dtype=np.float64
    )
    winners = np.array([w for w, _l in data], dtype=np.int64)
    losers = np.array([lo for _w, lo in data], dtype=np.int64)
    wins = np.bincount(winners, minlength=n)
    played = wins + np.bincount(losers, minlength=n)
    stderr = np.full(n, np.nan)
    if intervals:
        stderr = _stderr(strength, winners, losers, n)
    return Fitted(
        {pid: float(strength[i]) for pid, i in index.items()},
        {pid: float(stderr[i]) for pid, i in index.items()},
        {pid: int(wins[i]) for pid, i in index.items()},
        {pid: int(played[i]) for pid, i in index.items()},
    )


def _stderr(
    strength: Floats, winners: NDArray[np.int64], losers: NDArray[np.int64], n: int
) -> Floats:
    """sqrt of the diagonal of the covariance of the mean-zero strengths: the inverse of the
    information matrix sum p(1-p)(e_w - e_l)(e_w - e_l)^T (plus the regularisation), projected
    off the free constant (adding c to every strength changes no probability)."""
    p = expit(strength[winners] - strength[losers])
    weight = p * (1 - p)
    info = np.zeros((n, n))
    np.add.at(info, (winners, winners), weight)
    np.add.at(info, (losers, losers), weight)
    np.add.at(info, (winners, losers), -weight)
    np.add.at(info, (losers, winners), -weight)
    info[np.diag_indices(n)] += FIT_ALPHA
    centre = np.eye(n) - 1.0 / n
    covariance = centre @ np.linalg.inv(info) @ centre
    return np.asarray(np.sqrt(np.clip(np.diag(covariance), 0.0, None)), dtype=np.float64)
