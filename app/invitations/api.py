"""JSON API of invitations: the organisers' (list, invite, resend, revoke) and the
company representatives' to their colleagues (the same, for their company)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts import ratelimit
from app.accounts.auth import require_user
from app.accounts.models import User
from app.api import ApiRouter, extended
from app.challenges import permissions as challenge_permissions
from app.db import utcnow
from app.i18n import get_locale
from app.invitations import queries, service
from app.invitations.models import Invitation
from app.invitations.schemas import (
    ColleagueInvite,
    ColleagueRead,
    CompanyRepresentativesRead,
    InvitationCreate,
    InvitationRead,
    InvitationReport,
    LineRefusal,
)
from app.web import path_id, services

router = ApiRouter("invitations")


def _read(invitation: Invitation) -> InvitationRead:
    status = invitation.shown_status(utcnow())
    return InvitationRead.model_validate(extended(invitation, status=status))


@router.route(
    "GET",
    "/challenges/{id:int}/invitations",
    summary="The challenge's invitations, newest first (organisers)",
    response=InvitationRead,
    many=True,
    errors=(403, 404),
    guard=challenge_permissions.organised_in_path,
)
async def list_invitations(request: Request) -> list[InvitationRead]:
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=require_user(request), challenge_id=path_id(request)
        )
        rows = await queries.invitations(session, access.challenge_id)
    return [_read(row) for row in rows]


@router.route(
    "POST",
    "/challenges/{id:int}/invitations",
    summary="Invite addresses to a role (organisers): each bad one is refused with its reason",
    body=InvitationCreate,
    response=InvitationReport,
    status=201,
    errors=(403, 404, 409, 429),
    guard=challenge_permissions.organised_in_path,
)
async def invite(request: Request, body: InvitationCreate) -> InvitationReport:
    user = require_user(request)
    assert user.id is not None
    found = services(request)
    await ratelimit.limit_invitations(found.redis, inviter_id=user.id, count=len(body.emails))
    async with found.db.transaction() as session:
        report = await service.invite(
            session,
            user=user,
            challenge_id=path_id(request),
            kind=body.kind,
            sponsor_id=body.sponsor_id,
            lines=list(enumerate(body.emails, start=1)),
            days=body.days,
            locale=get_locale(),
        )
    return _report(report)


@router.route(
    "POST",
    "/challenges/{id:int}/invitations/{invitation_id:int}/resend",
    summary="Send an invitation again with a new link, valid 7 days; the old link stops working",
    response=InvitationRead,
    errors=(403, 404, 409, 429),
    guard=challenge_permissions.organised_in_path,
)
async def resend(request: Request) -> InvitationRead:
    return await _sent_again(
        request,
        lambda session, user, invitation_id: service.resend(
            session, user=user, challenge_id=path_id(request), invitation_id=invitation_id
        ),
    )


@router.route(
    "POST",
    "/challenges/{id:int}/invitations/{invitation_id:int}/revoke",
    summary="Withdraw a pending invitation; its link stops working",
    response=InvitationRead,
    errors=(403, 404, 409),
    guard=challenge_permissions.organised_in_path,
)
async def revoke(request: Request) -> InvitationRead:
    return await _withdrawn(
        request,
        lambda session, user, invitation_id: service.revoke(
            session, user=user, challenge_id=path_id(request), invitation_id=invitation_id
        ),
    )


# --- A company's representatives invite their colleagues ---


async def representative_of_path_company(request: Request, session: AsyncSession) -> None:
    await service.represented_company(
        session, user=require_user(request), company_id=path_id(request)
    )


def _report(report: service.Report) -> InvitationReport:
    return InvitationReport(
        invited=[_read(invitation) for invitation in report.invited],
        refused=[
            LineRefusal(line=r.line, email=r.email, message=r.message) for r in report.refused
        ],
    )


@router.route(
    "GET",
    "/companies/{id:int}/representatives",
    summary="Who represents the company, and the colleagues invited who have not answered "
    "(its representatives)",
    response=CompanyRepresentativesRead,
    errors=(404,),
    guard=representative_of_path_company,
)
async def company_representatives(request: Request) -> CompanyRepresentativesRead:
    async with services(request).db.read() as session:
        found = await service.colleagues(
            session, user=require_user(request), company_id=path_id(request)
        )
    return CompanyRepresentativesRead(
        company_id=path_id(request),
        representatives=[ColleagueRead.model_validate(p) for p in found.representatives],
        invitations=[_read(invitation) for invitation in found.invitations],
    )


@router.route(
    "POST",
    "/companies/{id:int}/representatives/invitations",
    summary="Invite colleagues to represent the company in every challenge it joins (its "
    "representatives): each bad address is refused with its reason",
    body=ColleagueInvite,
    response=InvitationReport,
    status=201,
    errors=(404, 409, 429),
    guard=representative_of_path_company,
)
async def invite_colleagues(request: Request, body: ColleagueInvite) -> InvitationReport:
    user = require_user(request)
    assert user.id is not None
    found = services(request)
    await ratelimit.limit_invitations(found.redis, inviter_id=user.id, count=len(body.emails))
    async with found.db.transaction() as session:
        report = await service.invite_colleagues(
            session,
            user=user,
            company_id=path_id(request),
            lines=list(enumerate(body.emails, start=1)),
            days=body.days,
            locale=get_locale(),
        )
    return _report(report)


@router.route(
    "POST",
    "/companies/{id:int}/representatives/invitations/{invitation_id:int}/resend",
    summary="Send a colleague's invitation again with a new link, valid 7 days; the old link "
    "stops working (its representatives; 3 times an hour)",
    response=InvitationRead,
    errors=(404, 409, 429),
    guard=representative_of_path_company,
)
async def resend_colleague(request: Request) -> InvitationRead:
    return await _sent_again(
        request,
        lambda session, user, invitation_id: service.resend_colleague(
            session, user=user, company_id=path_id(request), invitation_id=invitation_id
        ),
    )


@router.route(
    "POST",
    "/companies/{id:int}/representatives/invitations/{invitation_id:int}/revoke",
    summary="Withdraw a pending invitation to the company (its representatives)",
    response=InvitationRead,
    errors=(404, 409),
    guard=representative_of_path_company,
)
async def revoke_colleague(request: Request) -> InvitationRead:
    return await _withdrawn(
        request,
        lambda session, user, invitation_id: service.revoke_colleague(
            session, user=user, company_id=path_id(request), invitation_id=invitation_id
        ),
    )


# --- What the organisers' and the representatives' invitations share ---

Change = Callable[[AsyncSession, User, int], Awaitable[Invitation]]  # (session, user, id)


async def _sent_again(request: Request, resend: Change) -> InvitationRead:
    """An invitation sent again with a new link (3 times an hour each)."""
    found = services(request)
    invitation_id = path_id(request, "invitation_id")
    await ratelimit.limit_invitation_resend(found.redis, invitation_id=invitation_id)
    async with found.db.transaction() as session:
        invitation = await resend(session, require_user(request), invitation_id)
    return _read(invitation)


async def _withdrawn(request: Request, revoke: Change) -> InvitationRead:
    """A pending invitation withdrawn; its link stops working."""
    async with services(request).db.transaction() as session:
        invitation = await revoke(session, require_user(request), path_id(request, "invitation_id"))
    return _read(invitation)
