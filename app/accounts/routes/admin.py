"""Pages for platform administrators: who may create challenges."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts import queries, service
from app.accounts.auth import require_admin
from app.accounts.schemas import CreatorForm
from app.forms import Filled, no_fields, schema, submit
from app.templating import render
from app.web import path_for, path_id, services


async def _creators_page(request: Request, filled: Filled) -> Response:
    require_admin(request)
    async with services(request).db.read() as session:
        creators = await queries.challenge_creators(session)
    return render(request, "accounts/creators.html", {"creators": creators}, filled=filled)


async def creators(request: Request) -> Response:
    admin = require_admin(request)
    if request.method == "GET":
        return await _creators_page(request, Filled())
    return await submit(
        request,
        parse=schema(CreatorForm),
        act=lambda session, data: service.allow_creating_challenges(
            session, admin=admin, email=str(data.email)
        ),
        done=lambda _person: path_for(request, "challenge_creators"),
        again=lambda filled: _creators_page(request, filled),
    )


async def revoke_creator(request: Request) -> Response:
    admin = require_admin(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: service.revoke_creating_challenges(
            session, admin=admin, user_id=path_id(request)
        ),
        done=lambda _person: path_for(request, "challenge_creators"),
    )


routes: list[BaseRoute] = [
    Route("/admin/creators", creators, methods=["GET", "POST"], name="challenge_creators"),
    Route(
        "/admin/creators/{id:int}/revoke",
        revoke_creator,
        methods=["POST"],
        name="revoke_creator",
    ),
]
