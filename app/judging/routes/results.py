"""Pages: the organisers' rankings, publishing the results, and the public results."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions as challenge_permissions
from app.forms import Filled, no_fields, submit
from app.judging import results
from app.templating import render
from app.web import page_number, path_for, path_id, services, settings


async def _ranking(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await results.ranking_page(
            session, user=user, challenge_id=path_id(request), page=page_number(request)
        )
    context = {"page": page, "alert": filled.errors.get("__all__")}
    return render(request, "judging/ranking.html", context, status_code=filled.status_code)


async def ranking(request: Request) -> Response:
    return await _ranking(request, Filled())


async def publish(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=no_fields,
        act=lambda session, _none: results.publish_results(
            session,
            user=user,
            challenge_id=challenge_id,
            locale=settings(request).default_locale,
        ),
        done=lambda _awards: path_for(request, "results", id=challenge_id),
        again=lambda filled: _ranking(request, filled),
    )


async def public_results(request: Request) -> Response:
    async with services(request).db.read() as session:
        page = await results.results_page(
            session,
            user=current_user(request),
            challenge_id=path_id(request),
            locale=settings(request).default_locale,
        )
    return render(request, "judging/results.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/ranking", ranking, name="ranking"),
    Route(
        "/challenges/{id:int}/results/publish", publish, methods=["POST"], name="publish_results"
    ),
    Route("/challenges/{id:int}/results", public_results, name="results"),
]
