"""JSON API of the pages that bring several domains together: finding ideas."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts.auth import require_user
from app.api import ApiRouter
from app.overview import discovery
from app.sponsors.discovery import Discovered
from app.sponsors.discovery_schemas import (
    CompanyDiscoveryRead,
    DiscoveredRead,
    DiscoveryFilters,
    DiscoveryRead,
    OpenChallengeRead,
)
from app.web import path_id, services

router = ApiRouter("sponsors")


def _read(item: Discovered) -> DiscoveredRead:
    return DiscoveredRead(**item.__dict__)


@router.route(
    "GET",
    "/sponsors/{id:int}/projects",
    summary="The submitted projects a company may adopt, during the adoption window, 20 a "
    "page, searched (q: title, summary or team) and filtered (its representatives). No "
    "member names.",
    response=DiscoveryRead,
    errors=(404, 409, 422),
    query=DiscoveryFilters,
)
async def discover(request: Request, *, query: DiscoveryFilters) -> DiscoveryRead:
    filters = query
    async with services(request).db.read() as session:
        page = await discovery.discovery_page(
            session, user=require_user(request), sponsor_id=path_id(request), filters=filters
        )
    return DiscoveryRead(
        sponsor_id=page.company.id,
        challenge_id=page.company.sponsor.challenge_id,
        total=page.total,
        page=filters.page,
        pages=page.pages,
        items=[_read(item) for item in page.items],
    )


@router.route(
    "GET",
    "/companies/{id:int}/ideas",
    summary="The submitted projects a company may adopt in every challenge it takes part in "
    "whose adoption window is open, 20 a page, searched and filtered as in one challenge "
    "(its representatives). No member names.",
    response=CompanyDiscoveryRead,
    errors=(404, 422),
    query=DiscoveryFilters,
)
async def discover_across(request: Request, *, query: DiscoveryFilters) -> CompanyDiscoveryRead:
    async with services(request).db.read() as session:
        page = await discovery.company_discovery_page(
            session, user=require_user(request), company_id=path_id(request), filters=query
        )
    return CompanyDiscoveryRead(
        company_id=page.company_id,
        challenges=[
            OpenChallengeRead(challenge_id=c.id or 0, title=c.title, sponsor_id=s.id or 0)
            for s, c in page.open
        ],
        total=page.total,
        page=query.page,
        pages=page.pages,
        items=[_read(item) for item in page.items],
    )
