"""Pages: the list of published challenges."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.challenges import phases
from app.templating import render
from app.web import services


async def challenge_list(request: Request) -> Response:
    async with services(request).db.read() as session:
        cards = await phases.published_cards(session)
    return render(request, "challenges/list.html", {"cards": cards})


routes: list[BaseRoute] = [
    Route("/challenges", challenge_list, name="challenges"),
]
