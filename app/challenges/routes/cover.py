"""Pages: a challenge's cover image, shown and changed."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import cover, permissions
from app.errors import FIXABLE_ON_A_FORM, NotFound, form_errors
from app.filetypes import sniff
from app.forms import Filled, no_fields, read_upload, submit
from app.storage import staged
from app.templating import render
from app.web import path_for, path_id, services


async def cover_image(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        key = await cover.cover_of(
            session, user=current_user(request), challenge_id=path_id(request)
        )
    if key is None:
        raise NotFound()
    try:
        data = await run_in_threadpool(found.storage.read, key)
    except FileNotFoundError:
        raise NotFound() from None
    # Its key changes with every new cover, so the address may be cached for long.
    return Response(
        data,
        media_type=sniff(data) or "application/octet-stream",
        headers={"cache-control": "private, max-age=3600", "x-content-type-options": "nosniff"},
    )


async def _cover_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=path_id(request))
    return render(request, "challenges/cover.html", {"challenge": access.challenge}, filled=filled)


async def edit_cover(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _cover_page(request, Filled())
    found = services(request)
    try:
        # Before the body is parsed: an upload that may not be made is never spooled.
        async with found.db.read() as session:
            await permissions.organised(session, user=user, challenge_id=challenge_id)
        upload = await read_upload(request, csrf=True)
        async with staged(found.storage) as stage, found.db.transaction() as session:
            unused = await cover.set_cover(
                session, user=user, challenge_id=challenge_id, upload=upload, stage=stage
            )
    except FIXABLE_ON_A_FORM as exc:
        return await _cover_page(request, Filled({}, form_errors(exc), exc.status_code))
    if unused:
        found.storage.delete(unused)  # committed: no edition shows it any more
    return RedirectResponse(path_for(request, "challenge", id=challenge_id), status_code=303)


async def remove_cover(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)

    def done(unused: str | None) -> str:
        if unused:
            services(request).storage.delete(unused)  # committed: no edition shows it
        return path_for(request, "challenge", id=challenge_id)

    return await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: cover.remove_cover(
            session, user=user, challenge_id=challenge_id
        ),
        done=done,
    )


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/cover", cover_image, name="challenge_cover"),
    Route(
        "/challenges/{id:int}/cover/edit", edit_cover, methods=["GET", "POST"], name="edit_cover"
    ),
    Route("/challenges/{id:int}/cover/remove", remove_cover, methods=["POST"], name="remove_cover"),
]
