"""JSON API of this domain: challenges, their tracks and phase windows."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.challenges import permissions, phases, service, views
from app.challenges.schemas import (
    ChallengeDetail,
    ChallengeInput,
    ChallengeRead,
    PhaseRead,
    PhasesUpdate,
    TrackInput,
    TrackRead,
)
from app.web import path_id, services

router = ApiRouter("challenges")


@router.route(
    "GET",
    "/challenges",
    summary="List the published challenges",
    response=ChallengeRead,
    many=True,
    auth=False,
)
async def list_challenges(request: Request) -> list[ChallengeRead]:
    async with services(request).db.read() as session:
        cards = await phases.published_cards(session)
    return [
        ChallengeRead.model_validate(extended(card.challenge, current_phase=card.label))
        for card in cards
    ]


async def _detail(request: Request, challenge_id: int) -> ChallengeDetail:
    async with services(request).db.read() as session:
        detail = await views.challenge_detail(
            session, user=current_user(request), challenge_id=challenge_id
        )
    return ChallengeDetail.model_validate(
        extended(
            detail.challenge,
            current_phase=detail.label,
            tracks=detail.tracks,
            phases=detail.phases,
        )
    )


@router.route(
    "GET",
    "/challenges/{id:int}",
    summary="A challenge with its tracks and phases",
    response=ChallengeDetail,
    auth=False,
    errors=(404,),
)
async def get_challenge(request: Request) -> ChallengeDetail:
    return await _detail(request, path_id(request))


async def may_create(request: Request, _session: AsyncSession) -> None:
    service.ensure_may_create(require_user(request))


@router.route(
    "POST",
    "/challenges",
    summary="Create a draft challenge; you become its organiser (if allowed to create)",
    body=ChallengeInput,
    response=ChallengeDetail,
    status=201,
    errors=(403,),
    guard=may_create,
)
async def create_challenge(request: Request, body: ChallengeInput) -> ChallengeDetail:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        challenge = await service.create_challenge(session, user=user, data=body)
    assert challenge.id is not None
    return await _detail(request, challenge.id)


@router.route(
    "POST",
    "/challenges/{id:int}/tracks",
    summary="Add a track (organisers)",
    body=TrackInput,
    response=TrackRead,
    status=201,
    errors=(403, 404, 409),
    guard=permissions.organised_in_path,
)
async def add_track(request: Request, body: TrackInput) -> TrackRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        track = await service.add_track(
            session, user=user, challenge_id=path_id(request), data=body
        )
    return TrackRead.model_validate(track)


@router.route(
    "PUT",
    "/challenges/{id:int}/phases",
    summary="Replace the phase windows (organisers); times without a zone are local",
    body=PhasesUpdate,
    response=PhaseRead,
    many=True,
    errors=(403, 404),
    guard=permissions.organised_in_path,
)
async def set_phases(request: Request, body: PhasesUpdate) -> list[PhaseRead]:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        phase_list = await phases.set_phases(
            session, user=user, challenge_id=path_id(request), windows=body.phases
        )
    return [PhaseRead.model_validate(p) for p in phase_list]
