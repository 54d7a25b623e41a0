"""People's choice: flagging the anomalies of a public vote, which the organisers' page
does on every visit over all of the round's ballots (app/judging/anomalies.py)."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from app.db import utcnow
from app.judging import anomalies
from bench.harness import table


def ballots(n: int, seed: int = 7) -> list[anomalies.Ballot]:
    """n ballots over a 6-hour evening from n/20 networks, a third of them new voters, and a
    scripted burst of 200 from one network within five minutes."""
    rng = random.Random(seed)
    start = utcnow()
    made = []
    for k in range(n):
        at = start + timedelta(seconds=rng.uniform(0, 6 * 3600))
        network = f"10.{k % (n // 20 or 1) // 256}.{k % 256}.0/24"
        confirmed = at + timedelta(seconds=rng.uniform(10, 3600))
        made.append(anomalies.Ballot(k, network, rng.random() < 0.33, at, confirmed))
    for k in range(200):
        at = start + timedelta(seconds=k * 1.5)
        made.append(anomalies.Ballot(n + k, "203.0.113.0/24", True, at, at))
    return made


def rows(sizes: list[int], runs: int) -> list[list[str]]:
    found = []
    for size in sizes:
        data = ballots(size)
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            flagged = anomalies.flag(data, over=timedelta(hours=6))
            times.append((time.perf_counter() - began) * 1000)
        found.append([f"{size + 200:,}", f"{statistics.median(times):.0f}", f"{len(flagged):,}"])
    return found


def run(quick: bool) -> None:
    sizes, runs = ([1_000, 10_000], 1) if quick else ([1_000, 10_000, 100_000], 3)
    print(
        table(
            f"Public vote: flagging bursts over every ballot of a round (a 200-vote script "
            f"included), median of {runs}",
            ["ballots", "ms", "flagged"],
            rows(sizes, runs),
        )
    )
