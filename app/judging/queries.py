"""Reusable reads of judging results (other domains use these)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import BigInteger, bindparam, case, func, null, text
from sqlalchemy import cast as sa_cast
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge, Institution, Track
from app.errors import NotFound
from app.judging.models import (
    Assignment,
    Award,
    ConflictKind,
    Criterion,
    JudgeConflict,
    PublishedPlace,
    Round,
    RoundKind,
    RoundScope,
    RoundStatus,
    Rubric,
    Score,
    TrackRubric,
)
from app.teams import queries as teams_queries
from app.teams.models import Project, ProjectStatus, Team, TeamMember


async def awards(session: AsyncSession, challenge_id: int) -> list[Award]:
    result = await session.execute(
        select(Award)
        .where(col(Award.challenge_id) == challenge_id)
        .order_by(col(Award.name), col(Award.rank))
    )
    return list(result.scalars())


async def published_decision(
    session: AsyncSession, challenge_id: int
) -> tuple[Round, int, bool] | None:
    """The newest round with published places (the one whose ranking decided the jury's
    awards), how many projects it ranked and whether any is tied with the one above."""
    result = await session.execute(
        select(
            Round,
            func.max(col(PublishedPlace.projects)),
            func.max(case((col(PublishedPlace.tied_above), 1), else_=0)),
        )
        .join(PublishedPlace, col(PublishedPlace.round_id) == col(Round.id))
        .where(col(Round.challenge_id) == challenge_id)
        .group_by(col(Round.id))
        .order_by(col(Round.id).desc())
        .limit(1)
    )
    found = result.first()
    return (found[0], found[1], bool(found[2])) if found else None


async def published_places(
    session: AsyncSession, *, challenge_id: int, project_id: int
) -> list[tuple[PublishedPlace, Round, str]]:
    """The project's published places, oldest round first, with each round's winner's title."""
    winner = aliased(Project)
    result = await session.execute(
        select(PublishedPlace, Round, winner.title)
        .join(Round, col(Round.id) == col(PublishedPlace.round_id))
        .join(winner, col(winner.id) == col(PublishedPlace.winner_id))
        .where(
            col(PublishedPlace.project_id) == project_id, col(Round.challenge_id) == challenge_id
        )
        .order_by(col(Round.id))
    )
    return [(place, judging_round, title) for place, judging_round, title in result.all()]


def award_names_column(project_id: Any) -> Any:
    """A correlated subquery for a list of projects (one statement whatever its length): the
    names of the awards the project won, None when it won none."""
    return (
        sa_select(func.aggregate_strings(col(Award.name), ", "))
        .where(col(Award.project_id) == project_id)
        .scalar_subquery()
    )


async def judges_who_scored(session: AsyncSession, challenge_id: int) -> list[User]:
    """Judges with at least one submitted assignment in the challenge."""
    result = await session.execute(
        select(User)
        .where(
            col(User.id).in_(
                select(Assignment.judge_id)
                .join(Round, col(Round.id) == col(Assignment.round_id))
                .where(
                    col(Round.challenge_id) == challenge_id,
                    col(Assignment.submitted_at).is_not(None),
                )
            )
        )
        .order_by(col(User.name))
    )
    return list(result.scalars())


@dataclass(frozen=True)
class JudgeAssignment:
    """One of a judge's assignments with what their list shows: the assignment's and the
    project's columns it needs (a judge has dozens, and a whole Assignment and Project
    object per row was most of the page's time outside its template), its round and
    challenge (one object each per round)."""

    id: int
    submitted_at: datetime | None
    recused_at: datetime | None
    project_title: str
    round: Round
    challenge: Challenge


async def judges(session: AsyncSession, challenge_id: int) -> list[User]:
    """Everyone holding the judge role in the challenge."""
    result = await session.execute(
        select(User)
        .join(Role, col(Role.user_id) == col(User.id))
        .where(col(Role.challenge_id) == challenge_id, col(Role.kind) == RoleKind.JUDGE)
        .order_by(col(User.name), col(User.id))
    )
    return list(result.scalars())


