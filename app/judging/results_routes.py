"""Pages: the organisers' rankings, publishing the results, and the public results."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.errors import Conflict
from app.forms import read_form
from app.judging import results
from app.templating import render


async def _ranking(request: Request, *, status_code: int = 200, **extra: Any) -> Response:
    user = require_user(request)
    challenge_id: int = request.path_params["id"]
    async with request.app.state.db.read() as session:
        page = await results.ranking_page(session, user=user, challenge_id=challenge_id)
    context: dict[str, Any] = {"page": page, "alert": None, **extra}
    return render(request, "judging/ranking.html", context, status_code=status_code)


async def ranking(request: Request) -> Response:
    return await _ranking(request)


async def publish(request: Request) -> Response:
    user = require_user(request)
    await read_form(request)
    challenge_id: int = request.path_params["id"]
    try:
        async with request.app.state.db.transaction() as session:
            await results.publish_results(
                session,
                user=user,
                challenge_id=challenge_id,
                locale=request.app.state.settings.default_locale,
            )
    except Conflict as exc:
        return await _ranking(request, status_code=exc.status_code, alert=exc.message)
    return RedirectResponse(f"/challenges/{challenge_id}/results", status_code=303)


async def public_results(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        page = await results.results_page(
            session,
            user=current_user(request),
            challenge_id=request.path_params["id"],
            locale=request.app.state.settings.default_locale,
        )
    return render(request, "judging/results.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/ranking", ranking, name="ranking"),
    Route("/challenges/{id:int}/results/publish", publish, methods=["POST"]),
    Route("/challenges/{id:int}/results", public_results, name="results"),
]
