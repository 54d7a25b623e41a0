"""Balanced assignment of judges to projects, with conflicts of interest excluded."""

from __future__ import annotations

import random
from collections import Counter
from itertools import combinations, product
from math import comb, prod

import pytest

from app.judging.allocation import NotEnoughJudges, allocate, components, describe


def _loads(panels: dict[int, list[int]], judges: list[int]) -> Counter[int]:
    loads: Counter[int] = Counter(dict.fromkeys(judges, 0))
    for panel in panels.values():
        loads.update(panel)
    return loads


@pytest.mark.parametrize(
    ("projects", "judges", "k"), [(7, 5, 2), (10, 3, 3), (1, 4, 2), (12, 7, 3), (5, 9, 1)]
)
def test_allocate_gives_k_distinct_judges_and_loads_within_one(
    projects: int, judges: int, k: int
) -> None:
    project_ids = list(range(100, 100 + projects))
    judge_ids = list(range(1, judges + 1))

    panels = allocate(project_ids, judge_ids, per_project=k, conflicts={})

    assert sorted(panels) == project_ids
    assert all(len(set(panel)) == k for panel in panels.values())
    loads = _loads(panels, judge_ids)
    assert max(loads.values()) - min(loads.values()) <= 1


def test_allocate_never_assigns_a_conflicted_judge_and_stays_balanced() -> None:
    conflicts = {1: {1, 2}, 2: {1}, 3: {1}}

    panels = allocate([1, 2, 3, 4, 5, 6], [1, 2, 3, 4], per_project=2, conflicts=conflicts)

    for pid, conflicted in conflicts.items():
        assert not conflicted & set(panels[pid])
    assert _loads(panels, [1, 2, 3, 4]) == {1: 3, 2: 3, 3: 3, 4: 3}


def _best_spread(
    projects: list[int], judges: list[int], k: int, conflicts: dict[int, set[int]]
) -> int:
    """The smallest max-min load any valid assignment reaches (by trying them all)."""
    options = [
        [c for c in combinations(judges, k) if not conflicts.get(pid, set()) & set(c)]
        for pid in projects
    ]
    best = len(projects)
    for choice in product(*options):
        loads = Counter(dict.fromkeys(judges, 0))
        for panel in choice:
            loads.update(panel)
        best = min(best, max(loads.values()) - min(loads.values()))
    return best


def test_allocate_with_conflicts_is_as_balanced_as_possible() -> None:
    rng = random.Random(7)
    checked = 0
    while checked < 60:
        k = rng.randint(1, 2)
        projects = list(range(1, rng.randint(2, 7)))
        judges = list(range(1, rng.randint(k + 2, 6)))
        conflicts = {pid: {rng.choice(judges)} for pid in projects if rng.random() < 0.6}
        if len(list(combinations(judges, k))) ** len(projects) > 20_000:
            continue
        checked += 1

        panels = allocate(projects, judges, per_project=k, conflicts=conflicts)

        for pid, panel in panels.items():
            assert len(set(panel)) == k
            assert not conflicts.get(pid, set()) & set(panel)
        loads = _loads(panels, judges)
        spread = max(loads.values()) - min(loads.values())
        assert spread == _best_spread(projects, judges, k, conflicts), (projects, k, conflicts)


def test_allocate_with_too_few_eligible_judges_names_the_project() -> None:
    with pytest.raises(NotEnoughJudges) as caught:
        allocate([1, 2], [1, 2, 3], per_project=2, conflicts={2: {1, 3}})

    assert (caught.value.project_id, caught.value.eligible, caught.value.needed) == (2, 1, 2)


def _fewest_groups(projects: int, active_judges: int, k: int) -> int:
    """P panels of k judges link at most P * (k - 1) + 1 judges into one group."""
    return max(1, active_judges - projects * (k - 1))


GRID = [
    (projects, judges, k)
    for projects in (1, 2, 3, 5, 8, 12, 20, 45, 60)
    for judges in (2, 3, 4, 6, 9, 12, 13)
    for k in (2, 3, 4)
    if k <= judges
]


@pytest.mark.parametrize(("projects", "judges", "k"), GRID)
def test_allocate_without_conflicts_is_balanced_connected_and_varied(
    projects: int, judges: int, k: int
) -> None:
    judge_ids = list(range(1, judges + 1))

    panels = allocate(list(range(100, 100 + projects)), judge_ids, per_project=k, conflicts={})

    design = describe(panels, judge_ids)
    assert set(design.coverage.values()) == {k}
    assert max(design.loads.values()) - min(design.loads.values()) <= 1
    active = sum(1 for load in design.loads.values() if load)
    assert len(design.groups) == _fewest_groups(projects, active, k)
    assert design.distinct_panels == min(projects, comb(judges, k))


@pytest.mark.parametrize("judges", [6, 9, 12, 15])
def test_allocate_links_judges_when_their_number_is_a_multiple_of_k(judges: int) -> None:
    # The old greedy split 12 judges (k = 3) into four groups who always met the same projects.
    panels = allocate(list(range(60)), list(range(judges)), per_project=3, conflicts={})

    design = describe(panels)
    assert design.connected
    assert design.distinct_panels == min(60, comb(judges, 3))  # 6 judges make only 20


def test_allocate_with_conflicts_is_best_on_every_small_case() -> None:
    """Against every possible assignment: the fewest load spread, then the fewest groups of
    judges, then the most distinct panels, in that order."""
    rng = random.Random(5)
    checked = 0
    while checked < 60:
        k = rng.randint(2, 3)
        judges = list(range(1, rng.randint(k + 1, 5) + 1))
        projects = list(range(rng.randint(2, 5)))
        conflicts = {pid: {rng.choice(judges)} for pid in projects if rng.random() < 0.6}
        options = [
            [c for c in combinations(judges, k) if not conflicts.get(pid, set()) & set(c)]
            for pid in projects
        ]
        if not all(options) or prod(len(o) for o in options) > 20_000:
            continue
        checked += 1
        best = min(_quality(choice, judges) for choice in product(*options))

        panels = allocate(projects, judges, per_project=k, conflicts=conflicts)

        assert _quality(tuple(tuple(p) for p in panels.values()), judges) == best, conflicts
        for pid, panel in panels.items():
            assert not conflicts.get(pid, set()) & set(panel)


def _quality(choice: tuple[tuple[int, ...], ...], judges: list[int]) -> tuple[int, int, int]:
    loads = Counter(dict.fromkeys(judges, 0))
    for panel in choice:
        loads.update(panel)
    spread = max(loads.values()) - min(loads.values())
    return spread, len(components(choice)), -len({frozenset(p) for p in choice})


@pytest.mark.parametrize("seed", range(12))
def test_allocate_with_conflicts_on_larger_rounds_stays_connected(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.randint(2, 3)
    judges = list(range(1, rng.choice([6, 9, 12, 13]) + 1))
    projects = list(range(rng.randint(20, 60)))
    conflicts = {pid: set(rng.sample(judges, 2)) for pid in projects if rng.random() < 0.4}

    panels = allocate(projects, judges, per_project=k, conflicts=conflicts)

    design = describe(panels, judges)
    assert set(design.coverage.values()) == {k}
    assert max(design.loads.values()) - min(design.loads.values()) <= 1
    assert design.connected
    for pid, panel in panels.items():
        assert not conflicts.get(pid, set()) & set(panel)
