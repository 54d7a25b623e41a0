"""Pages: the organisers' judging set-up (judges, rubrics, rounds); the others are joined in."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.accounts.models import User
from app.errors import Conflict, ValidationFailed
from app.forms import form_values, read_form, validate
from app.judging import judge_routes, results_routes, service
from app.judging.schemas import CRITERIA_ROWS, JudgeAdd, RoundCreate, rubric_from_form
from app.templating import render

FORMS = ("judge", "rubric", "round")


def _render_admin(
    request: Request, page: service.JudgingAdmin, *, status_code: int = 200, **extra: Any
) -> Response:
    context: dict[str, Any] = {"page": page, "rows": range(CRITERIA_ROWS), "alert": None}
    for name in FORMS:
        context[f"{name}_form"] = {}
        context[f"{name}_errors"] = {}
    context.update(extra)
    return render(request, "judging/admin.html", context, status_code=status_code)


async def _admin_again(request: Request, status_code: int, **extra: Any) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        page = await service.overview(session, user=user, challenge_id=request.path_params["id"])
    return _render_admin(request, page, status_code=status_code, **extra)


async def _ensure_organiser(request: Request, user: User) -> None:
    """Permission before the form is read: a non-organiser gets their 403/404 whatever they
    sent, not a verdict on their input."""
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=request.path_params["id"])


def _back(challenge_id: int) -> Response:
    return RedirectResponse(f"/challenges/{challenge_id}/judging", status_code=303)


async def admin(request: Request) -> Response:
    return await _admin_again(request, 200)


async def add_judge(request: Request) -> Response:
    user = require_user(request)
    await _ensure_organiser(request, user)
    values = form_values(await read_form(request))
    try:
        data = validate(JudgeAdd, values)
        async with request.app.state.db.transaction() as session:
            await service.add_judge(
                session, user=user, challenge_id=request.path_params["id"], email=str(data.email)
            )
    except ValidationFailed as exc:
        return await _admin_again(request, 422, judge_form=values, judge_errors=exc.errors)
    return _back(request.path_params["id"])


async def create_rubric(request: Request) -> Response:
    user = require_user(request)
    await _ensure_organiser(request, user)
    values = form_values(await read_form(request))
    try:
        data = rubric_from_form(values)
        async with request.app.state.db.transaction() as session:
            await service.create_rubric(
                session, user=user, challenge_id=request.path_params["id"], data=data
            )
    except ValidationFailed as exc:
        return await _admin_again(request, 422, rubric_form=values, rubric_errors=exc.errors)
    return _back(request.path_params["id"])


async def create_round(request: Request) -> Response:
    user = require_user(request)
    await _ensure_organiser(request, user)
    values = form_values(await read_form(request))
    try:
        data = validate(RoundCreate, values)
        async with request.app.state.db.transaction() as session:
            await service.create_round(
                session, user=user, challenge_id=request.path_params["id"], data=data
            )
    except ValidationFailed as exc:
        return await _admin_again(request, 422, round_form=values, round_errors=exc.errors)
    return _back(request.path_params["id"])


async def _round_action(request: Request, action: str) -> Response:
    user = require_user(request)
    await read_form(request)
    round_id: int = request.path_params["id"]
    try:
        async with request.app.state.db.transaction() as session:
            if action == "assign":
                allocated = await service.assign_judges(session, user=user, round_id=round_id)
                challenge_id = allocated.round.challenge_id
            else:
                act = service.open_round if action == "open" else service.close_round
                challenge_id = (await act(session, user=user, round_id=round_id)).challenge_id
    except Conflict as exc:
        async with request.app.state.db.read() as session:
            page = await service.overview_for_round(session, user=user, round_id=round_id)
        return _render_admin(request, page, status_code=exc.status_code, alert=exc.message)
    return _back(challenge_id)


async def assign(request: Request) -> Response:
    return await _round_action(request, "assign")


async def open_round(request: Request) -> Response:
    return await _round_action(request, "open")


async def close_round(request: Request) -> Response:
    return await _round_action(request, "close")


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/judging", admin, name="judging_admin"),
    Route("/challenges/{id:int}/judging/judges", add_judge, methods=["POST"]),
    Route("/challenges/{id:int}/rubrics", create_rubric, methods=["POST"]),
    Route("/challenges/{id:int}/rounds", create_round, methods=["POST"]),
    Route("/rounds/{id:int}/assign", assign, methods=["POST"]),
    Route("/rounds/{id:int}/open", open_round, methods=["POST"]),
    Route("/rounds/{id:int}/close", close_round, methods=["POST"]),
    *judge_routes.routes,
    *results_routes.routes,
]
