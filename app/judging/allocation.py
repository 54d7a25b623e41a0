"""Assigning k judges to every project: pure functions, no database.

What a fair design needs, in order:

1. every project gets k distinct judges, none with a conflict of interest;
2. loads as even as the conflicts allow (within one of each other whenever possible);
3. the judges connected: any two linked through a chain of shared projects. Otherwise the
   design splits into groups who never meet, and a group's leniency cannot be told apart
   from the quality of the projects it saw (the judge-effect ranking collapses to the raw
   mean, group by group);
4. as many distinct panels as the sizes allow, so each judge meets many others.

Greedy first: the most constrained project first, each time the least-loaded eligible judge
who has sat least often with the judges already chosen. Then repair the loads: while a judge
could pass work to one with at least two projects less, move projects along a chain of
judges (the classic optimality test for a convex-cost flow, so loads end as even as the
conflicts allow). Last, swaps (judge a of project p trades places with judge b of project q)
keep every load and every panel size, so they may only improve the design: they join
separate groups of judges, then make repeated panels distinct.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from math import comb


class NotEnoughJudges(Exception):
    """A project has fewer eligible judges than it needs."""

    def __init__(self, project_id: int, eligible: int, needed: int) -> None:
        super().__init__(f"project {project_id}: {eligible} eligible judges, {needed} needed")
        self.project_id = project_id
        self.eligible = eligible
        self.needed = needed


@dataclass(frozen=True)
class Design:
    """What an allocation looks like, for organisers (and for the tests of its properties)."""

    coverage: dict[int, int]  # project id -> judges
    loads: dict[int, int]  # judge id -> projects (judges with none included)
    groups: list[list[int]]  # judges linked through shared projects; one group is connected
    distinct_panels: int
    repeated_panels: int  # projects whose panel another project has too

    @property
    def connected(self) -> bool:
        return len(self.groups) <= 1


def describe(panels: Mapping[int, Iterable[int]], judges: Iterable[int] = ()) -> Design:
    """Coverage, loads, linked groups (of judges with at least one project) and panels."""
    loads: Counter[int] = Counter(dict.fromkeys(judges, 0))
    frozen = {pid: frozenset(panel) for pid, panel in panels.items()}
    for panel in frozen.values():
        loads.update(panel)
    counts = Counter(frozen.values())
    return Design(
        coverage={pid: len(panel) for pid, panel in frozen.items()},
        loads=dict(loads),
        groups=components(frozen.values()),
        distinct_panels=len(counts),
        repeated_panels=sum(n for n in counts.values() if n > 1),
    )


def components(panels: Iterable[Iterable[int]]) -> list[list[int]]:
    """The groups of judges linked through shared panels, largest first (union-find)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for panel in panels:
        members = list(panel)
        for judge in members:
            parent.setdefault(judge, judge)
        for judge in members[1:]:
            a, b = find(members[0]), find(judge)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for judge in sorted(parent):
        groups.setdefault(find(judge), []).append(judge)
    return sorted(groups.values(), key=lambda g: (-len(g), g))


def allocate(
    projects: Sequence[int],
    judges: Sequence[int],
    *,
    per_project: int,
    conflicts: Mapping[int, set[int]],
    seed: int = 0,
) -> dict[int, list[int]]:
    """project id -> its judges' ids (sorted); each project gets `per_project` distinct judges.

    Deterministic for a given `seed` (the swaps try candidates in a shuffled order).
    """
    judge_order = sorted(set(judges))
    eligible = {
        pid: [j for j in judge_order if j not in conflicts.get(pid, set())] for pid in projects
    }
    for pid in projects:
        if len(eligible[pid]) < per_project:
            raise NotEnoughJudges(pid, len(eligible[pid]), per_project)
    panels = _greedy(projects, judge_order, eligible, per_project)
    load = Counter(dict.fromkeys(judge_order, 0))
    for panel in panels.values():
        load.update(panel)
    _rebalance(panels, load, conflicts)
    rng = random.Random(seed)  # noqa: S311 - an order to try swaps in, not a secret
    _connect(panels, conflicts, rng)
    _diversify(panels, conflicts, rng)
    return {pid: sorted(panels[pid]) for pid in projects}


