"""Organisers change a round's allocation by hand (remove or give an assignment to another
judge) and remove a judge, deciding what happens to what they scored."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import queries as accounts_queries
from app.accounts import service as accounts_service
from app.accounts.models import Role, RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import allocation, events, queries, rounds
from app.judging import conflicts as conflicts_service
from app.judging.models import Assignment, Round, RoundStatus, Score


class RoundClosedForChanges(Conflict):
    code = "round_closed"
    message = lazy("This round is closed: its assignments can no longer change.")


class AlreadyAssigned(Conflict):
    code = "already_assigned"
    message = lazy("This judge already scores this project in this round.")
    field = "judge_id"


class JudgeInConflict(Conflict):
    code = "judge_in_conflict"
    message = lazy("This judge has a conflict of interest with this project.")
    field = "judge_id"


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    project_title: str
    team_name: str
    judge_name: str


@dataclass(frozen=True)
class Coverage:
    """How many judges (not stepped back) a project has in the round, against k."""

    project_id: int
    project_title: str
    team_name: str
    judges: int
    needed: int

    @property
    def short(self) -> bool:
        return self.judges < self.needed


@dataclass(frozen=True)
class RoundAllocation:
    """Who scores what in one round, for its organisers, with what is wrong with the design."""

    round: Round
    challenge: Challenge
    rows: list[AssignmentRow]
    judges: list[User]
    coverage: list[Coverage]
    design: allocation.Design
    conflicts: list[conflicts_service.ConflictRow]

    @property
    def changeable(self) -> bool:
        return self.round.status != RoundStatus.CLOSED

    @property
    def short(self) -> list[Coverage]:
        return [c for c in self.coverage if c.short]

    @property
    def recused(self) -> list[AssignmentRow]:
        return [row for row in self.rows if row.assignment.recused_at is not None]

    @property
    def judge_groups(self) -> list[list[str]]:
        """The names in each group of judges linked through shared projects."""
        names = {judge.id: judge.name for judge in self.judges}
        for row in self.rows:
            names.setdefault(row.assignment.judge_id, row.judge_name)
        return [[names.get(j, f"#{j}") for j in group] for group in self.design.groups]

    @property
    def loads(self) -> dict[int, int]:
        """Judge id -> assignments in the round (every judge of the challenge, 0 included)."""
        counts = {judge.id: 0 for judge in self.judges if judge.id is not None}
        for row in self.rows:
            counts[row.assignment.judge_id] = counts.get(row.assignment.judge_id, 0) + 1
        return counts


@dataclass(frozen=True)
class JudgeRemoval:
    """What removing a judge touches: their scored sheets in rounds still open or in
    preparation (kept or discarded, as the organiser chooses) and in closed rounds (final)."""

    challenge: Challenge
    judge: User
    open_scored: int
    open_unscored: int
    closed_scored: int


async def round_allocation(session: AsyncSession, *, user: User, round_id: int) -> RoundAllocation:
    judging_round = await queries.get_round(session, round_id)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    challenge_id = judging_round.challenge_id
    rows = [
        AssignmentRow(assignment, project.title, team.name, judge.name)
        for assignment, project, team, judge in await queries.round_assignments(session, round_id)
    ]
    judges = await queries.judges(session, challenge_id)
    panels: dict[int, set[int]] = {}
    for row in rows:
        panel = panels.setdefault(row.assignment.project_id, set())
        if row.assignment.recused_at is None:
            panel.add(row.assignment.judge_id)
    # A project of the round (its scope) every judge stepped back from, or whose assignments
    # were removed, counts too.
    missing = [pid for pid in await rounds.project_ids(session, judging_round) if pid not in panels]
    names = await queries.project_names(session, missing)
    titles = {row.assignment.project_id: (row.project_title, row.team_name) for row in rows}
    titles.update({pid: (p.title, t.name) for pid, (p, t) in names.items()})
    for pid in names:
        panels[pid] = set()
    coverage = sorted(
        (
            Coverage(pid, *titles[pid], len(panel), judging_round.judges_per_project)
            for pid, panel in panels.items()
        ),
        key=lambda c: (c.judges >= c.needed, c.project_title, c.project_id),
    )
    return RoundAllocation(
        judging_round,
        access.challenge,
        rows,
        judges,
        coverage,
        allocation.describe(panels, [j.id for j in judges if j.id is not None]),
        await conflicts_service.conflict_rows(session, challenge_id),
    )


async def round_of_assignment(session: AsyncSession, *, user: User, assignment_id: int) -> int:
    """The round of an assignment, for its organisers (where to go back after a change)."""
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound()
    judging_round = await queries.get_round(session, assignment.round_id)
    await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    return assignment.round_id


async def _changeable(
    session: AsyncSession, *, user: User, assignment_id: int
) -> tuple[Assignment, Round]:
    """The assignment and its round (locked), for the round's organisers, while it is open
    or in preparation."""
    assignment = await session.get(Assignment, assignment_id, with_for_update=True)
    if assignment is None:
        raise NotFound()
    judging_round = await queries.get_round(session, assignment.round_id, lock=True)
    await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    if judging_round.status == RoundStatus.CLOSED:
        raise RoundClosedForChanges(_(RoundClosedForChanges.message))
    return assignment, judging_round


async def remove_assignment(session: AsyncSession, *, user: User, assignment_id: int) -> Round:
    """Take an assignment (and any scores on it) out of a round that is not closed."""
    assignment, judging_round = await _changeable(session, user=user, assignment_id=assignment_id)
    await session.execute(delete(Score).where(col(Score.assignment_id) == assignment_id))
    await session.delete(assignment)
    log_action(
        session,
        actor_id=user.id,
        action=events.ASSIGNMENT_REMOVED,
        subject_type="assignment",
        subject_id=assignment_id,
        challenge_id=judging_round.challenge_id,
        data={
            "round_id": judging_round.id,
            "judge_id": assignment.judge_id,
            "project_id": assignment.project_id,
            "was_scored": assignment.submitted_at is not None,
        },
    )
    return judging_round


async def reassign(
    session: AsyncSession, *, user: User, assignment_id: int, judge_id: int
) -> Assignment:
    """Give an assignment to another judge of the challenge (without a conflict with the
    project, not already scoring it here); what the first judge scored is discarded."""
    assignment, judging_round = await _changeable(session, user=user, assignment_id=assignment_id)
    challenge_id = judging_round.challenge_id
    judge_ids = {j.id for j in await queries.judges(session, challenge_id)}
    if judge_id not in judge_ids:
        raise ValidationFailed({"judge_id": _("Please choose one of the options.")})
    if judge_id == assignment.judge_id:
        return assignment
    project_id = assignment.project_id
    conflicts = await conflicts_service.project_conflicts(
        session, challenge_id=challenge_id, project_ids=[project_id]
    )
    if judge_id in conflicts[project_id]:
        raise JudgeInConflict(_(JudgeInConflict.message))
    if await queries.find_assignment(
        session, round_id=judging_round.id or 0, judge_id=judge_id, project_id=project_id
    ):
        raise AlreadyAssigned(_(AlreadyAssigned.message))
    previous = assignment.judge_id
    await session.execute(delete(Score).where(col(Score.assignment_id) == assignment_id))
    assignment.judge_id = judge_id
    assignment.comment = ""
    assignment.submitted_at = None
    assignment.recused_at = None
    assignment.recusal_reason = ""
    session.add(assignment)
    log_action(
        session,
        actor_id=user.id,
        action=events.ASSIGNMENT_REASSIGNED,
        subject_type="assignment",
        subject_id=assignment_id,
        challenge_id=challenge_id,
        data={"round_id": judging_round.id, "from": previous, "to": judge_id},
    )
    return assignment


async def _judge_role(session: AsyncSession, *, challenge_id: int, judge_id: int) -> Role:
    result = await session.execute(
        select(Role).where(
            col(Role.challenge_id) == challenge_id,
            col(Role.user_id) == judge_id,
            col(Role.kind) == RoleKind.JUDGE,
        )
    )
    role = result.scalar_one_or_none()
    if role is None:
        raise NotFound()
    return role


async def judge_removal(
    session: AsyncSession, *, user: User, challenge_id: int, judge_id: int
) -> JudgeRemoval:
    """What removing the judge would touch, for the organisers to decide."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    await _judge_role(session, challenge_id=challenge_id, judge_id=judge_id)
    judge = await accounts_queries.user_by_id(session, judge_id)
    counts = await queries.judge_sheets(session, challenge_id=challenge_id, judge_id=judge_id)
    return JudgeRemoval(access.challenge, judge, *counts)


