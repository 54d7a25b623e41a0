"""Pages for judges, made for a phone: my assignments, and one project's score sheet."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, submit
from app.judging import pairwise, scoring
from app.judging.schemas import scores_from_form
from app.templating import render
from app.web import path_for, path_id, services


async def my_assignments(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        groups = await scoring.my_assignments(session, user=user)
        expo = await pairwise.my_rounds(session, user=user)
    return render(request, "judging/mine.html", {"groups": groups, "pairwise_rounds": expo})


async def sheet_again(request: Request, filled: Filled) -> Response:
    """The score sheet, with a form of it (scores or stepping back) shown again."""
    user = require_user(request)
    async with services(request).db.read() as session:
        sheet = await scoring.score_sheet(session, user=user, assignment_id=path_id(request))
        others = (
            await scoring.other_scores(session, user=user, assignment_id=path_id(request))
            if sheet.others_visible
            else None
        )
    context: dict[str, Any] = {"sheet": sheet, "alert": None, "others": others}
    if filled.errors and set(filled.errors) == {"__all__"}:
        # A refusal of the whole sheet (the round closed): above it, with the person's marks.
        context["alert"] = filled.errors["__all__"]
        filled = Filled(filled.values, {}, filled.status_code)
    return render(request, "judging/sheet.html", context, filled=filled)


async def score_sheet(request: Request) -> Response:
    if request.method == "GET":
        return await sheet_again(request, Filled())
    user = require_user(request)
    assignment_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: scoring.own_assignment(
            session, user=user, assignment_id=assignment_id
        ),
        parse=scores_from_form,
        act=lambda session, data: scoring.save_scores(
            session, user=user, assignment_id=assignment_id, data=data
        ),
        done=lambda _assignment: path_for(request, "my_assignments") + "?saved=1",
        again=lambda filled: sheet_again(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/judging", my_assignments, name="my_assignments"),
    Route(
        "/judging/assignments/{id:int}", score_sheet, methods=["GET", "POST"], name="score_sheet"
    ),
]
