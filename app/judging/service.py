"""Rubrics, judges and rounds: what organisers set up before and around scoring."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts import service as accounts_service
from app.accounts.models import RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import utcnow
from app.errors import Conflict
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy, ngettext
from app.judging import agreement as stats
from app.judging import allocation, events, queries
from app.judging import conflicts as conflicts_service
from app.judging.models import (
    Aggregation,
    Assignment,
    Criterion,
    Round,
    RoundKind,
    RoundStatus,
    Rubric,
)
from app.judging.schemas import RoundCreate, RubricCreate


class RoundNotDraft(Conflict):
    code = "round_not_draft"
    message = lazy("Judges can be assigned only before the round opens.")


class AggregationFixed(Conflict):
    code = "aggregation_fixed"
    message = lazy("How the winners are decided is fixed once the round opens.")
    field = "aggregation"


class RoundNotOpenable(Conflict):
    code = "round_not_openable"
    message = lazy("Only a round in preparation with assigned judges can be opened.")


class RoundNotOpen(Conflict):
    code = "round_not_open"
    message = lazy("This round is not open.")


class NoProjects(Conflict):
    code = "no_projects"
    message = lazy("There are no submitted projects to assign.")


class TooFewJudges(Conflict):
    code = "too_few_judges"
    message = lazy("Some projects have too few judges without a conflict of interest.")


@dataclass(frozen=True)
class Allocation:
    round: Round
    loads: dict[int, int]  # judge id -> number of projects
    assignments: int


@dataclass(frozen=True)
class RoundRow:
    round: Round
    rubric_name: str
    assignments: int
    submitted: int
    recommendation: stats.Recommendation


@dataclass(frozen=True)
class JudgingAdmin:
    challenge: Challenge
    rubrics: list[Rubric]
    criteria: dict[int, list[Criterion]]
    rounds: list[RoundRow]
    judges: list[User]

    @property
    def rubric_options(self) -> list[tuple[int | None, str]]:
        return [(r.id, r.name) for r in self.rubrics]


async def overview(session: AsyncSession, *, user: User, challenge_id: int) -> JudgingAdmin:
    """Everything on the organisers' judging page."""
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    rubric_list = await queries.rubrics(session, challenge_id)
    names = {r.id: r.name for r in rubric_list}
    round_list = await queries.rounds(session, challenge_id)
    round_ids = [r.id for r in round_list if r.id]
    progress = await queries.round_progress(session, round_ids)
    panels = await queries.round_panels(session, round_ids)
    rows = [
        RoundRow(
            r,
            names.get(r.rubric_id, ""),
            *progress.get(r.id or 0, (0, 0)),
            stats.recommend(panels.get(r.id or 0, {})),
        )
        for r in round_list
    ]
    return JudgingAdmin(
        challenge=access.challenge,
        rubrics=rubric_list,
        criteria=await queries.criteria(session, [r.id for r in rubric_list if r.id]),
        rounds=rows,
        judges=await queries.judges(session, challenge_id),
    )


async def overview_for_round(session: AsyncSession, *, user: User, round_id: int) -> JudgingAdmin:
    """The judging page of the round's challenge (to show an action's error there)."""
    judging_round = await queries.get_round(session, round_id)
    return await overview(session, user=user, challenge_id=judging_round.challenge_id)


