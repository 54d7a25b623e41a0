"""A judge's side: their assignments, the score form, and saving scores."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import conflicts as conflicts_service
from app.judging import events, permissions, queries
from app.judging.models import (
    Assignment,
    Criterion,
    OthersScores,
    Round,
    RoundStatus,
    Rubric,
    Score,
)
from app.judging.queries import JudgeAssignment
from app.judging.schemas import ScoresIn
from app.teams import queries as teams_queries
from app.teams.models import Project, ProjectStatus, Team


class ScoringClosed(Conflict):
    code = "scoring_closed"
    message = lazy("This round is closed: scores can no longer be changed.")


class ProjectNotInCompetition(Conflict):
    code = "project_not_in_competition"
    message = lazy("The team has withdrawn this project: it can no longer be scored.")


class AssignmentRecused(Conflict):
    code = "assignment_recused"
    message = lazy("You stepped back from this project: it goes to another judge.")


class ScoringInConflict(Conflict):
    code = "judge_in_conflict"
    message = lazy("You have a conflict of interest with this project: you cannot score it.")


class ScoringNotOpen(Conflict):
    code = "scoring_not_open"
    message = lazy("This round has not opened yet.")


@dataclass(frozen=True)
class RoundGroup:
    """A judge's assignments in one round, with their progress."""

    round: Round
    challenge: Challenge
    items: list[JudgeAssignment]

    @property
    def done(self) -> int:
        """Scored, or stepped back from (nothing left to do on those)."""
        return sum(
            1 for item in self.items if item.submitted_at is not None or item.recused_at is not None
        )


@dataclass(frozen=True)
class ScoreSheet:
    assignment: Assignment
    round: Round
    rubric: Rubric
    criteria: list[Criterion]
    project: Project
    team: Team
    track_name: str | None
    challenge: Challenge
    scores: dict[int, int]

    @property
    def field_names(self) -> set[str]:
        """The form's radio-group names, one per criterion."""
        return {f"criterion-{c.id}" for c in self.criteria}

    @property
    def scale(self) -> list[int]:
        return list(range(self.rubric.scale_min, self.rubric.scale_max + 1))

    @property
    def team_label(self) -> str:
        """The team's name, or a neutral label when the round hides it from judges."""
        if self.round.hide_team_names:
            return neutral_label(self.project)
        return self.team.name

    @property
    def others_visible(self) -> bool:
        """Whether the round lets the judge read the other judges' scores now."""
        return others_allowed(self.round, self.assignment) is None


def neutral_label(project: Project) -> str:
    return _("Project %(number)s") % {"number": project.id}


def others_allowed(judging_round: Round, assignment: Assignment) -> str | None:
    """Why the judge may not read the other judges' scores now (None: they may)."""
    if judging_round.others_scores == OthersScores.ALWAYS:
        return None
    if judging_round.others_scores == OthersScores.AFTER_SUBMITTING:
        if assignment.submitted_at is not None:
            return None
        return _("You will see the other judges' scores once you have submitted your own.")
    return _("In this round judges do not see each other's scores.")


class OthersHidden(Forbidden):
    code = "others_scores_hidden"
    message = lazy("In this round judges do not see each other's scores.")


@dataclass(frozen=True)
class OtherScores:
    """The other judges' submitted scores of the project, as "Judge 1", "Judge 2"..."""

    assignment: Assignment
    criteria: list[Criterion]
    judges: dict[str, dict[int, int]]


async def other_scores(session: AsyncSession, *, user: User, assignment_id: int) -> OtherScores:
    """What the round lets the judge see of the others' scores: 403 before it allows."""
    rows = await queries.sheet_rows(session, assignment_id)
    assignment, judging_round = rows.assignment, rows.round
    permissions.ensure_own_assignment(user, assignment)
    if judging_round.status == RoundStatus.DRAFT:
        raise NotFound()
    refusal = others_allowed(judging_round, assignment)
    if refusal is not None:
        raise OthersHidden(refusal)
    assert judging_round.id is not None and rows.rubric.id is not None
    sheets = [
        a
        for a in await queries.project_sheets(
            session, round_ids=[judging_round.id], project_id=assignment.project_id
        )
        if a.id != assignment.id
    ]
    stored = await queries.scores(session, [a.id for a in sheets if a.id is not None])
    return OtherScores(
        assignment=assignment,
        criteria=(await queries.criteria(session, [rows.rubric.id]))[rows.rubric.id],
        judges={
            _("Judge %(number)s") % {"number": n}: stored[a.id or 0]
            for n, a in enumerate(sheets, start=1)
        },
    )


async def my_assignments(session: AsyncSession, *, user: User) -> list[RoundGroup]:
    """The judge's assignments in opened rounds, grouped by round, newest first."""
    assert user.id is not None
    groups: dict[int, RoundGroup] = {}
    for item in await queries.judge_assignments(session, user.id):
        key = item.round.id or 0
        if key not in groups:
            groups[key] = RoundGroup(item.round, item.challenge, [])
        groups[key].items.append(item)
    return list(groups.values())


