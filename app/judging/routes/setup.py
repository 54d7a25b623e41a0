"""Pages: the organisers' judging set-up (judges, rubrics, rounds and their state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.challenges import permissions as challenge_permissions
from app.forms import Filled, no_fields, schema, submit
from app.judging import queries, service
from app.judging.models import Aggregation, Round
from app.judging.schemas import (
    CRITERIA_ROWS,
    AggregationChoice,
    JudgeAdd,
    RoundCreate,
    rubric_from_form,
)
from app.templating import render
from app.web import path_for, path_id, services

FORMS = ("judge", "rubric", "round")


async def _admin_page(
    request: Request,
    challenge_id: int,
    *,
    form: str | None = None,
    filled: Filled | None = None,
    alert: str | None = None,
    status_code: int = 200,
) -> Response:
    """The judging page, with one of its forms (`form`) shown again as `filled`."""
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await service.overview(session, user=user, challenge_id=challenge_id)
    context: dict[str, Any] = {
        "page": page,
        "rows": range(CRITERIA_ROWS),
        "alert": alert,
        "methods": [(m.value, m.value) for m in Aggregation],
    }
    for name in FORMS:
        context[f"{name}_form"] = filled.values if filled and name == form else {}
        context[f"{name}_errors"] = filled.errors if filled and name == form else {}
    if filled is not None:
        status_code = filled.status_code
    return render(request, "judging/admin.html", context, status_code=status_code)


async def admin(request: Request) -> Response:
    return await _admin_page(request, path_id(request))


def _organised(request: Request) -> Callable[[AsyncSession], Awaitable[object]]:
    user = require_user(request)
    return lambda session: challenge_permissions.organised(
        session, user=user, challenge_id=path_id(request)
    )


async def add_judge(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=_organised(request),
        parse=schema(JudgeAdd),
        act=lambda session, data: service.add_judge(
            session, user=user, challenge_id=challenge_id, email=str(data.email)
        ),
        done=lambda _judge: path_for(request, "judging_admin", id=challenge_id),
        again=lambda filled: _admin_page(request, challenge_id, form="judge", filled=filled),
    )


async def create_rubric(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=_organised(request),
        parse=rubric_from_form,
        act=lambda session, data: service.create_rubric(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _rubric: path_for(request, "judging_admin", id=challenge_id),
        again=lambda filled: _admin_page(request, challenge_id, form="rubric", filled=filled),
    )


async def create_round(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=_organised(request),
        parse=schema(RoundCreate),
        act=lambda session, data: service.create_round(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _round: path_for(request, "judging_admin", id=challenge_id),
        again=lambda filled: _admin_page(request, challenge_id, form="round", filled=filled),
    )


RoundAction = Callable[..., Awaitable[Round]]


async def _round_action(request: Request, act: RoundAction) -> Response:
    """Assign, open or close a round; a refusal is shown at the top of the judging page."""
    user = require_user(request)
    round_id = path_id(request)

    async def again(filled: Filled) -> Response:
        async with services(request).db.read() as session:
            judging_round = await queries.get_round(session, round_id)
        return await _admin_page(
            request,
            judging_round.challenge_id,
            alert=filled.errors.get("__all__"),
            status_code=filled.status_code,
        )

    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: act(session, user=user, round_id=round_id),
        done=lambda changed: path_for(request, "judging_admin", id=changed.challenge_id),
        again=again,
    )


async def _assign(session: AsyncSession, *, user: Any, round_id: int) -> Round:
    return (await service.assign_judges(session, user=user, round_id=round_id)).round


async def assign(request: Request) -> Response:
    return await _round_action(request, _assign)


async def choose_aggregation(request: Request) -> Response:
    user = require_user(request)
    round_id = path_id(request)

    async def again(filled: Filled) -> Response:
        async with services(request).db.read() as session:
            judging_round = await queries.get_round(session, round_id)
        message = next(iter(filled.errors.values()), None)
        return await _admin_page(
            request, judging_round.challenge_id, alert=message, status_code=filled.status_code
        )

    return await submit(
        request,
        guard=lambda session: service.overview_for_round(session, user=user, round_id=round_id),
        parse=schema(AggregationChoice),
        act=lambda session, data: service.choose_aggregation(
            session, user=user, round_id=round_id, method=data.aggregation
        ),
        done=lambda changed: path_for(request, "judging_admin", id=changed.challenge_id),
        again=again,
    )


async def open_round(request: Request) -> Response:
    return await _round_action(request, service.open_round)


async def close_round(request: Request) -> Response:
    return await _round_action(request, service.close_round)


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/judging", admin, name="judging_admin"),
    Route("/challenges/{id:int}/judging/judges", add_judge, methods=["POST"], name="add_judge"),
    Route("/challenges/{id:int}/rubrics", create_rubric, methods=["POST"], name="create_rubric"),
    Route("/challenges/{id:int}/rounds", create_round, methods=["POST"], name="create_round"),
    Route("/rounds/{id:int}/assign", assign, methods=["POST"], name="assign_judges"),
    Route("/rounds/{id:int}/open", open_round, methods=["POST"], name="open_round"),
    Route(
        "/rounds/{id:int}/aggregation",
        choose_aggregation,
        methods=["POST"],
        name="choose_aggregation",
    ),
    Route("/rounds/{id:int}/close", close_round, methods=["POST"], name="close_round"),
]
