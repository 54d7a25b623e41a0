"""The organisers' dashboard of a challenge."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.overview import dashboard as dashboards
from app.templating import render
from app.web import path_id, services


async def dashboard(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await dashboards.dashboard(session, user=user, challenge_id=path_id(request))
    return render(request, "overview/dashboard.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/dashboard", dashboard, name="challenge_dashboard"),
]
