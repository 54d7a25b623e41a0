"""Pages: a challenge's sponsors; organisers add companies and their representatives."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions as challenge_permissions
from app.forms import Filled, schema, submit
from app.sponsors import service, views
from app.sponsors.schemas import RepresentativeForm, SponsorCreate
from app.templating import render
from app.web import path_for, path_id, services


async def _sponsors_page(
    request: Request, *, sponsor_form: Filled | None = None, rep_form: Filled | None = None
) -> Response:
    async with services(request).db.read() as session:
        page = await views.sponsors_page(
            session, user=current_user(request), challenge_id=path_id(request)
        )
    context: dict[str, Any] = {"page": page}
    if rep_form is not None:
        context.update(rep_form=rep_form.values, rep_errors=rep_form.errors)
    return render(request, "sponsors/list.html", context, filled=sponsor_form or Filled())


async def sponsors_list(request: Request) -> Response:
    if request.method == "GET":
        return await _sponsors_page(request)
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=schema(SponsorCreate),
        act=lambda session, data: service.add_sponsor(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _sponsor: path_for(request, "sponsors", id=challenge_id),
        again=lambda filled: _sponsors_page(request, sponsor_form=filled),
    )


async def _representative_again(request: Request, filled: Filled) -> Response:
    response = await _sponsors_page(request, rep_form=filled)
    response.status_code = filled.status_code
    return response


async def representative_add(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=schema(RepresentativeForm),
        act=lambda session, data: service.add_representative(
            session,
            user=user,
            challenge_id=challenge_id,
            sponsor_id=data.sponsor_id,
            email=str(data.email),
        ),
        done=lambda _person: path_for(request, "sponsors", id=challenge_id),
        again=lambda filled: _representative_again(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/sponsors", sponsors_list, methods=["GET", "POST"], name="sponsors"),
    Route(
        "/challenges/{id:int}/sponsors/representatives",
        representative_add,
        methods=["POST"],
        name="add_representative",
    ),
]