async def create_rubric(
    session: AsyncSession, *, user: User, challenge_id: int, data: RubricCreate
) -> Rubric:
    """A rubric with weighted criteria (the schema checked the weights add up to 100)."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    rubric = Rubric(
        challenge_id=challenge_id,
        name=data.name,
        scale_min=data.scale_min,
        scale_max=data.scale_max,
    )
    session.add(rubric)
    await session.flush()
    assert rubric.id is not None
    for position, item in enumerate(data.criteria):
        session.add(Criterion(rubric_id=rubric.id, position=position, **item.model_dump()))
    log_action(
        session,
        actor_id=user.id,
        action=events.RUBRIC_CREATED,
        subject_type="rubric",
        subject_id=rubric.id,
        challenge_id=challenge_id,
        data={"criteria": {c.name: c.weight for c in data.criteria}},
    )
    return rubric


async def add_judge(session: AsyncSession, *, user: User, challenge_id: int, email: str) -> User:
    """Give an existing account the judge role in the challenge; twice is harmless."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    person = await accounts_service.person_for_role(session, email=email)
    assert person.id is not None
    await accounts_service.grant_role(
        session, user_id=person.id, challenge_id=challenge_id, kind=RoleKind.JUDGE, actor_id=user.id
    )
    return person


async def create_round(
    session: AsyncSession, *, user: User, challenge_id: int, data: RoundCreate
) -> Round:
    """A judging round in preparation, scored with one of the challenge's rubrics."""
    await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    if data.rubric_id is not None:
        await queries.get_rubric(session, data.rubric_id, challenge_id=challenge_id)
    judging_round = Round(challenge_id=challenge_id, **data.model_dump())
    session.add(judging_round)
    await session.flush()
    assert judging_round.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.ROUND_CREATED,
        subject_type="round",
        subject_id=judging_round.id,
        challenge_id=challenge_id,
        data={
            "name": data.name,
            "kind": data.kind,
            "judges_per_project": data.judges_per_project,
            "aggregation": data.aggregation,
        },
    )
    return judging_round


async def choose_aggregation(
    session: AsyncSession, *, user: User, round_id: int, method: Aggregation
) -> Round:
    """How the round's winners are decided; choosing the same again changes nothing."""
    judging_round = await _organised_round(session, user, round_id)
    if judging_round.aggregation == method:
        return judging_round
    if judging_round.status != RoundStatus.DRAFT:
        raise AggregationFixed(_(AggregationFixed.message))
    previous = judging_round.aggregation
    judging_round.aggregation = method
    session.add(judging_round)
    log_action(
        session,
        actor_id=user.id,
        action=events.AGGREGATION_CHOSEN,
        subject_type="round",
        subject_id=round_id,
        challenge_id=judging_round.challenge_id,
        data={"from": previous, "to": method},
    )
    return judging_round


async def _organised_round(session: AsyncSession, user: User, round_id: int) -> Round:
    """The round with its row locked, for its organisers: a change of its state waits for
    another one in progress, then sees the state that one left."""
    judging_round = await queries.get_round(session, round_id, lock=True)
    await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    return judging_round


async def assign_judges(session: AsyncSession, *, user: User, round_id: int) -> Allocation:
    """Give every submitted project k distinct judges without conflicts, loads balanced.

    Replaces earlier assignments (the round is still in preparation, so nobody scored).
    """
    judging_round = await _organised_round(session, user, round_id)
    if judging_round.status != RoundStatus.DRAFT:
        raise RoundNotDraft(_(RoundNotDraft.message))
    challenge_id = judging_round.challenge_id
    projects = await queries.submitted_project_ids(session, challenge_id)
    if not projects:
        raise NoProjects(_(NoProjects.message))
    judge_ids = [j.id for j in await queries.judges(session, challenge_id) if j.id is not None]
    conflicts = await conflicts_service.project_conflicts(
        session, challenge_id=challenge_id, project_ids=projects
    )
    try:
        panels = allocation.allocate(
            projects, judge_ids, per_project=judging_round.judges_per_project, conflicts=conflicts
        )
    except allocation.NotEnoughJudges as exc:
        names = await queries.project_names(session, [exc.project_id])
        title = names[exc.project_id][0].title if exc.project_id in names else ""
        raise TooFewJudges(
            ngettext(
                'The project "%(project)s" has only %(eligible)s judge without a conflict of '
                "interest and needs %(needed)s: add judges or ask for fewer judges per project.",
                'The project "%(project)s" has only %(eligible)s judges without a conflict of '
                "interest and needs %(needed)s: add judges or ask for fewer judges per project.",
                exc.eligible,
            )
            % {"project": title, "eligible": exc.eligible, "needed": exc.needed}
        ) from None
    await session.execute(delete(Assignment).where(col(Assignment.round_id) == round_id))
    loads = dict.fromkeys(judge_ids, 0)
    for pid, panel in panels.items():
        for judge_id in panel:
            session.add(Assignment(round_id=round_id, judge_id=judge_id, project_id=pid))
            loads[judge_id] += 1
    log_action(
        session,
        actor_id=user.id,
        action=events.JUDGES_ASSIGNED,
        subject_type="round",
        subject_id=round_id,
        challenge_id=challenge_id,
        data={"projects": len(panels), "loads": {str(k): v for k, v in loads.items()}},
    )
    return Allocation(judging_round, loads, sum(loads.values()))