async def judge_names(session: AsyncSession, challenge_id: int) -> dict[int, str]:
    """judge id -> name of everyone holding the judge role in the challenge (plain columns)."""
    result = await session.execute(
        sa_select(col(User.id), col(User.name))
        .join(Role, col(Role.user_id) == col(User.id))
        .where(col(Role.challenge_id) == challenge_id, col(Role.kind) == RoleKind.JUDGE)
    )
    return {judge_id: name for judge_id, name in cast(list[tuple[int, str]], result.all())}


async def get_round(session: AsyncSession, round_id: int, *, lock: bool = False) -> Round:
    """A round; `lock` holds its row until the transaction ends, for a change of its state."""
    found = await session.get(Round, round_id, with_for_update=lock or None)
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class SheetRows:
    """An assignment with what its score sheet shows around it, read in one statement."""

    assignment: Assignment
    round: Round
    rubric: Rubric
    project: Project
    team: Team
    challenge: Challenge
    track_name: str | None


# Built once (a statement of seven tables took a good part of a millisecond to build at
# every page); the assignment id is a bound parameter.
_SHEET_ROWS = (
    sa_select(Assignment, Round, Rubric, Project, Team, Challenge, col(Track.name))
    .join(Round, col(Round.id) == col(Assignment.round_id))
    .join(Project, col(Project.id) == col(Assignment.project_id))
    .outerjoin(
        TrackRubric,
        (col(TrackRubric.round_id) == col(Round.id))
        & (col(TrackRubric.track_id) == col(Project.track_id)),
    )
    .join(
        Rubric,
        (col(Rubric.id) == func.coalesce(col(TrackRubric.rubric_id), col(Round.rubric_id)))
        & (col(Rubric.challenge_id) == col(Round.challenge_id)),
    )
    .join(Team, col(Team.id) == col(Project.team_id))
    .join(Challenge, col(Challenge.id) == col(Project.challenge_id))
    .outerjoin(
        Track,
        (col(Track.id) == col(Project.track_id))
        & (col(Track.challenge_id) == col(Project.challenge_id)),
    )
    .where(col(Assignment.id) == bindparam("assignment_id"))
)


async def sheet_rows(session: AsyncSession, assignment_id: int) -> SheetRows:
    """The assignment, its round and rubric (of the round's challenge; the project's track's
    own rubric in this round, if it has one), the project, its team, challenge and track name
    in one round trip; 'not found' when any is missing."""
    result = await session.execute(_SHEET_ROWS, {"assignment_id": assignment_id})
    row = result.first()
    if row is None:
        raise NotFound()
    return SheetRows(*row)


async def get_rubric(session: AsyncSession, rubric_id: int, *, challenge_id: int) -> Rubric:
    """A rubric of this challenge; another challenge's rubric is 'not found'."""
    rubric = await session.get(Rubric, rubric_id)
    if rubric is None or rubric.challenge_id != challenge_id:
        raise NotFound()
    return rubric


async def rubrics(session: AsyncSession, challenge_id: int) -> list[Rubric]:
    result = await session.execute(
        select(Rubric).where(col(Rubric.challenge_id) == challenge_id).order_by(col(Rubric.id))
    )
    return list(result.scalars())


async def criteria(session: AsyncSession, rubric_ids: Sequence[int]) -> dict[int, list[Criterion]]:
    """The criteria of many rubrics, in their order, in one query."""
    grouped: dict[int, list[Criterion]] = {rid: [] for rid in rubric_ids}
    if not rubric_ids:
        return grouped
    result = await session.execute(
        select(Criterion)
        .where(col(Criterion.rubric_id).in_(rubric_ids))
        .order_by(col(Criterion.position), col(Criterion.id))
    )
    for criterion in result.scalars():
        grouped[criterion.rubric_id].append(criterion)
    return grouped


