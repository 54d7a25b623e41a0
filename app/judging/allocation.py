"""Assigning k judges to every project with balanced loads: pure functions, no database.

Greedy first (the most constrained project first, each time the least-loaded eligible
judges, rotating ties so panels overlap rather than repeat), then repair: while a judge could
pass work to one with at least two projects less, move projects along a chain of judges
(a -> b -> ... -> z, each taking one project from the previous, none with a conflict). This
is the classic optimality test for a convex-cost flow (no improving path left means the sum
of squared loads is minimal), so loads end as even as the conflicts allow: within one of
each other whenever that is possible. Without conflicts the greedy alone achieves it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence


class NotEnoughJudges(Exception):
    """A project has fewer eligible judges than it needs."""

    def __init__(self, project_id: int, eligible: int, needed: int) -> None:
        super().__init__(f"project {project_id}: {eligible} eligible judges, {needed} needed")
        self.project_id = project_id
        self.eligible = eligible
        self.needed = needed


def allocate(
    projects: Sequence[int],
    judges: Sequence[int],
    *,
    per_project: int,
    conflicts: Mapping[int, set[int]],
) -> dict[int, list[int]]:
    """project id -> its judges' ids (sorted); each project gets `per_project` distinct judges."""
    judge_order = sorted(set(judges))
    position = {judge: i for i, judge in enumerate(judge_order)}
    eligible = {
        pid: [j for j in judge_order if j not in conflicts.get(pid, set())] for pid in projects
    }
    for pid in projects:
        if len(eligible[pid]) < per_project:
            raise NotEnoughJudges(pid, len(eligible[pid]), per_project)
    load = dict.fromkeys(judge_order, 0)
    panels: dict[int, set[int]] = {}
    count = max(len(judge_order), 1)
    # The most constrained projects choose first, while every judge is still free.
    ordered = sorted(projects, key=lambda pid: (len(eligible[pid]), pid))
    for turn, pid in enumerate(ordered):
        chosen = sorted(
            eligible[pid], key=lambda j: (load[j], (position[j] - turn * per_project) % count)
        )[:per_project]
        panels[pid] = set(chosen)
        for judge in chosen:
            load[judge] += 1
    _rebalance(panels, load, conflicts)
    return {pid: sorted(panels[pid]) for pid in projects}


def _rebalance(
    panels: dict[int, set[int]], load: dict[int, int], conflicts: Mapping[int, set[int]]
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
