"""JSON API: the audit log (organisers, administrators) and a challenge's exports."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.reports import audit
from app.reports.audit import AuditPage
from app.reports.routes.audit import filters_of
from app.reports.routes.exports import XLSX, export_response
from app.reports.schemas import AuditPageRead
from app.web import path_id, services

router = ApiRouter("reports")


def _read(page: AuditPage) -> AuditPageRead:
    return AuditPageRead.model_validate(extended(page, page=page.filters.page, entries=page.rows))


@router.route(
    "GET",
    "/challenges/{id:int}/audit",
    summary="A challenge's audit log, newest first, 50 a page "
    "(?person=, ?action=, ?from=, ?to= dates, ?page=; organisers)",
    response=AuditPageRead,
    errors=(403, 404),
)
async def challenge_audit(request: Request) -> AuditPageRead:
    async with services(request).db.read() as session:
        page = await audit.challenge_log(
            session,
            user=require_user(request),
            challenge_id=path_id(request),
            filters=filters_of(request),
        )
    return _read(page)


@router.route(
    "GET",
    "/audit",
    summary="The platform's audit log, with the same filters (administrators)",
    response=AuditPageRead,
    errors=(403, 404),
)
async def platform_audit(request: Request) -> AuditPageRead:
    async with services(request).db.read() as session:
        page = await audit.platform_log(
            session, user=current_user(request), filters=filters_of(request)
        )
    return _read(page)


@router.route(
    "GET",
    "/challenges/{id:int}/exports/{name:str}",
    summary="An export as a file: teams, members, projects, files, scores, adoptions, "
    "certificates or audit, .csv (UTF-8 with BOM; ?sep=; for a semicolon) or .xlsx "
    "(organisers)",
    errors=(403, 404),
    produces=("text/csv", XLSX),
)
async def export(request: Request) -> Response:
    return await export_response(request, require_user(request))
