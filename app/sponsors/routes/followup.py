"""Pages: an adoption's follow-up, its milestones, and closing it."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.errors import FIXABLE_ON_A_FORM, NotFound, form_errors
from app.forms import Filled, no_fields, read_upload, schema, submit
from app.sponsors import followup, views
from app.sponsors.schemas import AdoptionClose, MilestoneCreate, RecognitionChoice
from app.storage import staged
from app.teams.routes.files import attachment
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


async def attach_file(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    milestone_id = path_id(request, "milestone_id")
    found = services(request)
    replaced: str | None = None
    try:
        # Before the multipart body is parsed: an upload that may not be made is never spooled.
        async with found.db.read() as session:
            await followup.may_attach(
                session, user=user, adoption_id=adoption_id, milestone_id=milestone_id
            )
        upload = await read_upload(request, csrf=True)
        async with staged(found.storage) as stage, found.db.transaction() as session:
            _milestone, replaced = await followup.attach_file(
                session,
                user=user,
                adoption_id=adoption_id,
                milestone_id=milestone_id,
                upload=upload,
                max_bytes=found.settings.max_upload_bytes,
                stage=stage,
            )
    except FIXABLE_ON_A_FORM as exc:
        return await _page(request, Filled({}, form_errors(exc), exc.status_code))
    if replaced:  # only once the new one is committed: a rollback keeps the old file
        found.storage.delete(replaced)
    return RedirectResponse(
        path_for(request, "adoption_follow_up", id=adoption_id), status_code=303
    )


async def download_file(request: Request) -> Response:
    user = require_user(request)
    found = services(request)
    async with found.db.read() as session:
        milestone = await followup.milestone_file(
            session,
            user=user,
            adoption_id=path_id(request),
            milestone_id=path_id(request, "milestone_id"),
        )
    assert milestone.file_key is not None
    try:
        data = await run_in_threadpool(found.storage.read, milestone.file_key)
    except FileNotFoundError:
        raise NotFound() from None
    return attachment(data, media_type=milestone.file_type, name=milestone.file_name)


async def recognition(request: Request) -> Response:
    user = require_user(request)
    adoption_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: followup.may_set_recognition(
            session, user=user, adoption_id=adoption_id
        ),
        parse=schema(RecognitionChoice),
        act=lambda session, data: followup.set_recognition(
            session, user=user, adoption_id=adoption_id, public=data.recognition == "public"
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
    Route(
        "/adoptions/{id:int}/milestones/{milestone_id:int}/file",
        attach_file,
        methods=["POST"],
        name="attach_milestone_file",
    ),
    Route(
        "/adoptions/{id:int}/milestones/{milestone_id:int}/file",
        download_file,
        methods=["GET"],
        name="milestone_file",
    ),
    Route(
        "/adoptions/{id:int}/recognition",
        recognition,
        methods=["POST"],
        name="adoption_recognition",
    ),
]
