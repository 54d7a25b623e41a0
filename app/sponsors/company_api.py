"""JSON API: sponsor organisations (their public page, their profile and logo), joining one
to a challenge, and the dashboard of their representatives across challenges."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter
from app.challenges import permissions as challenge_permissions
from app.forms import read_upload
from app.sponsors import companies, company_views, queries, service
from app.sponsors.company_schemas import (
    CompanyJoin,
    CompanyPage,
    CompanyProfile,
    CompanyRead,
    SponsorDashboardRead,
    SponsorTrackRead,
    TrackProposal,
)
from app.sponsors.schemas import SponsorRead
from app.storage import staged
from app.web import path_id, services

router = ApiRouter("companies")


async def editor_of_path_company(request: Request, session: AsyncSession) -> None:
    await companies.editable(session, user=require_user(request), company_id=path_id(request))


@router.route(
    "GET",
    "/companies/{id:int}",
    summary="A sponsor organisation's profile and the projects it adopted, across editions",
    response=CompanyPage,
    auth=False,
    errors=(404,),
)
async def company_page(request: Request) -> CompanyPage:
    async with services(request).db.read() as session:
        view = await company_views.company_page(
            session, user=current_user(request), company_id=path_id(request)
        )
    return view.read()


@router.route(
    "PUT",
    "/companies/{id:int}",
    summary="Change an organisation's profile (its representatives)",
    body=CompanyProfile,
    response=CompanyRead,
    errors=(403, 404, 409),
    guard=editor_of_path_company,
)
async def update_company(request: Request, body: CompanyProfile) -> CompanyRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        company = await companies.update_profile(
            session, user=user, company_id=path_id(request), data=body
        )
    return company_views.company_read(company)


@router.route(
    "PUT",
    "/companies/{id:int}/logo",
    summary="Put up a logo: PNG or JPEG, at most 1 MB and 2000 x 2000 pixels "
    "(multipart/form-data, field 'file'); shown at /companies/{id}/logo",
    response=CompanyRead,
    errors=(403, 404, 413, 415),
    files=("file",),
    guard=editor_of_path_company,
)
async def put_logo(request: Request) -> CompanyRead:
    user = require_user(request)
    found = services(request)
    upload = await read_upload(request, csrf=False)
    async with staged(found.storage) as stage, found.db.transaction() as session:
        unused = await companies.set_logo(
            session, user=user, company_id=path_id(request), upload=upload, stage=stage
        )
    if unused:
        found.storage.delete(unused)
    async with found.db.read() as session:
        company = await company_views.edit_page(session, user=user, company_id=path_id(request))
    return company_views.company_read(company)


@router.route(
    "DELETE",
    "/companies/{id:int}/logo",
    summary="Take the logo down (its representatives)",
    status=204,
    errors=(403, 404),
    guard=editor_of_path_company,
)
async def delete_logo(request: Request) -> None:
    user = require_user(request)
    found = services(request)
    async with found.db.transaction() as session:
        unused = await companies.remove_logo(session, user=user, company_id=path_id(request))
    if unused:
        found.storage.delete(unused)


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors/join",
    summary="Join an existing organisation to a challenge, once (organisers)",
    body=CompanyJoin,
    response=SponsorRead,
    status=201,
    errors=(403, 404, 409),
    guard=challenge_permissions.organised_in_path,
)
async def join_company(request: Request, body: CompanyJoin) -> SponsorRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        sponsor = await service.join_company(
            session, user=user, challenge_id=path_id(request), company_id=body.company_id
        )
    return SponsorRead.model_validate(sponsor)


async def representative_of_path_sponsor(request: Request, session: AsyncSession) -> None:
    await company_views.track_page(
        session,
        user=require_user(request),
        challenge_id=path_id(request),
        sponsor_id=path_id(request, "sponsor_id"),
    )


async def organiser_of_path_sponsor(request: Request, session: AsyncSession) -> None:
    await challenge_permissions.organised_in_path(request, session)
    await queries.get_sponsor(
        session, path_id(request, "sponsor_id"), challenge_id=path_id(request)
    )


@router.route(
    "PUT",
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/track",
    summary="Propose the company's own track in a challenge, or change it until it is "
    "accepted (the company's representatives)",
    body=TrackProposal,
    response=SponsorTrackRead,
    errors=(403, 404, 409),
    guard=representative_of_path_sponsor,
)
async def propose_track(request: Request, body: TrackProposal) -> SponsorTrackRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        sponsor = await service.propose_track(
            session,
            user=user,
            challenge_id=path_id(request),
            sponsor_id=path_id(request, "sponsor_id"),
            name=body.name,
            description=body.description,
        )
    return SponsorTrackRead.model_validate(sponsor)


@router.route(
    "POST",
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/track/accept",
    summary="Accept the company's proposed track: it becomes a track of the challenge (organisers)",
    response=SponsorTrackRead,
    errors=(403, 404, 409),
    guard=organiser_of_path_sponsor,
)
async def accept_track(request: Request) -> SponsorTrackRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        sponsor = await service.accept_track(
            session,
            user=user,
            challenge_id=path_id(request),
            sponsor_id=path_id(request, "sponsor_id"),
        )
    return SponsorTrackRead.model_validate(sponsor)


@router.route(
    "GET",
    "/sponsor/dashboard",
    summary="A representative's offers, adoptions with their follow-up, and milestones "
    "waiting, across every challenge and edition of their companies",
    response=SponsorDashboardRead,
    errors=(),
)
async def dashboard(request: Request) -> SponsorDashboardRead:
    user = require_user(request)
    async with services(request).db.read() as session:
        return await company_views.dashboard(session, user=user)
