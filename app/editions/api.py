"""JSON API: next year's edition, promotions along a programme, a project's history."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter
from app.challenges import permissions as challenge_permissions
from app.challenges.schemas import ChallengeRead, EditionInput
from app.editions import history, service
from app.editions.schemas import PromotionInput, PromotionRead, StageRead
from app.teams import promotion
from app.web import path_id, services

router = ApiRouter("editions")


@router.route(
    "POST",
    "/challenges/{id:int}/next-edition",
    summary="Make next year's edition as a draft: texts, rules, tracks, rubrics, organisers "
    "and sponsors copied, phases a year later, no teams (organisers allowed to create)",
    body=EditionInput,
    response=ChallengeRead,
    status=201,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def next_edition(request: Request, body: EditionInput) -> ChallengeRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        challenge = await service.clone_edition(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return ChallengeRead.model_validate(challenge)


@router.route(
    "POST",
    "/challenges/{id:int}/promotions",
    summary="Move teams that handed in a project on to a later stage of the programme "
    "(organisers of both); teams already moved on are left as they are",
    body=PromotionInput,
    response=PromotionRead,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def promote(request: Request, body: PromotionInput) -> PromotionRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        done = await promotion.promote_teams(
            session,
            user=user,
            from_challenge_id=path_id(request),
            to_challenge_id=body.to_challenge_id,
            team_ids=body.team_ids,
        )
    return PromotionRead(
        promoted=[t.id for t in done.promoted if t.id is not None],
        already=[t.id for t in done.already if t.id is not None],
    )


@router.route(
    "GET",
    "/projects/{id:int}/history",
    summary="The project's stages along its programme that you may see, with their awards "
    "(once published), adoptions and certificates",
    response=StageRead,
    many=True,
    auth=False,
    errors=(404,),
)
async def project_history(request: Request) -> list[StageRead]:
    async with services(request).db.read() as session:
        stages = await history.project_history(
            session, user=current_user(request), project_id=path_id(request)
        )
    return [
        StageRead(
            challenge_id=s.challenge.id or 0,
            challenge_title=s.challenge.title,
            stage=s.challenge.stage,
            project_id=s.project.id or 0,
            project_title=s.project.title,
            status=s.project.status,
            team_id=s.team.id or 0,
            team_name=s.team.name,
            awards=[a.name for a in s.awards],
            adopted_by=s.adopted_by,
            certificates=s.certificates,
            results_published_at=s.challenge.results_published_at,
        )
        for s in stages
    ]
