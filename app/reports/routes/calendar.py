"""A challenge's calendar (iCalendar), for calendar apps: public like the challenge."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user
from app.reports import calendar
from app.web import path_id, services


async def challenge_calendar(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        body = await calendar.challenge_calendar(
            session,
            user=current_user(request),
            challenge_id=path_id(request),
            site=found.settings.base_url,
        )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": 'inline; filename="calendar.ics"'},
    )


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/calendar.ics", challenge_calendar, name="challenge_calendar"),
]
