"""Conflicts of interest: who may never judge which project, what judges declare, and a judge
stepping back (recusing) from an assignment.

A judge is in conflict with a project when they coach it or are in its team, represent a
sponsor that made the project an offer, declared a conflict with its team, or declared the
institution (school, company) the team comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge, Institution
from app.db import insert_or_get, utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import events, permissions, queries
from app.judging.models import (
    Assignment,
    ConflictKind,
    JudgeConflict,
    RoundStatus,
    Score,
)
from app.judging.schemas import ConflictDeclare, ConflictWithdraw
from app.sponsors import queries as sponsors_queries
from app.teams.models import Team


class RecusalClosed(Conflict):
    code = "recusal_closed"
    message = lazy("This round is closed: its assignments can no longer change.")


@dataclass(frozen=True)
class ConflictRow:
    conflict: JudgeConflict
    judge_name: str
    target_name: str


@dataclass(frozen=True)
class ConflictsPage:
    """What a judge sees and declares: their conflicts, and what they may name."""

    challenge: Challenge
    rows: list[ConflictRow]
    institutions: list[Institution]
    teams: list[Team]

    @property
    def institution_options(self) -> list[tuple[int | None, str]]:
        return [(i.id, f"{i.name} ({i.city})" if i.city else i.name) for i in self.institutions]

    @property
    def team_options(self) -> list[tuple[int | None, str]]:
        return [(t.id, t.name) for t in self.teams]


async def project_conflicts(
    session: AsyncSession, *, challenge_id: int, project_ids: Sequence[int]
) -> dict[int, set[int]]:
    """project id -> the judges (user ids) who may not judge it, for every reason above."""
    conflicts = await queries.team_people(session, project_ids)
    offers = await sponsors_queries.interested_representatives(session, project_ids)
    for pid, reps in offers.items():
        conflicts[pid] |= reps
    declared = await queries.declared_conflicts(session, challenge_id)
    if not declared:
        return conflicts
    by_team: dict[int, set[int]] = {}
    by_institution: dict[int, set[int]] = {}
    for row in declared:
        target = by_team if row.kind == ConflictKind.TEAM else by_institution
        target.setdefault(row.target_id, set()).add(row.judge_id)
    for pid, (team_id, institution_id) in (
        await queries.project_teams(session, project_ids)
    ).items():
        conflicts[pid] |= by_team.get(team_id, set())
        if institution_id is not None:
            conflicts[pid] |= by_institution.get(institution_id, set())
    return conflicts


async def conflict_rows(
    session: AsyncSession, challenge_id: int, *, judge_id: int | None = None
) -> list[ConflictRow]:
    """The declared conflicts with the names of their judges and of what they name."""
    declared = await queries.declared_conflicts(session, challenge_id, judge_id=judge_id)
    if not declared:
        return []
    teams = {t.id: t.name for t in await queries.challenge_teams(session, challenge_id)}
    institutions = {
        i.id: i.name for i in await queries.challenge_institutions(session, challenge_id)
    }
    judges = {j.id: j.name for j in await queries.judges(session, challenge_id)}
    rows = []
    for row in declared:
        names = teams if row.kind == ConflictKind.TEAM else institutions
        rows.append(ConflictRow(row, judges.get(row.judge_id, ""), names.get(row.target_id, "")))
    return rows


async def _as_judge(session: AsyncSession, user: User, challenge_id: int) -> Challenge:
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    access.require(
        access.has(RoleKind.JUDGE), _("Only the judges of this challenge declare conflicts.")
    )
    return access.challenge


async def my_conflicts(session: AsyncSession, *, user: User, challenge_id: int) -> ConflictsPage:
    """A judge's own declared conflicts and the institutions and teams they may name."""
    challenge = await _as_judge(session, user, challenge_id)
    return ConflictsPage(
        challenge=challenge,
        rows=await conflict_rows(session, challenge_id, judge_id=user.id),
        institutions=await queries.challenge_institutions(session, challenge_id),
        teams=await queries.challenge_teams(session, challenge_id),
    )


async def visible_conflicts(
    session: AsyncSession, *, user: User, challenge_id: int
) -> list[ConflictRow]:
    """Every declared conflict for organisers; a judge's own for a judge; else not allowed."""
    access = await challenge_permissions.viewable(session, user=user, challenge_id=challenge_id)
    if access.is_organiser:
        return await conflict_rows(session, challenge_id)
    access.require(
        access.has(RoleKind.JUDGE), _("Only the judges of this challenge declare conflicts.")
    )
    return await conflict_rows(session, challenge_id, judge_id=user.id)


