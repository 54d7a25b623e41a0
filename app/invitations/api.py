"""JSON API of invitations (organisers): list, invite, resend, revoke."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts import ratelimit
from app.accounts.auth import require_user
from app.api import ApiRouter, extended
from app.challenges import permissions as challenge_permissions
from app.db import utcnow
from app.i18n import get_locale
from app.invitations import queries, service
from app.invitations.models import Invitation
from app.invitations.schemas import (
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
    return InvitationReport(
        invited=[_read(invitation) for invitation in report.invited],
        refused=[
            LineRefusal(line=r.line, email=r.email, message=r.message) for r in report.refused
        ],
    )


@router.route(
    "POST",
    "/challenges/{id:int}/invitations/{invitation_id:int}/resend",
    summary="Send an invitation again with a new link, valid 7 days; the old link stops working",
    response=InvitationRead,
    errors=(403, 404, 409, 429),
    guard=challenge_permissions.organised_in_path,
)
async def resend(request: Request) -> InvitationRead:
    found = services(request)
    await ratelimit.limit_invitation_resend(
        found.redis, invitation_id=path_id(request, "invitation_id")
    )
    async with found.db.transaction() as session:
        invitation = await service.resend(
            session,
            user=require_user(request),
            challenge_id=path_id(request),
            invitation_id=path_id(request, "invitation_id"),
        )
    return _read(invitation)


@router.route(
    "POST",
    "/challenges/{id:int}/invitations/{invitation_id:int}/revoke",
    summary="Withdraw a pending invitation; its link stops working",
    response=InvitationRead,
    errors=(403, 404, 409),
    guard=challenge_permissions.organised_in_path,
)
async def revoke(request: Request) -> InvitationRead:
    async with services(request).db.transaction() as session:
        invitation = await service.revoke(
            session,
            user=require_user(request),
            challenge_id=path_id(request),
            invitation_id=path_id(request, "invitation_id"),
        )
    return _read(invitation)
