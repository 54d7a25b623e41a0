"""The home page: for a logged-in person, what they have to do now in each of their roles;
for everyone, what is open now and every published challenge by programme."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user
from app.challenges import phases, queries
from app.db import utcnow
from app.overview import views
from app.templating import render
from app.web import services


async def home(request: Request) -> Response:
    now = utcnow()
    user = current_user(request)
    async with services(request).db.read() as session:
        cards = await phases.published_cards(session, now=now)
        programme_list = await queries.programmes(session)
        personal = await views.personal_home(session, user=user) if user else None
    archived = [c for c in cards if c.challenge.archived_at is not None]
    cards = [c for c in cards if c.challenge.archived_at is None]
    by_programme = {p.id: p for p in programme_list}
    groups = [
        (
            by_programme.get(programme_id) if programme_id else None,
            [c for c in cards if c.challenge.programme_id == programme_id],
        )
        for programme_id in dict.fromkeys(c.challenge.programme_id for c in cards)
    ]
    open_now = [c for c in cards if c.current is not None]
    context = {"groups": groups, "open_now": open_now, "personal": personal, "archived": archived}
    return render(request, "home.html", context)


routes: list[BaseRoute] = [Route("/", home, name="home")]
