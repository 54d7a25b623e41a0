"""The sponsor dashboard: a representative's view of projects and their company's offers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.ids import parse_id
from app.sponsors import views
from app.templating import render
from app.web import path_id, services


async def dashboard(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.dashboard(
            session,
            user=user,
            challenge_id=path_id(request),
            track_id=parse_id(request.query_params.get("track")),
        )
    return render(request, "sponsors/dashboard.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/sponsor", dashboard, name="sponsor_dashboard"),
]
