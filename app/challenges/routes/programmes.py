"""Pages: programmes, the chains of challenges that teams move through, and their stages."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions, programmes, queries, service
from app.challenges.schemas import ProgrammeInput, StageInput
from app.forms import Filled, no_fields, schema, submit
from app.templating import render
from app.web import path_for, path_id, services


async def programme_list(request: Request) -> Response:
    async with services(request).db.read() as session:
        programme_list = await queries.programmes(session)
    return render(request, "challenges/programmes.html", {"programmes": programme_list})


async def new_programme(request: Request) -> Response:
    user = require_user(request)
    service.ensure_may_create(user)  # before the form is shown or read
    if request.method == "GET":
        return render(request, "challenges/programme_form.html")
    return await submit(
        request,
        parse=schema(ProgrammeInput),
        act=lambda session, data: programmes.create_programme(session, user=user, data=data),
        done=lambda programme: path_for(request, "programme", id=programme.id),
        again=lambda filled: _programme_form(request, filled),
    )


async def _programme_form(request: Request, filled: Filled) -> Response:
    return render(request, "challenges/programme_form.html", filled=filled)


async def _programme_page(request: Request, filled: Filled) -> Response:
    user = current_user(request)
    programme_id = path_id(request)
    async with services(request).db.read() as session:
        programme = await queries.get_programme(session, programme_id)
        stages = await queries.programme_stages(session, programme_id)
        organised = (
            await queries.challenges_organised_by(session, user_id=user.id, is_admin=user.is_admin)
            if user and user.id
            else []
        )
        visible = await permissions.visible_among(session, user=user, challenges=stages)
    owner = user is not None and programmes.owns(user, programme)
    # The owner adds and takes out stages; a challenge's organisers may take theirs out.
    removable = {c.id for c in organised} | ({c.id for c in stages} if owner else set())
    if not owner:
        organised = []
    context = {
        "programme": programme,
        "stages": visible,
        "organised": organised,
        "organised_options": [(c.id, c.title) for c in organised],
        "organised_ids": removable,
        "form": {"stage": str(len(stages) + 1)},
    }
    return render(request, "challenges/programme.html", context, filled=filled)


async def programme_page(request: Request) -> Response:
    return await _programme_page(request, Filled())


async def attach_stage(request: Request) -> Response:
    user = require_user(request)
    programme_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: programmes.owned_programme(
            session, user=user, programme_id=programme_id
        ),
        parse=schema(StageInput),
        act=lambda session, data: programmes.attach_stage(
            session, user=user, programme_id=programme_id, data=data
        ),
        done=lambda _stage: path_for(request, "programme", id=programme_id),
        again=lambda filled: _programme_page(request, filled),
    )


async def detach_stage(request: Request) -> Response:
    user = require_user(request)
    programme_id = path_id(request)
    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: programmes.detach_stage(
            session,
            user=user,
            programme_id=programme_id,
            challenge_id=path_id(request, "challenge_id"),
        ),
        done=lambda _stage: path_for(request, "programme", id=programme_id),
    )


routes: list[BaseRoute] = [
    Route("/programmes", programme_list, name="programmes"),
    Route("/programmes/new", new_programme, methods=["GET", "POST"], name="new_programme"),
    Route("/programmes/{id:int}", programme_page, name="programme"),
    Route("/programmes/{id:int}/stages", attach_stage, methods=["POST"], name="attach_stage"),
    Route(
        "/programmes/{id:int}/stages/{challenge_id:int}/remove",
        detach_stage,
        methods=["POST"],
        name="detach_stage",
    ),
]
