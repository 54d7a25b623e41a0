"""Pages: an adoption's follow-up, its milestones, and closing it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, no_fields, schema, submit
from app.sponsors import followup, views
from app.sponsors.schemas import AdoptionClose, MilestoneCreate
from app.templating import render
from app.web import path_for, path_id, services


async def _page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await views.follow_up(session, user=user, adoption_id=path_id(request))
    return render(request, "sponsors/follow_up.html", {"page": page}, filled=filled)


async def follow_up(request: Request) -> Response:
    return await _page(request, Filled())


async def add_milestone(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: followup.may_follow(session, user=user, adoption_id=adoption_id),
        parse=schema(MilestoneCreate),
        act=lambda session, data: followup.propose_milestone(
            session, user=user, adoption_id=adoption_id, data=data
        ),
        done=lambda _milestone: path_for(request, "adoption_follow_up", id=adoption_id),
        again=lambda filled: _page(request, filled),
    )


async def confirm_milestone(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    milestone_id = path_id(request, "milestone_id")
    return await submit(
        request,
        guard=lambda session: followup.may_follow(session, user=user, adoption_id=adoption_id),
        parse=no_fields,
        act=lambda session, _data: followup.confirm_milestone(
            session, user=user, adoption_id=adoption_id, milestone_id=milestone_id
        ),
        done=lambda _milestone: path_for(request, "adoption_follow_up", id=adoption_id),
    )


async def close(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: followup.may_follow(session, user=user, adoption_id=adoption_id),
        parse=schema(AdoptionClose),
        act=lambda session, data: followup.close_adoption(
            session, user=user, adoption_id=adoption_id, data=data
        ),
        done=lambda _adoption: path_for(request, "adoption_follow_up", id=adoption_id),
        again=lambda filled: _page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/adoptions/{id:int}/follow-up", follow_up, name="adoption_follow_up"),
    Route("/adoptions/{id:int}/milestones", add_milestone, methods=["POST"], name="add_milestone"),
    Route(
        "/adoptions/{id:int}/milestones/{milestone_id:int}/confirm",
        confirm_milestone,
        methods=["POST"],
        name="confirm_milestone",
    ),
    Route("/adoptions/{id:int}/close", close, methods=["POST"], name="close_adoption"),
]
