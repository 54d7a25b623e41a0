"""JSON API of the pages that bring several domains together: finding ideas."""

from __future__ import annotations

from starlette.requests import Request

from app.accounts.auth import require_user
from app.api import ApiRouter
from app.overview import discovery
from app.sponsors.discovery import Discovered
from app.sponsors.discovery_schemas import DiscoveredRead, DiscoveryFilters, DiscoveryRead
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
