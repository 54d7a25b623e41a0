"""JSON API: sponsors, their representatives, and adoptions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, read_json, respond
from app.sponsors import adoptions, overviews, queries, service
from app.sponsors.schemas import (
    AdoptionCreate,
    AdoptionRead,
    AdoptionsReport,
    RepresentativeAdd,
    RepresentativeRead,
    SponsorCreate,
    SponsorRead,
)

router = ApiRouter("sponsors")


@router.route(
    "GET",
    "/challenges/{id:int}/sponsors",
    summary="The sponsors of a challenge",
    response=SponsorRead,
    many=True,
    auth=False,
    errors=(404,),
)
async def list_sponsors(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        page = await service.list_sponsors(
            session, user=current_user(request), challenge_id=request.path_params["id"]
        )
    return respond([SponsorRead.model_validate(s) for s in page.sponsors])


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors",
    summary="Add a sponsor (organisers)",
    body=SponsorCreate,
    response=SponsorRead,
    status=201,
    errors=(403, 404, 409),
)
async def add_sponsor(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    # The permission before the body: someone who may not add a sponsor learns nothing from it.
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    data = await read_json(request, SponsorCreate)
    async with request.app.state.db.transaction() as session:
        sponsor = await service.add_sponsor(
            session, user=user, challenge_id=challenge_id, data=data
        )
    return respond(SponsorRead.model_validate(sponsor), 201)


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/representatives",
    summary="Link an existing account as a sponsor's representative (organisers)",
    body=RepresentativeAdd,
    response=RepresentativeRead,
    status=201,
    errors=(403, 404),
)
async def add_representative(request: Request) -> Response:
    user = require_user(request)
    challenge_id, sponsor_id = request.path_params["id"], request.path_params["sponsor_id"]
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
        await queries.get_sponsor(session, sponsor_id, challenge_id=challenge_id)
    data = await read_json(request, RepresentativeAdd)
    async with request.app.state.db.transaction() as session:
        person = await service.add_representative(
            session,
            user=user,
            challenge_id=challenge_id,
            sponsor_id=sponsor_id,
            email=str(data.email),
        )
    assert person.id is not None
    body = RepresentativeRead(
        sponsor_id=sponsor_id, user_id=person.id, name=person.name, email=person.email
    )
    return respond(body, 201)


@router.route(
    "POST",
    "/projects/{id:int}/adoptions",
    summary="Offer an adoption of a submitted project (sponsor representatives)",
    body=AdoptionCreate,
    response=AdoptionRead,
    status=201,
    errors=(403, 404, 409),
)
async def propose_adoption(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await adoptions.project_to_adopt(session, user=user, project_id=project_id)
    data = await read_json(request, AdoptionCreate)
    async with request.app.state.db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=user, project_id=project_id, data=data
        )
    return respond(AdoptionRead.model_validate(adoption), 201)


@router.route(
    "POST",
    "/adoptions/{id:int}/accept",
    summary="Accept an offer (the team's coach)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def accept_adoption(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        adoption = await adoptions.accept_adoption(
            session, user=user, adoption_id=request.path_params["id"]
        )
    return respond(AdoptionRead.model_validate(adoption))


@router.route(
    "POST",
    "/adoptions/{id:int}/decline",
    summary="Decline an offer (the team's coach)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def decline_adoption(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        adoption = await adoptions.decline_adoption(
            session, user=user, adoption_id=request.path_params["id"]
        )
    return respond(AdoptionRead.model_validate(adoption))


@router.route(
    "POST",
    "/adoptions/{id:int}/withdraw",
    summary="Withdraw an offer before the team answers (sponsor representatives)",
    response=AdoptionRead,
    errors=(403, 404, 409),
)
async def withdraw_adoption(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        adoption = await adoptions.withdraw_adoption(
            session, user=user, adoption_id=request.path_params["id"]
        )
    return respond(AdoptionRead.model_validate(adoption))


@router.route(
    "GET",
    "/challenges/{id:int}/adoptions",
    summary="Every adoption of a challenge with totals (organisers)",
    response=AdoptionsReport,
    errors=(403, 404),
)
async def adoptions_report(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        report = await overviews.adoptions_report(
            session, user=user, challenge_id=request.path_params["id"]
        )
    body = AdoptionsReport(
        accepted=report.accepted,
        pending=report.pending,
        adoptions=[AdoptionRead.model_validate(row.adoption) for row in report.rows],
    )
    return respond(body)