async def criteria_with_scores(
    session: AsyncSession, rubric_id: int, assignment_id: int
) -> tuple[list[Criterion], dict[int, int]]:
    """A rubric's criteria in their order, with an assignment's scores of them (criterion id
    -> value), in one query: the score sheet's."""
    result = await session.execute(
        _CRITERIA_WITH_SCORES, {"rubric_id": rubric_id, "assignment_id": assignment_id}
    )
    found: list[Criterion] = []
    values: dict[int, int] = {}
    for criterion, value in result.all():
        found.append(criterion)
        if value is not None and criterion.id is not None:
            values[criterion.id] = value
    return found, values


# Built once, as _SHEET_ROWS (building it was a tenth of the score sheet's time in Python).
_CRITERIA_WITH_SCORES = (
    select(Criterion, col(Score.value))
    .outerjoin(
        Score,
        (col(Score.criterion_id) == col(Criterion.id))
        & (col(Score.assignment_id) == bindparam("assignment_id")),
    )
    .where(col(Criterion.rubric_id) == bindparam("rubric_id"))
    .order_by(col(Criterion.position), col(Criterion.id))
)


async def rounds(session: AsyncSession, challenge_id: int) -> list[Round]:
    result = await session.execute(
        select(Round).where(col(Round.challenge_id) == challenge_id).order_by(col(Round.id))
    )
    return list(result.scalars())