async def _check_target(
    session: AsyncSession, challenge_id: int, kind: ConflictKind, target_id: int
) -> None:
    if kind == ConflictKind.TEAM:
        found = {t.id for t in await queries.challenge_teams(session, challenge_id)}
    else:
        found = {i.id for i in await queries.challenge_institutions(session, challenge_id)}
    if target_id not in found:
        raise ValidationFailed({"target": _("Please choose one of the options.")})


async def declare_conflict(
    session: AsyncSession, *, user: User, challenge_id: int, data: ConflictDeclare
) -> JudgeConflict:
    """Record the judge's conflict; declaring it again keeps the first (and its reason)."""
    await _as_judge(session, user, challenge_id)
    assert user.id is not None
    await _check_target(session, challenge_id, data.kind, data.target_id)
    judge_id = user.id
    conflict, created = await insert_or_get(
        session,
        JudgeConflict(
            challenge_id=challenge_id,
            judge_id=judge_id,
            kind=data.kind,
            target_id=data.target_id,
            reason=data.reason,
        ),
        find=lambda: queries.find_conflict(
            session,
            challenge_id=challenge_id,
            judge_id=judge_id,
            kind=data.kind,
            target_id=data.target_id,
        ),
    )
    if created:
        log_action(
            session,
            actor_id=user.id,
            action=events.CONFLICT_DECLARED,
            subject_type="judge_conflict",
            subject_id=conflict.id or 0,
            challenge_id=challenge_id,
            data={"kind": data.kind, "target_id": data.target_id, "reason": data.reason},
        )
    return conflict


async def withdraw_conflict(
    session: AsyncSession, *, user: User, challenge_id: int, data: ConflictWithdraw
) -> None:
    """Take back a declared conflict (future allocations may give the judge those projects
    again); withdrawing one that is not there changes nothing."""
    await _as_judge(session, user, challenge_id)
    assert user.id is not None
    found = await queries.find_conflict(
        session,
        challenge_id=challenge_id,
        judge_id=user.id,
        kind=data.kind,
        target_id=data.target_id,
    )
    if found is None:
        return
    await session.delete(found)
    log_action(
        session,
        actor_id=user.id,
        action=events.CONFLICT_WITHDRAWN,
        subject_type="judge_conflict",
        subject_id=found.id or 0,
        challenge_id=challenge_id,
        data={"kind": data.kind, "target_id": data.target_id},
    )


async def recuse(
    session: AsyncSession, *, user: User, assignment_id: int, reason: str
) -> Assignment:
    """The judge steps back from an assignment: its scores go, the project goes back to the
    organisers to give to another judge, and the team counts as a conflict from now on.
    Recusing again changes nothing."""
    assignment = await session.get(Assignment, assignment_id, with_for_update=True)
    if assignment is None:
        raise NotFound()
    permissions.ensure_own_assignment(user, assignment)
    judging_round = await queries.get_round(session, assignment.round_id)
    if judging_round.status == RoundStatus.DRAFT:
        raise NotFound()  # not handed to the judge yet
    if assignment.recused_at is not None:
        return assignment
    if judging_round.status == RoundStatus.CLOSED:
        raise RecusalClosed(_(RecusalClosed.message))
    challenge_id = judging_round.challenge_id
    await session.execute(delete(Score).where(col(Score.assignment_id) == assignment_id))
    assignment.recused_at = utcnow()
    assignment.recusal_reason = reason
    assignment.submitted_at = None
    session.add(assignment)
    team_id, _institution = (await queries.project_teams(session, [assignment.project_id]))[
        assignment.project_id
    ]
    judge_id = assignment.judge_id
    await insert_or_get(
        session,
        JudgeConflict(
            challenge_id=challenge_id,
            judge_id=judge_id,
            kind=ConflictKind.TEAM,
            target_id=team_id,
            reason=reason,
        ),
        find=lambda: queries.find_conflict(
            session,
            challenge_id=challenge_id,
            judge_id=judge_id,
            kind=ConflictKind.TEAM,
            target_id=team_id,
        ),
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.ASSIGNMENT_RECUSED,
        subject_type="assignment",
        subject_id=assignment_id,
        challenge_id=challenge_id,
        data={"round_id": judging_round.id, "project_id": assignment.project_id, "reason": reason},
    )
    assert judging_round.id is not None
    emit(
        session,
        events.JudgeRecused(
            challenge_id=challenge_id,
            round_id=judging_round.id,
            assignment_id=assignment_id,
            project_id=assignment.project_id,
            judge_id=judge_id,
        ),
    )
    return assignment
