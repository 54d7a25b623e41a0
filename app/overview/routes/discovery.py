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


routes: list[BaseRoute] = [Route("/sponsors/{id:int}/projects", discover, name="discover")]