async def round_progress(
    session: AsyncSession, round_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """round id -> (assignments, submitted assignments), in one query."""
    progress = dict.fromkeys(round_ids, (0, 0))
    if not round_ids:
        return progress
    result = await session.execute(
        select(
            Assignment.round_id,
            func.count(col(Assignment.id)),
            func.count(col(Assignment.submitted_at)),
        )
        .where(col(Assignment.round_id).in_(round_ids))
        .group_by(col(Assignment.round_id))
    )
    for round_id, total, submitted in result.all():
        progress[round_id] = (total, submitted)
    return progress


async def submitted_project_ids(
    session: AsyncSession, challenge_id: int, *, track_id: int | None = None
) -> list[int]:
    """The challenge's submitted projects (one track's, with `track_id`)."""
    query = select(Project.id).where(
        col(Project.challenge_id) == challenge_id,
        col(Project.status) == ProjectStatus.SUBMITTED,
    )
    if track_id is not None:
        query = query.where(col(Project.track_id) == track_id)
    result = await session.execute(query.order_by(col(Project.id)))
    return [pid for pid in result.scalars() if pid is not None]


async def track_rubrics(
    session: AsyncSession, round_ids: Sequence[int]
) -> dict[int, dict[int, int]]:
    """round id -> track id -> the rubric its projects are scored with, in one query."""
    grouped: dict[int, dict[int, int]] = {rid: {} for rid in round_ids}
    if not round_ids:
        return grouped
    result = await session.execute(
        select(TrackRubric).where(col(TrackRubric.round_id).in_(round_ids))
    )
    for row in result.scalars():
        grouped[row.round_id][row.track_id] = row.rubric_id
    return grouped


async def rounds_due(session: AsyncSession, now: datetime) -> list[int]:
    """Rounds whose opening or closing date has come while they are still before it."""
    result = await session.execute(
        select(Round.id)
        .where(
            (
                (col(Round.status) == RoundStatus.DRAFT)
                & col(Round.opens_at).is_not(None)
                & (col(Round.opens_at) <= now)
            )
            | (
                (col(Round.status) == RoundStatus.OPEN)
                & col(Round.closes_at).is_not(None)
                & (col(Round.closes_at) <= now)
            )
        )
        .order_by(col(Round.id))
    )
    return [rid for rid in result.scalars() if rid is not None]


async def project_sheets(
    session: AsyncSession, *, round_ids: Sequence[int], project_id: int
) -> list[Assignment]:
    """The submitted sheets of a project in some rounds (not stepped back from), in the
    order they were assigned: "Judge 1" is the first of a round."""
    if not round_ids:
        return []
    result = await session.execute(
        select(Assignment)
        .where(
            col(Assignment.round_id).in_(round_ids),
            col(Assignment.project_id) == project_id,
            col(Assignment.submitted_at).is_not(None),
            col(Assignment.recused_at).is_(None),
        )
        .order_by(col(Assignment.round_id), col(Assignment.id))
    )
    return list(result.scalars())


async def team_people(session: AsyncSession, project_ids: Sequence[int]) -> dict[int, set[int]]:
    """project id -> user ids of its team's coach and members with an account."""
    grouped: dict[int, set[int]] = {pid: set() for pid in project_ids}
    if not project_ids:
        return grouped
    coaches = await session.execute(
        select(Project.id, Team.coach_id)
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(col(Project.id).in_(project_ids))
    )
    for pid, coach_id in coaches.all():
        if pid is not None:
            grouped[pid].add(coach_id)
    members = await session.execute(
        select(Project.id, TeamMember.user_id)
        .join(TeamMember, col(TeamMember.team_id) == col(Project.team_id))
        .where(col(Project.id).in_(project_ids), col(TeamMember.user_id).is_not(None))
    )
    for pid, user_id in members.all():
        if pid is not None and user_id is not None:
            grouped[pid].add(user_id)
    return grouped


async def assignments(session: AsyncSession, round_id: int) -> list[Assignment]:
    result = await session.execute(
        select(Assignment).where(col(Assignment.round_id) == round_id).order_by(col(Assignment.id))
    )
    return list(result.scalars())


async def judge_assignments(session: AsyncSession, judge_id: int) -> list[JudgeAssignment]:
    """A judge's assignments in rounds that have been opened (drafts are not theirs yet)."""
    result = await session.execute(_JUDGE_ASSIGNMENTS, {"judge_id": judge_id})
    return [
        JudgeAssignment(aid or 0, submitted, recused, title, judging_round, challenge)
        for aid, submitted, recused, title, judging_round, challenge in result.all()
    ]


async def judge_assignment_models(
    session: AsyncSession, judge_id: int
) -> list[tuple[Assignment, Round, str]]:
    """The same assignments, whole (the API's answer has every column), with their round
    and the project's title."""
    result = await session.execute(_JUDGE_ASSIGNMENT_MODELS, {"judge_id": judge_id})
    return [(assignment, judging_round, title) for assignment, judging_round, title in result]


_OPENED_FOR_JUDGE = (
    col(Assignment.judge_id) == bindparam("judge_id"),
    col(Round.status) != RoundStatus.DRAFT,
)

# Built once, as _SHEET_ROWS: the judges' page of their assignments, and the API's list.
_JUDGE_ASSIGNMENTS = (
    sa_select(
        col(Assignment.id),
        col(Assignment.submitted_at),
        col(Assignment.recused_at),
        col(Project.title),
        Round,
        Challenge,
    )
    .join(Round, col(Round.id) == col(Assignment.round_id))
    .join(Project, col(Project.id) == col(Assignment.project_id))
    .join(Challenge, col(Challenge.id) == col(Round.challenge_id))
    .where(*_OPENED_FOR_JUDGE)
    .order_by(col(Round.id).desc(), col(Project.title))
)
_JUDGE_ASSIGNMENT_MODELS = (
    select(Assignment, Round, col(Project.title))
    .join(Round, col(Round.id) == col(Assignment.round_id))
    .join(Project, col(Project.id) == col(Assignment.project_id))
    .where(*_OPENED_FOR_JUDGE)
    .order_by(col(Round.id).desc(), col(Project.title))
)


async def scores(session: AsyncSession, assignment_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """assignment id -> criterion id -> value, in one query."""
    grouped: dict[int, dict[int, int]] = {aid: {} for aid in assignment_ids}
    if not assignment_ids:
        return grouped
    result = await session.execute(
        select(Score).where(col(Score.assignment_id).in_(assignment_ids))
    )
    for score in result.scalars():
        grouped[score.assignment_id][score.criterion_id] = score.value
    return grouped


@dataclass(frozen=True)
class RankingSheets:
    """Rounds' sheets as their rankings read them."""

    # (round id, judge id, project id, sum of weight x value) of each submitted sheet with
    # scores, in the sheets' order: the weighted score is the sum / 100
    totals: list[tuple[int, int, int, int]]
    # (round id, judge id, project id, criterion id, value) of the scores of independent
    # criteria on submitted sheets
    independent: list[tuple[int, int, int, int, int]]
    # round id -> project id -> judges who have not stepped back
    panels: dict[int, dict[int, set[int]]]


async def ranking_sheets(
    session: AsyncSession,
    round_ids: Sequence[int],
    *,
    counted: Sequence[int],
    independent: Sequence[int],
) -> RankingSheets:
    """Every sheet of these rounds, its submitted scores summed by the database with the
    weights of the `counted` criteria (a criterion outside them adds 0), and the scores of
    the `independent` criteria, in one statement.

    A round of 5,000 projects has some 60,000 scores: read one by one into Python they
    were most of a later view of the ranking page; summed here, 15,000 rows (one a sheet)
    come back, and each sheet's total is the same integer Python added up before.
    """
    panels: dict[int, dict[int, set[int]]] = {rid: {} for rid in round_ids}
    if not round_ids:
        return RankingSheets([], [], panels)
    # An integer (PostgreSQL's sum of integers is a numeric, which the driver would make a
    # Decimal of, 15,000 times).
    weighted = sa_cast(
        func.sum(
            case(
                (col(Score.criterion_id).in_(counted), col(Criterion.weight) * col(Score.value)),
                else_=0,
            )
        ),
        BigInteger,
    )
    query: Any = (
        sa_select(
            col(Assignment.id),
            col(Assignment.round_id),
            col(Assignment.judge_id),
            col(Assignment.project_id),
            col(Assignment.recused_at).is_(None),
            col(Assignment.submitted_at).is_not(None) & (func.count(col(Score.id)) > 0),
            weighted,
            null(),
        )
        .outerjoin(Score, col(Score.assignment_id) == col(Assignment.id))
        .outerjoin(Criterion, col(Criterion.id) == col(Score.criterion_id))
        .where(col(Assignment.round_id).in_(round_ids))
        .group_by(col(Assignment.id))
    )
    if independent:
        query = query.union_all(
            sa_select(
                col(Assignment.id),
                col(Assignment.round_id),
                col(Assignment.judge_id),
                col(Assignment.project_id),
                null(),
                null(),
                col(Score.value),
                col(Score.criterion_id),
            )
            .join(Score, col(Score.assignment_id) == col(Assignment.id))
            .where(
                col(Assignment.round_id).in_(round_ids),
                col(Assignment.submitted_at).is_not(None),
                col(Score.criterion_id).in_(independent),
            )
        )
    # In the sheets' order, so the same scores give the ranking memo the same key.
    result = await session.execute(query.order_by(text("1")))
    totals, scores = [], []
    for _id, round_id, judge_id, project_id, in_panel, scored, value, criterion_id in result:
        if criterion_id is not None:
            scores.append((round_id, judge_id, project_id, criterion_id, value))
            continue
        if in_panel:
            panels[round_id].setdefault(project_id, set()).add(judge_id)
        if scored:
            totals.append((round_id, judge_id, project_id, value))
    return RankingSheets(totals, scores, panels)


async def project_names(
    session: AsyncSession, project_ids: Sequence[int]
) -> dict[int, tuple[Project, Team]]:
    """project id -> (project, team), in one query."""
    if not project_ids:
        return {}
    result = await session.execute(
        select(Project, Team)
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(col(Project.id).in_(project_ids))
    )
    return {project.id: (project, team) for project, team in result.all() if project.id}


class ProjectLabel(NamedTuple):
    """What a ranking shows of a project, from plain columns: a ranking lists every scored
    project, and an ORM object each (with its description) was most of the page's reads.
    (A named tuple: made 5,000 times a view, a frozen dataclass's set-up costs 5x more.)"""

    id: int
    title: str
    track_id: int | None
    status: ProjectStatus


class TeamLabel(NamedTuple):
    id: int
    name: str


async def submitted_labels(
    session: AsyncSession, challenge_id: int
) -> dict[int, tuple[ProjectLabel, TeamLabel]]:
    """project id -> (project, team) labels of the challenge's submitted projects (a project
    withdrawn since it was scored is out of the competition), in one query of plain
    columns; by challenge rather than by a list of ids, which at 5,000 projects took longer
    to put into the statement than the database took to answer it."""
    result = await session.execute(
        sa_select(
            col(Project.id),
            col(Project.title),
            col(Project.track_id),
            col(Team.id),
            col(Team.name),
        )
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(
            col(Project.challenge_id) == challenge_id,
            col(Project.status) == ProjectStatus.SUBMITTED,
        )
    )
    rows = cast(list[tuple[int, str, int | None, int, str]], result.all())
    return {
        pid: (
            ProjectLabel(pid, title, track_id, ProjectStatus.SUBMITTED),
            TeamLabel(tid, name),
        )
        for pid, title, track_id, tid, name in rows
    }


async def round_assignments(
    session: AsyncSession, round_id: int
) -> list[tuple[Assignment, Project, Team, User]]:
    """Every assignment of a round with its project, team and judge, in one query."""
    result = await session.execute(
        select(Assignment, Project, Team, User)
        .join(Project, col(Project.id) == col(Assignment.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .join(User, col(User.id) == col(Assignment.judge_id))
        .where(col(Assignment.round_id) == round_id)
        .order_by(col(Project.title), col(User.name), col(Assignment.id))
    )
    return [(a, p, t, u) for a, p, t, u in result.all()]


async def find_assignment(
    session: AsyncSession, *, round_id: int, judge_id: int, project_id: int
) -> Assignment | None:
    result = await session.execute(
        select(Assignment).where(
            col(Assignment.round_id) == round_id,
            col(Assignment.judge_id) == judge_id,
            col(Assignment.project_id) == project_id,
        )
    )
    return result.scalar_one_or_none()


async def judge_sheets(
    session: AsyncSession, *, challenge_id: int, judge_id: int
) -> tuple[int, int, int]:
    """A judge's sheets in the challenge: (scored in rounds not closed, not scored in rounds
    not closed, scored in closed rounds)."""
    result = await session.execute(
        sa_select(col(Round.status), col(Assignment.submitted_at).is_not(None), func.count())
        .join(Round, col(Round.id) == col(Assignment.round_id))
        .where(col(Round.challenge_id) == challenge_id, col(Assignment.judge_id) == judge_id)
        .group_by(col(Round.status), col(Assignment.submitted_at).is_not(None))
    )
    open_scored = open_unscored = closed_scored = 0
    for status, scored, count in result.all():
        if status == RoundStatus.CLOSED:
            closed_scored += count if scored else 0
        elif scored:
            open_scored += count
        else:
            open_unscored += count
    return open_scored, open_unscored, closed_scored


async def left_to_score(session: AsyncSession, *, judge_id: int) -> list[tuple[Round, str, int]]:
    """The judge's open rounds with their challenge's title and the sheets still to score."""
    result = await session.execute(
        select(Round, Challenge.title, func.count(col(Assignment.id)))
        .join(Assignment, col(Assignment.round_id) == col(Round.id))
        .join(Challenge, col(Challenge.id) == col(Round.challenge_id))
        .where(
            col(Assignment.judge_id) == judge_id,
            col(Assignment.submitted_at).is_(None),
            col(Round.status) == RoundStatus.OPEN,
        )
        .group_by(col(Round.id), col(Challenge.title))
        .order_by(col(Round.id))
    )
    return [(r, str(title), int(n)) for r, title, n in result.all()]


async def declared_conflicts(
    session: AsyncSession, challenge_id: int, *, judge_id: int | None = None
) -> list[JudgeConflict]:
    """The conflicts judges declared in the challenge (one judge's, with `judge_id`)."""
    query = select(JudgeConflict).where(col(JudgeConflict.challenge_id) == challenge_id)
    if judge_id is not None:
        query = query.where(col(JudgeConflict.judge_id) == judge_id)
    result = await session.execute(query.order_by(col(JudgeConflict.id)))
    return list(result.scalars())


async def find_conflict(
    session: AsyncSession, *, challenge_id: int, judge_id: int, kind: ConflictKind, target_id: int
) -> JudgeConflict | None:
    result = await session.execute(
        select(JudgeConflict).where(
            col(JudgeConflict.challenge_id) == challenge_id,
            col(JudgeConflict.judge_id) == judge_id,
            col(JudgeConflict.kind) == kind,
            col(JudgeConflict.target_id) == target_id,
        )
    )
    return result.scalar_one_or_none()


async def project_teams(
    session: AsyncSession, project_ids: Sequence[int]
) -> dict[int, tuple[int, int | None]]:
    """project id -> (team id, the team's institution id), in one query."""
    if not project_ids:
        return {}
    result = await session.execute(
        sa_select(col(Project.id), col(Team.id), col(Team.institution_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(col(Project.id).in_(project_ids))
    )
    return {pid: (tid, iid) for pid, tid, iid in result.all() if pid and tid}


async def challenge_teams(session: AsyncSession, challenge_id: int) -> list[Team]:
    result = await session.execute(
        select(Team).where(col(Team.challenge_id) == challenge_id).order_by(col(Team.name))
    )
    return list(result.scalars())


async def challenge_institutions(session: AsyncSession, challenge_id: int) -> list[Institution]:
    """The institutions of the challenge's teams, by name."""
    result = await session.execute(
        select(Institution)
        .where(
            col(Institution.id).in_(
                select(Team.institution_id).where(col(Team.challenge_id) == challenge_id)
            )
        )
        .order_by(col(Institution.name), col(Institution.city))
    )
    return list(result.scalars())


async def round_panels(
    session: AsyncSession, round_ids: Sequence[int]
) -> dict[int, dict[int, set[int]]]:
    """round id -> project id -> judges who have not stepped back, in one query."""
    panels: dict[int, dict[int, set[int]]] = {rid: {} for rid in round_ids}
    if not round_ids:
        return panels
    result = await session.execute(
        sa_select(
            col(Assignment.round_id), col(Assignment.project_id), col(Assignment.judge_id)
        ).where(col(Assignment.round_id).in_(round_ids), col(Assignment.recused_at).is_(None))
    )
    for round_id, project_id, judge_id in result.all():
        panels[round_id].setdefault(project_id, set()).add(judge_id)
    return panels


async def round_sheets(session: AsyncSession, round_id: int) -> list[tuple[int, str, int, bool]]:
    """(judge id, judge name, project id, submitted) of every sheet a round expects (those
    a judge stepped back from are not expected), in one query."""
    result = await session.execute(
        sa_select(
            col(Assignment.judge_id),
            col(User.name),
            col(Assignment.project_id),
            col(Assignment.submitted_at).is_not(None),
        )
        .join(User, col(User.id) == col(Assignment.judge_id))
        .where(col(Assignment.round_id) == round_id, col(Assignment.recused_at).is_(None))
    )
    return [(j, name, p, bool(done)) for j, name, p, done in result.all()]


def open_vote_for(project_id: Any) -> Any:
    """A correlated subquery: the first open public-vote round that offers the project (a
    submitted one, in a round over all the challenge's projects or over its track), else
    None. A round over a previous round's shortlist is left out: who is on it takes that
    round's ranking, which no statement computes (its ballot page lists them)."""
    voted = aliased(Project)
    return (
        sa_select(func.min(col(Round.id)))
        .select_from(voted)
        .join(Round, col(Round.challenge_id) == col(voted.challenge_id))
        .where(
            col(voted.id) == project_id,
            col(voted.status) == ProjectStatus.SUBMITTED,
            col(Round.kind) == RoundKind.PUBLIC_VOTE,
            col(Round.status) == RoundStatus.OPEN,
            (col(Round.scope) == RoundScope.ALL)
            | (
                (col(Round.scope) == RoundScope.TRACK)
                & (col(Round.scope_track_id) == col(voted.track_id))
            ),
        )
        .scalar_subquery()
    )


# The project page (app.teams, a lower layer) reads it with the project, in its one
# statement: "Vote for this project" while a people's vote offers it.
teams_queries.provide_project_column("open_vote_round_id", open_vote_for)
