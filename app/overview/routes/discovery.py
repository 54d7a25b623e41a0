"""The page where a company's representatives find ideas to adopt."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.errors import ValidationFailed
from app.forms import Filled
from app.overview import discovery
from app.sponsors import shortlist
from app.sponsors.discovery_schemas import DiscoveryFilters
from app.templating import render
from app.web import path_id, services


async def discover(request: Request) -> Response:
    user = require_user(request)
    sponsor_id = path_id(request)
    values = dict(request.query_params)
    try:
        filters = discovery.filters_of(request.query_params)
    except ValidationFailed as exc:
        # The filters come back with the person's input and what is wrong, without a list.
        async with services(request).db.read() as session:
            company = await shortlist.company(session, user=user, sponsor_id=sponsor_id)
        filled = Filled(values, exc.errors, exc.status_code)
        return render(
            request, "sponsors/discover.html", {"page": None, "company": company}, filled=filled
        )
    async with services(request).db.read() as session:
        page = await discovery.discovery_page(
            session, user=user, sponsor_id=sponsor_id, filters=filters
        )
    return render(
        request,
        "sponsors/discover.html",
        {"page": page, "company": page.company},
        filled=Filled(values),
    )


async def discover_across(request: Request) -> Response:
    """A company's search across every challenge it takes part in with an open window."""
    user = require_user(request)
    values = dict(request.query_params)
    try:
        filters = discovery.filters_of(request.query_params)
        errors: Filled | None = None
    except ValidationFailed as exc:
        filters = DiscoveryFilters()
        errors = Filled(values, exc.errors, exc.status_code)
    async with services(request).db.read() as session:
        page = await discovery.company_discovery_page(
            session, user=user, company_id=path_id(request), filters=filters
        )
    if errors is not None:  # the filters come back with what is wrong, without a list
        return render(
            request, "sponsors/ideas.html", {"page": page, "listed": False}, filled=errors
        )
    return render(
        request, "sponsors/ideas.html", {"page": page, "listed": True}, filled=Filled(values)
    )


routes: list[BaseRoute] = [
    Route("/sponsors/{id:int}/projects", discover, name="discover"),
    Route("/companies/{id:int}/ideas", discover_across, name="company_ideas"),
]
