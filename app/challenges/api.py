"""JSON API of this domain: challenges, their tracks and phase windows."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, read_json, respond
from app.challenges import phases, queries, service
from app.challenges.models import Challenge, Phase
from app.challenges.schemas import (
    ChallengeDetail,
    ChallengeInput,
    ChallengeRead,
    PhaseRead,
    PhasesUpdate,
    TrackInput,
    TrackRead,
)
from app.db import utcnow

router = ApiRouter("challenges")


def _read(challenge: Challenge, phase_list: list[Phase]) -> ChallengeRead:
    return ChallengeRead.model_validate(
        {**challenge.model_dump(), "current_phase": queries.phase_label(phase_list, utcnow())}
    )


@router.route(
    "GET",
    "/challenges",
    summary="List the published challenges",
    response=ChallengeRead,
    many=True,
    auth=False,
)
async def list_challenges(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        cards = await phases.published_cards(session)
    return respond([_read(card.challenge, card.phases) for card in cards])


async def _detail(request: Request, challenge_id: int) -> ChallengeDetail:
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load(
            session, user=current_user(request), challenge_id=challenge_id
        )
        phase_list = await queries.phases(session, challenge_id)
        tracks = await queries.tracks(session, challenge_id)
    return ChallengeDetail.model_validate(
        {
            **_read(challenge, phase_list).model_dump(),
            "description": challenge.description,
            "tracks": [TrackRead.model_validate(t) for t in tracks],
            "phases": [PhaseRead.model_validate(p) for p in phase_list],
        }
    )


@router.route(
    "GET",
    "/challenges/{id:int}",
    summary="A challenge with its tracks and phases",
    response=ChallengeDetail,
    auth=False,
    errors=(404,),
)
async def get_challenge(request: Request) -> Response:
    return respond(await _detail(request, request.path_params["id"]))


@router.route(
    "POST",
    "/challenges",
    summary="Create a draft challenge; you become its organiser",
    body=ChallengeInput,
    response=ChallengeDetail,
    status=201,
)
async def create_challenge(request: Request) -> Response:
    user = require_user(request)
    data = await read_json(request, ChallengeInput)
    async with request.app.state.db.transaction() as session:
        challenge = await service.create_challenge(session, user=user, data=data)
    assert challenge.id is not None
    return respond(await _detail(request, challenge.id), 201)


@router.route(
    "POST",
    "/challenges/{id:int}/tracks",
    summary="Add a track (organisers)",
    body=TrackInput,
    response=TrackRead,
    status=201,
    errors=(403, 404, 409),
)
async def add_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    # The permission before the body: someone who may not add a track learns nothing from it.
    async with request.app.state.db.read() as session:
        await service.load_managed(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, TrackInput)
    async with request.app.state.db.transaction() as session:
        track = await service.add_track(session, user=user, challenge_id=challenge_id, data=data)
    return respond(TrackRead.model_validate(track), 201)


@router.route(
    "PUT",
    "/challenges/{id:int}/phases",
    summary="Replace the phase windows (organisers); times without a zone are local",
    body=PhasesUpdate,
    response=PhaseRead,
    many=True,
    errors=(403, 404),
)
async def set_phases(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await service.load_managed(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, PhasesUpdate)
    async with request.app.state.db.transaction() as session:
        phase_list = await phases.set_phases(
            session, user=user, challenge_id=challenge_id, windows=data.phases
        )
    return respond([PhaseRead.model_validate(p) for p in phase_list])
