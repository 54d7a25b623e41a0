"""Pages for organisers: a round's allocation changed by hand, and removing a judge."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, no_fields, schema, submit
from app.judging import assignments
from app.judging.schemas import JudgeRemoval, Reassign
from app.templating import render
from app.web import path_for, path_id, services


async def _allocation_page(request: Request, round_id: int, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await assignments.round_allocation(session, user=user, round_id=round_id)
    return render(request, "judging/assignments.html", {"page": page}, filled=filled)


async def round_assignments(request: Request) -> Response:
    return await _allocation_page(request, path_id(request), Filled())


async def _round_of(request: Request) -> int:
    async with services(request).db.read() as session:
        found = await assignments.round_of_assignment(
            session, user=require_user(request), assignment_id=path_id(request)
        )
    return found


async def remove_assignment(request: Request) -> Response:
    user = require_user(request)
    round_id = await _round_of(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: assignments.remove_assignment(
            session, user=user, assignment_id=path_id(request)
        ),
        done=lambda _round: path_for(request, "round_assignments", id=round_id),
        again=lambda filled: _allocation_page(request, round_id, filled),
    )


async def reassign(request: Request) -> Response:
    user = require_user(request)
    round_id = await _round_of(request)
    return await submit(
        request,
        parse=schema(Reassign),
        act=lambda session, data: assignments.reassign(
            session, user=user, assignment_id=path_id(request), judge_id=data.judge_id
        ),
        done=lambda _assignment: path_for(request, "round_assignments", id=round_id),
        again=lambda filled: _allocation_page(request, round_id, filled),
    )


async def _removal_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        removal = await assignments.judge_removal(
            session,
            user=user,
            challenge_id=path_id(request),
            judge_id=path_id(request, "judge_id"),
        )
    context = {"removal": removal, "form": {"scores": "keep"}}
    return render(request, "judging/remove_judge.html", context, filled=filled)


async def remove_judge(request: Request) -> Response:
    if request.method == "GET":
        return await _removal_page(request, Filled())
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: assignments.judge_removal(
            session, user=user, challenge_id=challenge_id, judge_id=path_id(request, "judge_id")
        ),
        parse=schema(JudgeRemoval),
        act=lambda session, data: assignments.remove_judge(
            session,
            user=user,
            challenge_id=challenge_id,
            judge_id=path_id(request, "judge_id"),
            keep_scores=data.scores == "keep",
        ),
        done=lambda _removal: path_for(request, "judging_admin", id=challenge_id),
        again=lambda filled: _removal_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/rounds/{id:int}/assignments", round_assignments, name="round_assignments"),
    Route(
        "/assignments/{id:int}/remove",
        remove_assignment,
        methods=["POST"],
        name="remove_assignment",
    ),
    Route("/assignments/{id:int}/reassign", reassign, methods=["POST"], name="reassign"),
    Route(
        "/challenges/{id:int}/judges/{judge_id:int}/remove",
        remove_judge,
        methods=["GET", "POST"],
        name="remove_judge",
    ),
]
