"""Pages: next year's edition, promoting teams to the next stage, a project's history."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import editions as challenge_editions
from app.challenges import permissions as challenge_permissions
from app.challenges.schemas import EditionInput
from app.editions import history, service, views
from app.editions.schemas import parse_promotion
from app.forms import Filled, schema, submit
from app.ids import parse_id
from app.teams import promotion
from app.templating import render
from app.web import path_for, path_id, services


async def next_edition(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.read() as session:
        access = await challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        )
    challenge = access.challenge
    fresh = {"title": challenge_editions.next_year_title(challenge.title)}

    async def page(filled: Filled) -> Response:
        context = {"challenge": challenge, "form": fresh, "may_create": user.can_create_challenges}
        return render(request, "editions/next_edition.html", context, filled=filled)

    if request.method == "GET":
        return await page(Filled())
    return await submit(
        request,
        parse=schema(EditionInput),
        act=lambda session, data: service.clone_edition(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda new: path_for(request, "challenge", id=new.id),
        again=page,
    )


async def _promotion_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    chosen = parse_id(filled.values.get("to_challenge_id") or request.query_params.get("to", ""))
    async with services(request).db.read() as session:
        view = await views.promotion_page(
            session, user=user, challenge_id=path_id(request), to_challenge_id=chosen
        )
    form = {"to_challenge_id": str(view.target.id) if view.target else "", **filled.values}
    context = {"view": view, "form": form, "moved": request.query_params.get("moved", "")}
    return render(request, "editions/promote.html", context, filled=filled)


async def promote(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _promotion_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=parse_promotion,
        act=lambda session, data: promotion.promote_teams(
            session,
            user=user,
            from_challenge_id=challenge_id,
            to_challenge_id=data.to_challenge_id,
            team_ids=data.team_ids,
        ),
        done=lambda done: (
            path_for(request, "promote_teams", id=challenge_id)
            + f"?to={done.target_id}&moved={len(done.promoted)}"
        ),
        again=lambda filled: _promotion_page(request, filled),
    )


async def project_history(request: Request) -> Response:
    async with services(request).db.read() as session:
        stages = await history.project_history(
            session, user=current_user(request), project_id=path_id(request)
        )
    this = next(s for s in stages if s.is_this)
    return render(request, "editions/history.html", {"stages": stages, "this": this})


routes: list[BaseRoute] = [
    Route(
        "/challenges/{id:int}/next-edition",
        next_edition,
        methods=["GET", "POST"],
        name="next_edition",
    ),
    Route("/challenges/{id:int}/promote", promote, methods=["GET", "POST"], name="promote_teams"),
    Route("/projects/{id:int}/history", project_history, name="project_history"),
]
