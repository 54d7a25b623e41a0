"""The challenge page: the challenge, what the person can do in it, and its gallery."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user
from app.challenges import permissions
from app.overview import views
from app.templating import render
from app.web import path_id, services


async def challenge_page(request: Request) -> Response:
    async with services(request).db.read() as session:
        page = await views.challenge_page(
            session,
            user=current_user(request),
            challenge_id=path_id(request),
            track=request.query_params.get("track"),
            page=request.query_params.get("page"),
        )
    detail = page.detail
    context = {
        "challenge": detail.challenge,
        "actor": detail.access.actor,
        "phases": detail.phases,
        "current": detail.current,
        "tracks": detail.tracks,
        "programme": detail.programme,
        "gallery": page.gallery,
        "open_votes": page.open_votes,
        "my_teams": page.my_teams,
        "can_manage": permissions.can_manage(detail.access.actor),
        "registration_open": detail.registration_open,
        "is_finished": detail.is_finished,
        "can_register": detail.can_register,
    }
    return render(request, "challenges/detail.html", context)


routes: list[BaseRoute] = [Route("/challenges/{id:int}", challenge_page, name="challenge")]
