"""Pages: uploading, downloading and deleting a project's files."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.errors import FIXABLE_ON_A_FORM, NotFound, form_errors
from app.forms import Filled, no_fields, read_upload, submit
from app.storage import staged
from app.teams import projects, uploads
from app.teams.routes.projects import project_page
from app.web import path_for, path_id, services


async def upload_file(request: Request) -> Response:
    user = require_user(request)
    project_id = path_id(request)
    found = services(request)
    try:
        # Before the multipart body is parsed: an upload that may not be made is never spooled.
        async with found.db.read() as session:
            await projects.editable_project(session, user=user, project_id=project_id)
        upload = await read_upload(request, csrf=True)
        async with staged(found.storage) as stage, found.db.transaction() as session:
            await uploads.add_file(
                session,
                user=user,
                project_id=project_id,
                upload=upload,
                max_bytes=found.settings.max_upload_bytes,
                stage=stage,
            )
    except FIXABLE_ON_A_FORM as exc:
        return await project_page(request, Filled({}, form_errors(exc), exc.status_code))
    return RedirectResponse(path_for(request, "project", id=project_id), status_code=303)


async def delete_file(request: Request) -> Response:
    user = require_user(request)
    project_id = path_id(request)
    response = await submit(
        request,
        parse=no_fields,
        act=lambda session, _none: uploads.delete_file(
            session, user=user, project_id=project_id, file_id=path_id(request, "file_id")
        ),
        done=lambda key: _delete_stored(request, key, project_id),
        again=lambda filled: project_page(request, filled),
    )
    return response


def _delete_stored(request: Request, key: str, project_id: int) -> str:
    # Only once the row is gone for good: a rolled-back delete must still find its file.
    services(request).storage.delete(key)
    return path_for(request, "project", id=project_id)


def content_disposition(name: str) -> str:
    """An attachment, with an ASCII fallback name and the real name in RFC 5987 form."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def download(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        project_file = await uploads.file_for_download(
            session,
            user=current_user(request),
            project_id=path_id(request),
            file_id=path_id(request, "file_id"),
        )
    try:
        data = await run_in_threadpool(found.storage.read, project_file.storage_key)
    except FileNotFoundError:
        raise NotFound() from None
    return attachment(data, media_type=project_file.content_type, name=project_file.display_name)


def attachment(data: bytes, *, media_type: str, name: str) -> Response:
    """A stored upload as a download: never shown inline, never sniffed, never shared."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": content_disposition(name),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-cache",
        },
    )


routes: list[BaseRoute] = [
    Route("/projects/{id:int}/files", upload_file, methods=["POST"], name="upload_file"),
    Route("/projects/{id:int}/files/{file_id:int}", download, name="project_file"),
    Route(
        "/projects/{id:int}/files/{file_id:int}/delete",
        delete_file,
        methods=["POST"],
        name="delete_file",
    ),
]