async def own_assignment(
    session: AsyncSession, *, user: User, assignment_id: int, lock: bool = False
) -> Assignment:
    """The assignment, if it is the person's own: no one else may see or score it. `lock`
    holds its row, so two saves of the same sheet (a double click) run one after the other."""
    assignment = await session.get(Assignment, assignment_id, with_for_update=lock or None)
    if assignment is None:
        raise NotFound()
    permissions.ensure_own_assignment(user, assignment)
    return assignment


async def score_sheet(session: AsyncSession, *, user: User, assignment_id: int) -> ScoreSheet:
    """The project and the rubric, with the judge's scores so far (two statements)."""
    rows = await queries.sheet_rows(session, assignment_id)
    assignment, judging_round, rubric = rows.assignment, rows.round, rows.rubric
    permissions.ensure_own_assignment(user, assignment)
    if judging_round.status == RoundStatus.DRAFT:
        raise NotFound()  # not handed to the judge yet
    assert rubric.id is not None and assignment.id is not None
    criteria, scores = await queries.criteria_with_scores(session, rubric.id, assignment.id)
    return ScoreSheet(
        assignment=assignment,
        round=judging_round,
        rubric=rubric,
        criteria=criteria,
        project=rows.project,
        team=rows.team,
        track_name=rows.track_name,
        challenge=rows.challenge,
        scores=scores,
    )


async def save_scores(
    session: AsyncSession, *, user: User, assignment_id: int, data: ScoresIn
) -> Assignment:
    """Store the judge's scores (one per criterion, replacing earlier ones) and comment.

    The assignment counts as submitted once every criterion has a score.
    """
    assignment = await own_assignment(session, user=user, assignment_id=assignment_id, lock=True)
    judging_round = await queries.get_round(session, assignment.round_id)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    permissions.ensure_still_judge(access)
    if judging_round.status == RoundStatus.CLOSED:
        raise ScoringClosed(_(ScoringClosed.message))
    if judging_round.status != RoundStatus.OPEN:
        raise ScoringNotOpen(_(ScoringNotOpen.message))
    if assignment.recused_at is not None:
        raise AssignmentRecused(_(AssignmentRecused.message))
    # Only rubric rounds have assignments to score; the project's track may have its own.
    rubric = (await queries.sheet_rows(session, assignment_id)).rubric
    assert rubric.id is not None
    criteria = {c.id: c for c in (await queries.criteria(session, [rubric.id]))[rubric.id]}
    _check(data.scores, criteria, rubric)
    project = await teams_queries.get_project(session, assignment.project_id)
    if project.status != ProjectStatus.SUBMITTED:
        raise ProjectNotInCompetition(_(ProjectNotInCompetition.message))
    # A conflict declared (or an offer made by the judge's company) after the allocation.
    conflicted = await conflicts_service.project_conflicts(
        session, challenge_id=judging_round.challenge_id, project_ids=[assignment.project_id]
    )
    if assignment.judge_id in conflicted[assignment.project_id]:
        raise ScoringInConflict(_(ScoringInConflict.message))
    existing = await session.execute(select(Score).where(col(Score.assignment_id) == assignment_id))
    stored = {score.criterion_id: score for score in existing.scalars()}
    comment_changes = data.comment is not None and data.comment != assignment.comment
    changed = {
        cid: v for cid, v in data.scores.items() if cid not in stored or stored[cid].value != v
    }
    if not changed and not comment_changes:
        return assignment  # the same sheet again (a double click): nothing to do, nothing to tell
    comment = data.comment if data.comment is not None else assignment.comment
    if rubric.comment_required and set(criteria) <= set(stored) | set(changed) and not comment:
        raise ValidationFailed(
            {"comment": _("This rubric asks for a comment: write one to submit your scores.")}
        )
    now = utcnow()
    for criterion_id, value in changed.items():
        score = stored.get(criterion_id)
        if score is None:
            score = Score(assignment_id=assignment_id, criterion_id=criterion_id, value=value)
            stored[criterion_id] = score
        score.value = value
        score.updated_at = now
        session.add(score)
    if data.comment is not None:
        assignment.comment = data.comment
    complete = set(criteria) <= set(stored)
    if complete:
        assignment.submitted_at = now
    session.add(assignment)
    log_action(
        session,
        actor_id=user.id,
        action=events.SCORES_SAVED,
        subject_type="assignment",
        subject_id=assignment_id,
        challenge_id=judging_round.challenge_id,
        data={"scores": {str(k): v for k, v in data.scores.items()}, "complete": complete},
    )
    if complete:
        assert judging_round.id is not None
        emit(
            session,
            events.ScoreSubmitted(
                challenge_id=judging_round.challenge_id,
                round_id=judging_round.id,
                assignment_id=assignment_id,
                project_id=assignment.project_id,
                judge_id=assignment.judge_id,
            ),
        )
    return assignment


def _check(values: dict[int, int], criteria: dict[int | None, Criterion], rubric: Rubric) -> None:
    errors: dict[str, str] = {}
    for criterion_id, value in values.items():
        key = f"criterion-{criterion_id}"
        if criterion_id not in criteria:
            errors[key] = _("This criterion is not part of the rubric.")
        elif not rubric.scale_min <= value <= rubric.scale_max:
            errors[key] = _("Choose a score from %(low)s to %(high)s.") % {
                "low": rubric.scale_min,
                "high": rubric.scale_max,
            }
    if errors:
        raise ValidationFailed(errors)