def _greedy(
    projects: Sequence[int],
    judge_order: list[int],
    eligible: Mapping[int, list[int]],
    per_project: int,
) -> dict[int, set[int]]:
    """One judge at a time: least loaded, then least often together with those chosen, then
    a rotation so ties do not always fall on the same judges."""
    position = {judge: i for i, judge in enumerate(judge_order)}
    count = max(len(judge_order), 1)
    load = dict.fromkeys(judge_order, 0)
    together: dict[int, Counter[int]] = {judge: Counter() for judge in judge_order}
    panels: dict[int, set[int]] = {}
    # The most constrained projects choose first, while every judge is still free.
    ordered = sorted(projects, key=lambda pid: (len(eligible[pid]), pid))
    for turn, pid in enumerate(ordered):
        chosen: list[int] = []
        for _seat in range(per_project):
            free = [j for j in eligible[pid] if j not in chosen]
            least = min(load[j] for j in free)
            best = min(
                (j for j in free if load[j] == least),
                key=lambda j: (
                    sum(together[j][c] for c in chosen),
                    (position[j] - turn * (per_project + 1)) % count,
                ),
            )
            for c in chosen:
                together[best][c] += 1
                together[c][best] += 1
            chosen.append(best)
            load[best] += 1
        panels[pid] = set(chosen)
    return panels


def _rebalance(
    panels: dict[int, set[int]], load: Counter[int], conflicts: Mapping[int, set[int]]
) -> None:
    """Move projects along chains of judges while one can pass work to another with two less.

    Each move lowers the sum of squared loads, so the loop ends; when no such chain is left
    the loads are as even as the conflicts allow (the busiest judge as idle as possible and
    the idlest as busy as possible).
    """
    while load and max(load.values()) - min(load.values()) > 1:
        for level in sorted(set(load.values()), reverse=True):
            path = _chain(panels, load, conflicts, level)
            if path is not None:
                break
        else:
            return
        for giver, taker, pid in path:
            panels[pid].remove(giver)
            panels[pid].add(taker)
            load[giver] -= 1
            load[taker] += 1


def _chain(
    panels: Mapping[int, set[int]],
    load: Mapping[int, int],
    conflicts: Mapping[int, set[int]],
    level: int,
) -> list[tuple[int, int, int]] | None:
    """Breadth-first: moves (giver, taker, project) from a judge with `level` projects to one
    with at most level - 2, each intermediate judge giving one project and taking one."""
    holds: dict[int, list[int]] = {judge: [] for judge in load}
    for pid in sorted(panels):
        for judge in panels[pid]:
            holds[judge].append(pid)
    starts = sorted(j for j, n in load.items() if n == level)
    came_from: dict[int, tuple[int, int] | None] = dict.fromkeys(starts)
    queue = deque(starts)
    while queue:
        giver = queue.popleft()
        for pid in holds[giver]:
            for taker in sorted(load):
                if taker in came_from or taker in panels[pid]:
                    continue
                if taker in conflicts.get(pid, set()):
                    continue
                came_from[taker] = (giver, pid)
                if load[taker] <= level - 2:
                    return _moves(came_from, taker)
                queue.append(taker)
    return None


def _moves(came_from: Mapping[int, tuple[int, int] | None], end: int) -> list[tuple[int, int, int]]:
    moves: list[tuple[int, int, int]] = []
    taker = end
    step = came_from[taker]
    while step is not None:
        giver, pid = step
        moves.append((giver, taker, pid))
        taker = giver
        step = came_from[taker]
    # Apply from the busiest end: each judge gives only after it was checked to hold it.
    return list(reversed(moves))


def _can_swap(
    panels: Mapping[int, set[int]],
    conflicts: Mapping[int, set[int]],
    p: int,
    a: int,
    q: int,
    b: int,
) -> bool:
    """May judge a leave p for q while b leaves q for p?"""
    return (
        a not in panels[q]
        and b not in panels[p]
        and b not in conflicts.get(p, set())
        and a not in conflicts.get(q, set())
    )


def _swap(panels: dict[int, set[int]], p: int, a: int, q: int, b: int) -> None:
    panels[p].remove(a)
    panels[p].add(b)
    panels[q].remove(b)
    panels[q].add(a)


