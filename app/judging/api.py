"""JSON API: rubrics, rounds and assignment, scoring, rankings and results."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts import ratelimit
from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.challenges import permissions as challenge_permissions
from app.errors import NotFound
from app.judging import (
    anomalies,
    assignments,
    conflicts,
    feedback,
    mails,
    queries,
    results,
    rounds,
    scoring,
    service,
    voting,
)
from app.judging.models import Assignment, Round, Rubric
from app.judging.results import ResultsPage
from app.judging.schemas import (
    AggregationChoice,
    AllocationRead,
    AllocationRow,
    AssignmentRead,
    AwardRead,
    ConflictDeclare,
    ConflictRead,
    ConflictWithdraw,
    CoverageRow,
    FeedbackRead,
    FlaggedVoteRead,
    JudgeAdd,
    JudgeRead,
    JudgeRemoval,
    OtherScoresRead,
    PlaceRead,
    RankingRow,
    Reassign,
    Recusal,
    ResultsRead,
    RoundCreate,
    RoundDesignRead,
    RoundRanking,
    RoundRead,
    RoundSettings,
    RubricCreate,
    RubricRead,
    ScoresIn,
    TallyRead,
    VoidedRead,
    VoidVotes,
    VoteCast,
    VoteConfirm,
    VoteConfirmed,
    VoteIn,
    VotesRead,
)
from app.web import path_id, services, settings

router = ApiRouter("judging")


async def organiser_of_path_round(request: Request, session: AsyncSession) -> None:
    await service.overview_for_round(session, user=require_user(request), round_id=path_id(request))


async def own_path_assignment(request: Request, session: AsyncSession) -> None:
    await scoring.own_assignment(
        session, user=require_user(request), assignment_id=path_id(request)
    )


@router.route(
    "POST",
    "/challenges/{id:int}/rubrics",
    summary="Create a rubric with weighted criteria adding up to 100 (organisers)",
    body=RubricCreate,
    response=RubricRead,
    status=201,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def create_rubric(request: Request, body: RubricCreate) -> RubricRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        rubric = await service.create_rubric(
            session, user=user, challenge_id=path_id(request), data=body
        )
        assert rubric.id is not None
        criteria = (await queries.criteria(session, [rubric.id]))[rubric.id]
    return RubricRead.model_validate(extended(rubric, criteria=criteria))


@router.route(
    "POST",
    "/challenges/{id:int}/judges",
    summary="Give an existing account the judge role (organisers)",
    body=JudgeAdd,
    status=204,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def add_judge(request: Request, body: JudgeAdd) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await service.add_judge(
            session, user=user, challenge_id=path_id(request), email=str(body.email)
        )


@router.route(
    "POST",
    "/challenges/{id:int}/rounds",
    summary="Create a judging round in preparation (organisers)",
    body=RoundCreate,
    response=RoundRead,
    status=201,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def create_round(request: Request, body: RoundCreate) -> RoundRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        judging_round = await service.create_round(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return RoundRead.model_validate(judging_round)


def _round_read(view: rounds.RoundView) -> RoundRead:
    return RoundRead.model_validate(extended(view.round, track_rubrics=view.track_rubrics))


async def _rubric_reads(session: AsyncSession, rubric_list: list[Rubric]) -> list[RubricRead]:
    grouped = await queries.criteria(session, [r.id for r in rubric_list if r.id is not None])
    return [
        RubricRead.model_validate(extended(r, criteria=grouped[r.id or 0])) for r in rubric_list
    ]


@router.route(
    "GET",
    "/challenges/{id:int}/rubrics",
    summary="The challenge's rubrics with their criteria (organisers)",
    response=RubricRead,
    many=True,
    errors=(403, 404),
)
async def list_rubrics(request: Request) -> list[RubricRead]:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.read() as session:
        await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
        return await _rubric_reads(session, await queries.rubrics(session, challenge_id))


@router.route(
    "GET",
    "/rubrics/{id:int}",
    summary="One rubric with its criteria (organisers)",
    response=RubricRead,
    errors=(403, 404),
)
async def read_rubric(request: Request) -> RubricRead:
    user = require_user(request)
    async with services(request).db.read() as session:
        rubric = await session.get(Rubric, path_id(request))
        if rubric is None:
            raise NotFound()
        await challenge_permissions.organised(session, user=user, challenge_id=rubric.challenge_id)
        return (await _rubric_reads(session, [rubric]))[0]


@router.route(
    "GET",
    "/challenges/{id:int}/rounds",
    summary="The challenge's rounds with their settings (organisers)",
    response=RoundRead,
    many=True,
    errors=(403, 404),
)
async def list_rounds(request: Request) -> list[RoundRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        views = await rounds.list_rounds(session, user=user, challenge_id=path_id(request))
    return [_round_read(view) for view in views]


@router.route(
    "GET",
    "/rounds/{id:int}",
    summary="One round with its settings (organisers)",
    response=RoundRead,
    errors=(403, 404),
)
async def read_round(request: Request) -> RoundRead:
    user = require_user(request)
    async with services(request).db.read() as session:
        view = await rounds.read_round(session, user=user, round_id=path_id(request))
    return _round_read(view)


@router.route(
    "PUT",
    "/rounds/{id:int}/settings",
    summary="Set a round's dates, projects, rubrics per track, visibility and feedback: all "
    "in preparation, only the closing date once open (organisers)",
    body=RoundSettings,
    response=RoundRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_round,
)
async def update_round_settings(request: Request, body: RoundSettings) -> RoundRead:
    user = require_user(request)
    round_id = path_id(request)
    async with services(request).db.transaction() as session:
        await rounds.update_settings(session, user=user, round_id=round_id, data=body)
    async with services(request).db.read() as session:
        view = await rounds.read_round(session, user=user, round_id=round_id)
    return _round_read(view)


@router.route(
    "GET",
    "/challenges/{id:int}/judges",
    summary="The challenge's judges (organisers)",
    response=JudgeRead,
    many=True,
    errors=(403, 404),
)
async def list_judges(request: Request) -> list[JudgeRead]:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.read() as session:
        await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
        judges = await queries.judges(session, challenge_id)
    return [JudgeRead.model_validate(judge) for judge in judges]


@router.route(
    "POST",
    "/rounds/{id:int}/assign",
    summary="Assign k judges to every submitted project, balanced, without conflicts",
    response=AllocationRead,
    errors=(403, 404, 409),
)
async def assign_judges(request: Request) -> AllocationRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        allocated = await service.assign_judges(session, user=user, round_id=path_id(request))
    return AllocationRead.model_validate(
        {
            "round_id": allocated.round.id,
            "assignments": allocated.assignments,
            "loads": allocated.loads,
        }
    )


@router.route(
    "PUT",
    "/rounds/{id:int}/aggregation",
    summary="Choose how a round's winners are decided, before it opens (organisers)",
    body=AggregationChoice,
    response=RoundRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_round,
)
async def choose_aggregation(request: Request, body: AggregationChoice) -> RoundRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        judging_round = await service.choose_aggregation(
            session, user=user, round_id=path_id(request), method=body.aggregation
        )
    return RoundRead.model_validate(judging_round)


@router.route(
    "POST",
    "/rounds/{id:int}/open",
    summary="Open a round for scoring (organisers)",
    response=RoundRead,
    errors=(403, 404, 409),
)
async def open_round(request: Request) -> RoundRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        judging_round = await service.open_round(session, user=user, round_id=path_id(request))
    return RoundRead.model_validate(judging_round)


@router.route(
    "POST",
    "/rounds/{id:int}/close",
    summary="Close a round: scores become final (organisers)",
    response=RoundRead,
    errors=(403, 404, 409),
)
async def close_round(request: Request) -> RoundRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        judging_round = await service.close_round(session, user=user, round_id=path_id(request))
    return RoundRead.model_validate(judging_round)


def _assignment_read(
    assignment: Assignment, judging_round: Round, project_title: str, scores: dict[int, int]
) -> AssignmentRead:
    return AssignmentRead.model_validate(
        extended(
            assignment,
            round_status=judging_round.status,
            project_title=project_title,
            scores=scores,
        )
    )


@router.route(
    "GET",
    "/judging/assignments",
    summary="My assignments in opened rounds, with my scores",
    response=AssignmentRead,
    many=True,
)
async def my_assignments(request: Request) -> list[AssignmentRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        assert user.id is not None
        rows = await queries.judge_assignment_models(session, user.id)
        stored = await queries.scores(session, [a.id for a, _r, _t in rows if a.id])
    return [
        _assignment_read(assignment, judging_round, title, stored[assignment.id])
        for assignment, judging_round, title in rows
        if assignment.id is not None
    ]


@router.route(
    "PUT",
    "/assignments/{id:int}/scores",
    summary="Save my scores for an assignment (criterion id -> value) and a comment",
    body=ScoresIn,
    response=AssignmentRead,
    errors=(403, 404, 409),
    guard=own_path_assignment,
)
async def save_scores(request: Request, body: ScoresIn) -> AssignmentRead:
    user = require_user(request)
    assignment_id = path_id(request)
    async with services(request).db.transaction() as session:
        await scoring.save_scores(session, user=user, assignment_id=assignment_id, data=body)
    async with services(request).db.read() as session:
        sheet = await scoring.score_sheet(session, user=user, assignment_id=assignment_id)
    return _assignment_read(sheet.assignment, sheet.round, sheet.project.title, sheet.scores)


@router.route(
    "GET",
    "/challenges/{id:int}/ranking",
    summary="Every round's raw, z-score and judge-effect rankings (organisers)",
    response=RoundRanking,
    many=True,
    errors=(403, 404),
)
async def ranking(request: Request) -> list[RoundRanking]:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await results.ranking_page(session, user=user, challenge_id=path_id(request))
    return [
        RoundRanking.model_validate(
            {
                "round_id": r.round.id,
                "round_name": r.round.name,
                "status": r.round.status,
                "aggregation": r.round.aggregation,
                "recommended": r.recommendation.method if r.recommendation else None,
                "design": r.recommendation.design if r.recommendation else None,
                "agreement": asdict(r.agreement) if r.agreement else None,
                "z_notes": {str(k): v for k, v in r.z_notes.items()},
                "leniency": r.leniency,
                "rows": [
                    RankingRow.model_validate(
                        {
                            **asdict(row.ranking),
                            "project_title": row.project.title,
                            "team_name": row.team.name,
                            "track_id": row.project.track_id,
                            "independent": row.independent,
                        }
                    )
                    for row in r.rows
                ],
            }
        )
        for r in page.rounds
    ]


@router.route(
    "GET",
    "/assignments/{id:int}/others",
    summary="The other judges' scores of my assignment's project, when the round shows them",
    response=OtherScoresRead,
    errors=(403, 404),
)
async def other_scores(request: Request) -> OtherScoresRead:
    user = require_user(request)
    async with services(request).db.read() as session:
        found = await scoring.other_scores(session, user=user, assignment_id=path_id(request))
    return OtherScoresRead(assignment_id=found.assignment.id or 0, judges=found.judges)


@router.route(
    "GET",
    "/projects/{id:int}/feedback",
    summary="My team's project's place in each closed round, how the round decided, and the "
    "judges' comments, anonymised: once results are published",
    response=FeedbackRead,
    many=True,
    errors=(404,),
)
async def project_feedback(request: Request) -> list[FeedbackRead]:
    user = require_user(request)
    project_id = path_id(request)
    async with services(request).db.read() as session:
        found = await feedback.project_feedback(session, user=user, project_id=project_id)
    # One item per round, in the page's order: the rounds that ranked the project, then any
    # other round with comments.
    comments = {item.round.id: item for item in found.rounds}
    places = {place.round.id: place for place in found.places}
    rounds = [p.round for p in found.places] + [
        item.round for item in found.rounds if item.round.id not in places
    ]
    return [
        FeedbackRead(
            project_id=project_id,
            round_id=judging_round.id or 0,
            round_name=judging_round.name,
            place=_place_read(places[judging_round.id]) if judging_round.id in places else None,
            comments=dict(comments[judging_round.id].comments)
            if judging_round.id in comments
            else {},
        )
        for judging_round in rounds
    ]


def _place_read(place: feedback.RoundPlace) -> PlaceRead:
    return PlaceRead.model_validate(
        {
            "rank": place.rank,
            "count": place.count,
            "score": place.score,
            "interval_low": place.interval[0],
            "interval_high": place.interval[1],
            "tied": place.tied_above or place.tied_below,
            "winner_title": place.winner_title,
            "method": place.method,
        }
    )


def _results_read(page: ResultsPage) -> ResultsRead:
    return ResultsRead.model_validate(
        {
            "challenge_id": page.challenge.id,
            "published_at": page.published_at,
            "awards": [
                AwardRead.model_validate(
                    extended(row.award, project_title=row.project.title, team_name=row.team.name)
                )
                for row in page.awards
            ],
        }
    )


@router.route(
    "POST",
    "/challenges/{id:int}/results/publish",
    summary="Publish the results once every round is closed; only once (organisers)",
    response=ResultsRead,
    status=201,
    errors=(403, 404, 409),
)
async def publish_results(request: Request) -> ResultsRead:
    user = require_user(request)
    challenge_id = path_id(request)
    locale = settings(request).default_locale
    async with services(request).db.transaction() as session:
        await results.publish_results(session, user=user, challenge_id=challenge_id, locale=locale)
    async with services(request).db.read() as session:
        page = await results.results_page(
            session, user=user, challenge_id=challenge_id, locale=locale
        )
    return _results_read(page)


@router.route(
    "GET",
    "/challenges/{id:int}/results",
    summary="The published awards (organisers also see a preview before)",
    response=ResultsRead,
    auth=False,
    errors=(404,),
)
async def get_results(request: Request) -> ResultsRead:
    async with services(request).db.read() as session:
        page = await results.results_page(
            session,
            user=current_user(request),
            challenge_id=path_id(request),
            locale=settings(request).default_locale,
        )
    return _results_read(page)


def _allocation_row(row: assignments.AssignmentRow) -> AllocationRow:
    return AllocationRow.model_validate(
        extended(
            row.assignment,
            project_title=row.project_title,
            team_name=row.team_name,
            judge_name=row.judge_name,
        )
    )


@router.route(
    "GET",
    "/rounds/{id:int}/assignments",
    summary="Who scores what in a round (organisers)",
    response=AllocationRow,
    many=True,
    errors=(403, 404),
)
async def round_assignments(request: Request) -> list[AllocationRow]:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await assignments.round_allocation(session, user=user, round_id=path_id(request))
    return [_allocation_row(row) for row in page.rows]


async def organiser_of_path_assignment(request: Request, session: AsyncSession) -> None:
    await assignments.round_of_assignment(
        session, user=require_user(request), assignment_id=path_id(request)
    )


@router.route(
    "PUT",
    "/assignments/{id:int}/judge",
    summary="Give an assignment to another judge; their earlier scores on it are discarded",
    body=Reassign,
    status=204,
    errors=(403, 404, 409),
    guard=organiser_of_path_assignment,
)
async def reassign(request: Request, body: Reassign) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await assignments.reassign(
            session, user=user, assignment_id=path_id(request), judge_id=body.judge_id
        )


@router.route(
    "DELETE",
    "/assignments/{id:int}",
    summary="Take an assignment (and its scores) out of a round that is not closed",
    status=204,
    errors=(403, 404, 409),
)
async def remove_assignment(request: Request) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await assignments.remove_assignment(session, user=user, assignment_id=path_id(request))


@router.route(
    "POST",
    "/challenges/{id:int}/judges/{judge_id:int}/remove",
    summary="Remove a judge, keeping or discarding their scores in rounds still open",
    body=JudgeRemoval,
    status=204,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def remove_judge(request: Request, body: JudgeRemoval) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await assignments.remove_judge(
            session,
            user=user,
            challenge_id=path_id(request),
            judge_id=path_id(request, "judge_id"),
            keep_scores=body.scores == "keep",
        )


@router.route(
    "GET",
    "/rounds/{id:int}/design",
    summary="Coverage per project, linked groups of judges and distinct panels (organisers)",
    response=RoundDesignRead,
    errors=(403, 404),
)
async def round_design(request: Request) -> RoundDesignRead:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await assignments.round_allocation(session, user=user, round_id=path_id(request))
    return RoundDesignRead(
        round_id=page.round.id or 0,
        judges_per_project=page.round.judges_per_project,
        coverage=[
            CoverageRow(
                project_id=c.project_id,
                project_title=c.project_title,
                judges=c.judges,
                needed=c.needed,
            )
            for c in page.coverage
        ],
        short=[c.project_id for c in page.short],
        groups=page.design.groups,
        connected=page.design.connected,
        distinct_panels=page.design.distinct_panels,
        repeated_panels=page.design.repeated_panels,
        loads=page.design.loads,
    )


def _conflict_read(row: conflicts.ConflictRow) -> ConflictRead:
    return ConflictRead.model_validate(
        extended(row.conflict, judge_name=row.judge_name, target_name=row.target_name)
    )


@router.route(
    "GET",
    "/challenges/{id:int}/conflicts",
    summary="Declared conflicts of interest: all for organisers, a judge's own for a judge",
    response=ConflictRead,
    many=True,
    errors=(403, 404),
)
async def list_conflicts(request: Request) -> list[ConflictRead]:
    user = require_user(request)
    async with services(request).db.read() as session:
        rows = await conflicts.visible_conflicts(session, user=user, challenge_id=path_id(request))
    return [_conflict_read(row) for row in rows]


async def judge_in_path(request: Request, session: AsyncSession) -> None:
    await conflicts.my_conflicts(session, user=require_user(request), challenge_id=path_id(request))


@router.route(
    "POST",
    "/challenges/{id:int}/conflicts",
    summary="Declare a conflict with an institution or a team (judges); twice is harmless",
    body=ConflictDeclare,
    response=ConflictRead,
    status=201,
    errors=(403, 404),
    guard=judge_in_path,
)
async def declare_conflict(request: Request, body: ConflictDeclare) -> ConflictRead:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.transaction() as session:
        made = await conflicts.declare_conflict(
            session, user=user, challenge_id=challenge_id, data=body
        )
    async with services(request).db.read() as session:
        rows = await conflicts.conflict_rows(session, challenge_id, judge_id=user.id)
    return next(_conflict_read(row) for row in rows if row.conflict.id == made.id)


@router.route(
    "POST",
    "/challenges/{id:int}/conflicts/withdraw",
    summary="Withdraw a declared conflict (judges)",
    body=ConflictWithdraw,
    status=204,
    errors=(403, 404),
    guard=judge_in_path,
)
async def withdraw_conflict(request: Request, body: ConflictWithdraw) -> None:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await conflicts.withdraw_conflict(
            session, user=user, challenge_id=path_id(request), data=body
        )


@router.route(
    "POST",
    "/assignments/{id:int}/recuse",
    summary="Step back from my assignment with a reason: its scores go, organisers reassign it",
    body=Recusal,
    response=AssignmentRead,
    errors=(403, 404, 409),
    guard=own_path_assignment,
)
async def recuse(request: Request, body: Recusal) -> AssignmentRead:
    user = require_user(request)
    assignment_id = path_id(request)
    async with services(request).db.transaction() as session:
        await conflicts.recuse(session, user=user, assignment_id=assignment_id, reason=body.reason)
    async with services(request).db.read() as session:
        sheet = await scoring.score_sheet(session, user=user, assignment_id=assignment_id)
    return _assignment_read(sheet.assignment, sheet.round, sheet.project.title, sheet.scores)


# --- The people's-choice vote ---


def _voter_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.route(
    "POST",
    "/rounds/{id:int}/votes",
    summary="Vote for a project in an open public-vote round (anyone; visitors confirm by e-mail)",
    body=VoteIn,
    response=VoteCast,
    auth=False,
    errors=(404, 409, 422, 429),
)
async def cast_vote(request: Request, body: VoteIn) -> VoteCast:
    user = current_user(request)
    found = services(request)
    email = user.email if user is not None and user.email_verified_at else body.email
    address = _voter_address(request)
    await ratelimit.limit_vote(
        found.redis, email=email or "", network=anomalies.network_of(address)
    )
    async with found.db.transaction() as session:
        cast = await voting.cast_vote(
            session,
            user=user,
            round_id=path_id(request),
            project_id=body.project_id,
            email=body.email,
            address=address,
            locale=request.state.locale,
        )
    return VoteCast(
        round_id=path_id(request),
        project_id=body.project_id,
        status="counted" if cast.counted else "pending_confirmation",
    )


@router.route(
    "POST",
    "/votes/confirm",
    summary="Confirm a vote with the token of the e-mailed link (once, within two days)",
    body=VoteConfirm,
    response=VoteConfirmed,
    auth=False,
    errors=(404, 409, 422),
)
async def confirm_vote(request: Request, body: VoteConfirm) -> VoteConfirmed:
    claim = mails.read_token(settings(request).secret_key, body.token)
    async with services(request).db.transaction() as session:
        vote = await voting.confirm_vote(session, claim=claim)
    assert vote.project_id is not None
    return VoteConfirmed(round_id=vote.round_id, project_id=vote.project_id)


def _votes_read(page: voting.VotesPage) -> VotesRead:
    return VotesRead(
        round_id=page.round.id or 0,
        status=page.round.status,
        counted=page.counted,
        pending=page.pending,
        voided=page.voided,
        tally=[
            TallyRead(
                project_id=row.project.id or 0,
                project_title=row.project.title,
                team_name=row.team.name,
                votes=row.votes,
            )
            for row in page.rows
        ],
        flagged=[
            FlaggedVoteRead(
                id=b.id,
                email=b.email,
                network=b.network,
                project_title=b.project_title,
                created_at=b.created_at,
                confirmed_at=b.confirmed_at,
                counted=b.counted,
                flags=[str(f) for f in b.flags],
            )
            for b in page.flagged
        ],
    )


@router.route(
    "GET",
    "/rounds/{id:int}/votes",
    summary="A public vote's count and the votes flagged as anomalies (organisers)",
    response=VotesRead,
    errors=(403, 404),
)
async def round_votes(request: Request) -> VotesRead:
    async with services(request).db.read() as session:
        page = await voting.votes_page(
            session, user=require_user(request), round_id=path_id(request)
        )
    return _votes_read(page)


@router.route(
    "POST",
    "/rounds/{id:int}/votes/void",
    summary="Void votes of a public vote, with a reason, until results are published (organisers)",
    body=VoidVotes,
    response=VoidedRead,
    errors=(403, 404, 409, 422),
    guard=organiser_of_path_round,
)
async def void_votes(request: Request, body: VoidVotes) -> VoidedRead:
    async with services(request).db.transaction() as session:
        ids = await voting.void_votes(
            session,
            user=require_user(request),
            round_id=path_id(request),
            vote_ids=body.vote_ids,
            reason=body.reason,
        )
    return VoidedRead(voided=ids)