async def remove_judge(
    session: AsyncSession, *, user: User, challenge_id: int, judge_id: int, keep_scores: bool
) -> JudgeRemoval:
    """Take the judge role away. Their sheets not yet scored in rounds still open or in
    preparation go (organisers give those projects to other judges); their scored sheets
    there are kept or discarded as the organiser chose; closed rounds are final."""
    # The challenge's lock orders this with the judge's own save in progress, if any.
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id, lock=True)
    removal = await judge_removal(session, user=user, challenge_id=challenge_id, judge_id=judge_id)
    role = await _judge_role(session, challenge_id=challenge_id, judge_id=judge_id)
    live_rounds = select(Round.id).where(
        col(Round.challenge_id) == challenge_id, col(Round.status) != RoundStatus.CLOSED
    )
    going = select(Assignment.id).where(
        col(Assignment.judge_id) == judge_id, col(Assignment.round_id).in_(live_rounds)
    )
    if keep_scores:
        going = going.where(col(Assignment.submitted_at).is_(None))
    going_ids = list((await session.execute(going)).scalars())
    if going_ids:
        await session.execute(delete(Score).where(col(Score.assignment_id).in_(going_ids)))
        await session.execute(delete(Assignment).where(col(Assignment.id).in_(going_ids)))
    await accounts_service.revoke_role(
        session, role_id=role.id or 0, challenge_id=challenge_id, actor_id=user.id
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.JUDGE_REMOVED,
        subject_type="user",
        subject_id=judge_id,
        challenge_id=challenge_id,
        data={"keep_scores": keep_scores, "assignments_removed": len(going_ids)},
    )
    emit(
        session,
        events.JudgeRemoved(challenge_id=challenge_id, judge_id=judge_id, keep_scores=keep_scores),
    )
    return removal