def _connect(
    panels: dict[int, set[int]], conflicts: Mapping[int, set[int]], rng: random.Random
) -> None:
    """Join the groups of judges with swaps across them, while any swap lowers their number.

    A swap of a in p (first group) with b in q (another) joins both groups whenever a and b
    each keep another project, and loads do not change.
    """
    groups = components(panels.values())
    while len(groups) > 1:
        group_of = {judge: i for i, group in enumerate(groups) for judge in group}
        # Projects by group (a panel lies within one group).
        by_group: dict[int, list[int]] = {}
        for pid in sorted(panels):
            if panels[pid]:
                by_group.setdefault(group_of[next(iter(panels[pid]))], []).append(pid)
        joined = False
        first = by_group.get(0, [])
        others = [pid for g, pids in sorted(by_group.items()) if g != 0 for pid in pids]
        pairs = [(p, q) for p in first for q in others]
        rng.shuffle(pairs)
        for p, q in pairs:
            for a in sorted(panels[p]):
                for b in sorted(panels[q]):
                    if not _can_swap(panels, conflicts, p, a, q, b):
                        continue
                    _swap(panels, p, a, q, b)
                    after = components(panels.values())
                    if len(after) < len(groups):
                        groups, joined = after, True
                        break
                    _swap(panels, p, b, q, a)  # undo
                if joined:
                    break
            if joined:
                break
        if not joined:
            return  # the conflicts (or the sizes) allow no better


def _diversify(
    panels: dict[int, set[int]], conflicts: Mapping[int, set[int]], rng: random.Random
) -> None:
    """Make repeated panels distinct with swaps that keep the judges connected as they are."""
    counts = Counter(frozenset(panel) for panel in panels.values())
    groups = len(components(panels.values()))
    pids = sorted(panels)
    judges = {judge for panel in panels.values() for judge in panel}
    size = max((len(panel) for panel in panels.values()), default=0)
    # No design has more distinct panels than there are sets of `size` judges.
    most = min(len(pids), comb(len(judges), size))
    stalled = False
    while not stalled and len(counts) < most:
        repeated = [pid for pid in pids if counts[frozenset(panels[pid])] > 1]
        if not repeated:
            return
        stalled = True
        for p in repeated:
            others = [q for q in pids if q != p]
            rng.shuffle(others)
            if _improve(panels, conflicts, counts, groups, p, others):
                stalled = False
                break


def _improve(
    panels: dict[int, set[int]],
    conflicts: Mapping[int, set[int]],
    counts: Counter[frozenset[int]],
    groups: int,
    p: int,
    others: list[int],
) -> bool:
    """One swap between p (whose panel repeats) and another project that raises the number of
    distinct panels without splitting the judges; True if one was made."""
    for q in others:
        for a in sorted(panels[p]):
            for b in sorted(panels[q]):
                if not _can_swap(panels, conflicts, p, a, q, b):
                    continue
                old_p, old_q = frozenset(panels[p]), frozenset(panels[q])
                new_p, new_q = old_p - {a} | {b}, old_q - {b} | {a}
                if _gain(counts, old_p, old_q, new_p, new_q) <= 0:
                    continue
                _swap(panels, p, a, q, b)
                if len(components(panels.values())) <= groups:
                    counts.subtract([old_p, old_q])
                    counts.update([new_p, new_q])
                    for key in (old_p, old_q):
                        if counts[key] <= 0:
                            del counts[key]
                    return True
                _swap(panels, p, b, q, a)
    return False


def _gain(
    counts: Counter[frozenset[int]],
    old_p: frozenset[int],
    old_q: frozenset[int],
    new_p: frozenset[int],
    new_q: frozenset[int],
) -> int:
    """How many more distinct panels there would be after the swap."""
    touched = {key: counts.get(key, 0) for key in (old_p, old_q, new_p, new_q)}
    before = sum(1 for n in touched.values() if n > 0)
    touched[old_p] -= 1
    touched[old_q] -= 1
    touched[new_p] += 1
    touched[new_q] += 1
    return sum(1 for n in touched.values() if n > 0) - before
