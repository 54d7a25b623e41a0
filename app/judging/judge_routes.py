"""Pages for judges, made for a phone: my assignments, and one project's score sheet."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.errors import Conflict, ValidationFailed
from app.forms import form_values, read_form
from app.judging import scoring
from app.judging.schemas import scores_from_form
from app.templating import render


async def my_assignments(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        groups = await scoring.my_assignments(session, user=user)
    return render(request, "judging/mine.html", {"groups": groups})


async def _sheet(request: Request, *, status_code: int = 200, **extra: Any) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        sheet = await scoring.score_sheet(
            session, user=user, assignment_id=request.path_params["id"]
        )
    context: dict[str, Any] = {"sheet": sheet, "alert": None, **extra}
    return render(request, "judging/sheet.html", context, status_code=status_code)


async def score_sheet(request: Request) -> Response:
    if request.method == "GET":
        return await _sheet(request)
    user = require_user(request)
    async with request.app.state.db.read() as session:  # whose sheet, before what it says
        await scoring.own_assignment(session, user=user, assignment_id=request.path_params["id"])
    values = form_values(await read_form(request))
    try:
        data = scores_from_form(values)
        async with request.app.state.db.transaction() as session:
            await scoring.save_scores(
                session, user=user, assignment_id=request.path_params["id"], data=data
            )
    except ValidationFailed as exc:
        return await _sheet(request, status_code=422, form=values, errors=exc.errors)
    except Conflict as exc:
        return await _sheet(request, status_code=exc.status_code, form=values, alert=exc.message)
    return RedirectResponse("/judging?saved=1", status_code=303)


routes: list[BaseRoute] = [
    Route("/judging", my_assignments, name="my_assignments"),
    Route(
        "/judging/assignments/{id:int}", score_sheet, methods=["GET", "POST"], name="score_sheet"
    ),
]
