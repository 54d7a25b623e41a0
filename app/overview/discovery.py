"""Finding ideas brings two domains together: a company browses the projects (app.sponsors)
with the awards they won (app.judging, above sponsors in the layers, so its column is passed
down as the gallery's adopters are)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.forms import validate
from app.judging import queries as judging_queries
from app.sponsors import discovery
from app.sponsors.discovery import CompanyDiscoveryPage, DiscoveryPage
from app.sponsors.discovery_schemas import DiscoveryFilters


def filters_of(params: Mapping[str, str]) -> DiscoveryFilters:
    """?q=&track=&institution=&town=&adopted=&awarded=&page= as filters (422 with the
    field's message when a value is out of bounds)."""
    names = DiscoveryFilters.model_fields
    return validate(DiscoveryFilters, {k: v for k, v in params.items() if k in names})


async def discovery_page(
    session: AsyncSession, *, user: User, sponsor_id: int, filters: DiscoveryFilters
) -> DiscoveryPage:
    return await discovery.discovery_page(
        session,
        user=user,
        sponsor_id=sponsor_id,
        filters=filters,
        awards_of=judging_queries.award_names_column,
    )


async def company_discovery_page(
    session: AsyncSession, *, user: User, company_id: int, filters: DiscoveryFilters
) -> CompanyDiscoveryPage:
    return await discovery.company_discovery_page(
        session,
        user=user,
        company_id=company_id,
        filters=filters,
        awards_of=judging_queries.award_names_column,
    )