async def open_round(session: AsyncSession, *, user: User, round_id: int) -> Round:
    """Judges may score from now on; opening it again (a double click) changes nothing."""
    judging_round = await _organised_round(session, user, round_id)
    if judging_round.status == RoundStatus.OPEN:
        return judging_round
    progress = await queries.round_progress(session, [round_id])
    # A public vote has no judges to assign: the public votes.
    needs_judges = judging_round.kind != RoundKind.PUBLIC_VOTE
    if judging_round.status != RoundStatus.DRAFT or (needs_judges and progress[round_id][0] == 0):
        raise RoundNotOpenable(_(RoundNotOpenable.message))
    judging_round.status = RoundStatus.OPEN
    judging_round.opened_at = utcnow()
    session.add(judging_round)
    log_action(
        session,
        actor_id=user.id,
        action=events.ROUND_OPENED,
        subject_type="round",
        subject_id=round_id,
        challenge_id=judging_round.challenge_id,
    )
    emit(session, events.RoundOpened(challenge_id=judging_round.challenge_id, round_id=round_id))
    return judging_round


async def close_round(session: AsyncSession, *, user: User, round_id: int) -> Round:
    """Scores are final from now on; closing it again (a double click) changes nothing."""
    judging_round = await _organised_round(session, user, round_id)
    if judging_round.status == RoundStatus.CLOSED:
        return judging_round
    if judging_round.status != RoundStatus.OPEN:
        raise RoundNotOpen(_(RoundNotOpen.message))
    judging_round.status = RoundStatus.CLOSED
    judging_round.closed_at = utcnow()
    session.add(judging_round)
    log_action(
        session,
        actor_id=user.id,
        action=events.ROUND_CLOSED,
        subject_type="round",
        subject_id=round_id,
        challenge_id=judging_round.challenge_id,
    )
    emit(session, events.RoundClosed(challenge_id=judging_round.challenge_id, round_id=round_id))
    return judging_round


async def copy_rubrics(
    session: AsyncSession, *, from_challenge_id: int, to_challenge_id: int
) -> int:
    """Next year's edition scores with last year's rubrics (rounds, judges and scores stay
    behind). The caller checked the person organises both challenges."""
    rubrics = await queries.rubrics(session, from_challenge_id)
    grouped = await queries.criteria(session, [r.id for r in rubrics if r.id is not None])
    for rubric in rubrics:
        assert rubric.id is not None
        copy = Rubric(
            challenge_id=to_challenge_id,
            name=rubric.name,
            scale_min=rubric.scale_min,
            scale_max=rubric.scale_max,
        )
        session.add(copy)
        await session.flush()
        assert copy.id is not None
        for criterion in grouped.get(rubric.id, []):
            session.add(
                Criterion(
                    rubric_id=copy.id,
                    name=criterion.name,
                    guidance=criterion.guidance,
                    weight=criterion.weight,
                    position=criterion.position,
                )
            )
    return len(rubrics)
