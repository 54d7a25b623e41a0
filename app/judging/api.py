"""JSON API: rubrics, rounds and assignment, scoring, rankings and results."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, read_json, respond
from app.judging import queries, results, scoring, service
from app.judging.schemas import (
    AllocationRead,
    AssignmentRead,
    AwardRead,
    CriterionRead,
    JudgeAdd,
    RankingRow,
    ResultsRead,
    RoundCreate,
    RoundRanking,
    RoundRead,
    RubricCreate,
    RubricRead,
    ScoresIn,
)

router = ApiRouter("judging")


@router.route(
    "POST",
    "/challenges/{id:int}/rubrics",
    summary="Create a rubric with weighted criteria adding up to 100 (organisers)",
    body=RubricCreate,
    response=RubricRead,
    status=201,
    errors=(403, 404),
)
async def create_rubric(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    # The permission before the body: someone who may not set up judging learns nothing from it.
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, RubricCreate)
    async with request.app.state.db.transaction() as session:
        rubric = await service.create_rubric(
            session, user=user, challenge_id=challenge_id, data=data
        )
        assert rubric.id is not None
        criteria = (await queries.criteria(session, [rubric.id]))[rubric.id]
    body = RubricRead(
        id=rubric.id,
        challenge_id=rubric.challenge_id,
        name=rubric.name,
        scale_min=rubric.scale_min,
        scale_max=rubric.scale_max,
        criteria=[CriterionRead.model_validate(c) for c in criteria],
    )
    return respond(body, 201)


@router.route(
    "POST",
    "/challenges/{id:int}/judges",
    summary="Give an existing account the judge role (organisers)",
    body=JudgeAdd,
    status=204,
    errors=(403, 404),
)
async def add_judge(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, JudgeAdd)
    async with request.app.state.db.transaction() as session:
        await service.add_judge(
            session, user=user, challenge_id=challenge_id, email=str(data.email)
        )
    return Response(status_code=204)


@router.route(
    "POST",
    "/challenges/{id:int}/rounds",
    summary="Create a judging round in preparation (organisers)",
    body=RoundCreate,
    response=RoundRead,
    status=201,
    errors=(403, 404),
)
async def create_round(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, RoundCreate)
    async with request.app.state.db.transaction() as session:
        judging_round = await service.create_round(
            session, user=user, challenge_id=challenge_id, data=data
        )
    return respond(RoundRead.model_validate(judging_round), 201)


@router.route(
    "POST",
    "/rounds/{id:int}/assign",
    summary="Assign k judges to every submitted project, balanced, without conflicts",
    response=AllocationRead,
    errors=(403, 404, 409),
)
async def assign_judges(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        allocated = await service.assign_judges(
            session, user=user, round_id=request.path_params["id"]
        )
    body = AllocationRead(
        round_id=request.path_params["id"], assignments=allocated.assignments, loads=allocated.loads
    )
    return respond(body)


@router.route(
    "POST",
    "/rounds/{id:int}/open",
    summary="Open a round for scoring (organisers)",
    response=RoundRead,
    errors=(403, 404, 409),
)
async def open_round(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        judging_round = await service.open_round(
            session, user=user, round_id=request.path_params["id"]
        )
    return respond(RoundRead.model_validate(judging_round))


@router.route(
    "POST",
    "/rounds/{id:int}/close",
    summary="Close a round: scores become final (organisers)",
    response=RoundRead,
    errors=(403, 404, 409),
)
async def close_round(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        judging_round = await service.close_round(
            session, user=user, round_id=request.path_params["id"]
        )
    return respond(RoundRead.model_validate(judging_round))


@router.route(
    "GET",
    "/judging/assignments",
    summary="My assignments in opened rounds, with my scores",
    response=AssignmentRead,
    many=True,
)
async def my_assignments(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        groups = await scoring.my_assignments(session, user=user)
        ids = [item.assignment.id for g in groups for item in g.items if item.assignment.id]
        stored = await queries.scores(session, ids)
    body: list[BaseModel] = [
        AssignmentRead(
            id=item.assignment.id or 0,
            round_id=group.round.id or 0,
            round_status=group.round.status,
            project_id=item.project.id or 0,
            project_title=item.project.title,
            scores=stored.get(item.assignment.id or 0, {}),
            comment=item.assignment.comment,
            submitted_at=item.assignment.submitted_at,
        )
        for group in groups
        for item in group.items
    ]
    return respond(body)


@router.route(
    "PUT",
    "/assignments/{id:int}/scores",
    summary="Save my scores for an assignment (criterion id -> value) and a comment",
    body=ScoresIn,
    response=AssignmentRead,
    errors=(404, 409),
)
async def save_scores(request: Request) -> Response:
    user = require_user(request)
    assignment_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await scoring.own_assignment(session, user=user, assignment_id=assignment_id)
    data = await read_json(request, ScoresIn)
    async with request.app.state.db.transaction() as session:
        await scoring.save_scores(session, user=user, assignment_id=assignment_id, data=data)
    async with request.app.state.db.read() as session:
        sheet = await scoring.score_sheet(session, user=user, assignment_id=assignment_id)
    body = AssignmentRead(
        id=assignment_id,
        round_id=sheet.round.id or 0,
        round_status=sheet.round.status,
        project_id=sheet.project.id or 0,
        project_title=sheet.project.title,
        scores=sheet.scores,
        comment=sheet.assignment.comment,
        submitted_at=sheet.assignment.submitted_at,
    )
    return respond(body)


@router.route(
    "GET",
    "/challenges/{id:int}/ranking",
    summary="Every round's raw, z-score and judge-effect rankings (organisers)",
    response=RoundRanking,
    many=True,
    errors=(403, 404),
)
async def ranking(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        page = await results.ranking_page(
            session, user=user, challenge_id=request.path_params["id"]
        )
    body: list[BaseModel] = [
        RoundRanking(
            round_id=r.round.id or 0,
            round_name=r.round.name,
            status=r.round.status,
            leniency=r.leniency,
            rows=[
                RankingRow(
                    project_id=row.ranking.project_id,
                    project_title=row.project.title,
                    team_name=row.team.name,
                    track_id=row.project.track_id,
                    judges=row.ranking.judges,
                    low=row.ranking.low,
                    high=row.ranking.high,
                    raw_mean=row.ranking.raw_mean,
                    raw_rank=row.ranking.raw_rank,
                    z_mean=row.ranking.z_mean,
                    z_rank=row.ranking.z_rank,
                    adjusted=row.ranking.adjusted,
                    adjusted_rank=row.ranking.adjusted_rank,
                )
                for row in r.rows
            ],
        )
        for r in page.rounds
    ]
    return respond(body)


def _results_body(page: results.ResultsPage) -> ResultsRead:
    return ResultsRead(
        challenge_id=page.challenge.id or 0,
        published_at=page.published_at,
        awards=[
            AwardRead(
                name=row.award.name,
                rank=row.award.rank,
                project_id=row.award.project_id,
                project_title=row.project.title,
                team_name=row.team.name,
                track_id=row.award.track_id,
                score=row.award.score,
            )
            for row in page.awards
        ],
    )


@router.route(
    "POST",
    "/challenges/{id:int}/results/publish",
    summary="Publish the results once every round is closed; only once (organisers)",
    response=ResultsRead,
    status=201,
    errors=(403, 404, 409),
)
async def publish_results(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    locale = request.app.state.settings.default_locale
    async with request.app.state.db.transaction() as session:
        await results.publish_results(session, user=user, challenge_id=challenge_id, locale=locale)
    async with request.app.state.db.read() as session:
        page = await results.results_page(
            session, user=user, challenge_id=challenge_id, locale=locale
        )
    return respond(_results_body(page), 201)


@router.route(
    "GET",
    "/challenges/{id:int}/results",
    summary="The published awards (organisers also see a preview before)",
    response=ResultsRead,
    auth=False,
    errors=(404,),
)
async def get_results(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        page = await results.results_page(
            session,
            user=current_user(request),
            challenge_id=request.path_params["id"],
            locale=request.app.state.settings.default_locale,
        )
    return respond(_results_body(page))
