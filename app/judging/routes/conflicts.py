"""Pages for judges: the conflicts of interest they declare, and stepping back from a project."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, schema, submit
from app.judging import conflicts, scoring
from app.judging.routes.scoring import sheet_again
from app.judging.schemas import ConflictWithdraw, Recusal, conflict_from_form
from app.templating import render
from app.web import path_for, path_id, services


async def _page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await conflicts.my_conflicts(session, user=user, challenge_id=path_id(request))
    context = {"page": page}
    return render(request, "judging/conflicts.html", context, filled=filled)


async def my_conflicts(request: Request) -> Response:
    if request.method == "GET":
        return await _page(request, Filled())
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: conflicts.my_conflicts(session, user=user, challenge_id=challenge_id),
        parse=conflict_from_form,
        act=lambda session, data: conflicts.declare_conflict(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _conflict: path_for(request, "my_conflicts", id=challenge_id),
        again=lambda filled: _page(request, filled),
    )


async def withdraw_conflict(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: conflicts.my_conflicts(session, user=user, challenge_id=challenge_id),
        parse=schema(ConflictWithdraw),
        act=lambda session, data: conflicts.withdraw_conflict(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _none: path_for(request, "my_conflicts", id=challenge_id),
        again=lambda filled: _page(request, filled),
    )


async def recuse(request: Request) -> Response:
    user = require_user(request)
    assignment_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: scoring.own_assignment(
            session, user=user, assignment_id=assignment_id
        ),
        parse=schema(Recusal),
        act=lambda session, data: conflicts.recuse(
            session, user=user, assignment_id=assignment_id, reason=data.reason
        ),
        done=lambda _assignment: path_for(request, "my_assignments") + "?recused=1",
        again=lambda filled: sheet_again(request, filled),
    )


routes: list[BaseRoute] = [
    Route(
        "/challenges/{id:int}/judging/conflicts",
        my_conflicts,
        methods=["GET", "POST"],
        name="my_conflicts",
    ),
    Route(
        "/challenges/{id:int}/judging/conflicts/withdraw",
        withdraw_conflict,
        methods=["POST"],
        name="withdraw_conflict",
    ),
    Route("/judging/assignments/{id:int}/recuse", recuse, methods=["POST"], name="recuse"),
]
