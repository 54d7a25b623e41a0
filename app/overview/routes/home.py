"""The home page: what is open now, and every published challenge by programme."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.challenges import phases, queries
from app.db import utcnow
from app.templating import render
from app.web import services


async def home(request: Request) -> Response:
    now = utcnow()
    async with services(request).db.read() as session:
        cards = await phases.published_cards(session, now=now)
        programme_list = await queries.programmes(session)
    by_programme = {p.id: p for p in programme_list}
    groups = [
        (
            by_programme.get(programme_id) if programme_id else None,
            [c for c in cards if c.challenge.programme_id == programme_id],
        )
        for programme_id in dict.fromkeys(c.challenge.programme_id for c in cards)
    ]
    open_now = [c for c in cards if c.current is not None]
    return render(request, "home.html", {"groups": groups, "open_now": open_now})


routes: list[BaseRoute] = [Route("/", home, name="home")]
