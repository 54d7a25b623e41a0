"""Pages: writing, submitting and withdrawing a project; uploading and downloading its files."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.errors import AppError, Conflict, NotFound, ValidationFailed
from app.forms import form_values, read_form, upload, validate
from app.i18n import gettext as _
from app.teams import permissions, projects, service, uploads
from app.teams.schemas import ProjectInput
from app.templating import render

# Errors shown next to the upload field instead of on an error page.
UPLOAD_ERRORS = (ValidationFailed, uploads.FileTooLarge, uploads.FileTypeRefused, Conflict)


async def _project_page(
    request: Request,
    project_id: int,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.read() as session:
        view = await projects.project_view(
            session, user=current_user(request), project_id=project_id
        )
    return render(
        request,
        "teams/project.html",
        {"view": view, "errors": errors or {}},
        status_code=status_code,
    )


async def project_page(request: Request) -> Response:
    return await _project_page(request, request.path_params["id"])


async def edit_project(request: Request) -> Response:
    user = require_user(request)
    team_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        view = await service.team_view(session, user=user, team_id=team_id)
        permissions.ensure_coach(view.access)
        tracks = await challenge_queries.tracks(session, view.team.challenge_id)
    context: dict[str, Any] = {"view": view, "track_options": [(t.id, t.name) for t in tracks]}
    if request.method == "GET":
        project = view.project
        form = {"track_id": str(view.team.track_id or "")}
        if project is not None:
            form = {
                "title": project.title,
                "summary": project.summary,
                "description": project.description,
                "track_id": str(project.track_id or ""),
            }
        return render(request, "teams/project_form.html", {**context, "form": form})
    values = form_values(await read_form(request))
    try:
        data = validate(ProjectInput, values)
        async with request.app.state.db.transaction() as session:
            project = await projects.save_project(session, user=user, team_id=team_id, data=data)
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"__all__": exc.message}
        return render(
            request,
            "teams/project_form.html",
            {**context, "form": values, "errors": errors},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/projects/{project.id}", status_code=303)


async def submit(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            await projects.submit_project(session, user=user, project_id=project_id)
    except Conflict as exc:
        return await _project_page(
            request, project_id, errors={"__all__": exc.message}, status_code=409
        )
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


async def withdraw(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            await projects.withdraw_project(session, user=user, project_id=project_id)
    except Conflict as exc:
        return await _project_page(
            request, project_id, errors={"__all__": exc.message}, status_code=409
        )
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


async def upload_file(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    try:
        # Before the multipart body is parsed: an upload that may not be made is never spooled.
        async with request.app.state.db.read() as session:
            await projects.editable_project(session, user=user, project_id=project_id)
        await _add_upload(request, user, project_id)
    except UPLOAD_ERRORS as exc:
        return await _project_page(
            request, project_id, errors=_upload_errors(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


async def _add_upload(request: Request, user: User, project_id: int) -> None:
    settings = request.app.state.settings
    form = await read_form(request, max_files=1)
    try:
        file = upload(form, "file")
        if file is None:
            raise ValidationFailed({"file": _("Please choose a file.")})
        # One byte more than allowed is enough to know it is too large.
        data = await file.read(settings.max_upload_bytes + 1)
        async with (
            uploads.staged(request.app.state.storage) as stage,
            request.app.state.db.transaction() as session,
        ):
            await uploads.add_file(
                session,
                user=user,
                project_id=project_id,
                filename=file.filename or "",
                data=data,
                max_bytes=settings.max_upload_bytes,
                stage=stage,
            )
    finally:
        await form.close()


def _upload_errors(exc: AppError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    if isinstance(exc, uploads.FileTooLarge | uploads.FileTypeRefused):
        return {"file": exc.message}
    return {"__all__": exc.message}  # a deadline: the upload field is gone from the page


async def delete_file(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            key = await uploads.delete_file(
                session, user=user, project_id=project_id, file_id=request.path_params["file_id"]
            )
    except Conflict as exc:
        return await _project_page(
            request, project_id, errors={"__all__": exc.message}, status_code=409
        )
    # Only once the row is gone for good: a rolled-back delete must still find its file.
    request.app.state.storage.delete(key)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


def content_disposition(name: str) -> str:
    """An attachment, with an ASCII fallback name and the real name in RFC 5987 form."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def download(request: Request) -> Response:
    project_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        project_file = await uploads.file_for_download(
            session,
            user=current_user(request),
            project_id=project_id,
            file_id=request.path_params["file_id"],
        )
    try:
        data = await run_in_threadpool(request.app.state.storage.read, project_file.storage_key)
    except FileNotFoundError:
        raise NotFound() from None
    return Response(
        data,
        media_type=project_file.content_type,
        headers={
            "content-disposition": content_disposition(project_file.display_name),
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-cache",
        },
    )


routes: list[BaseRoute] = [
    Route("/teams/{id:int}/project", edit_project, methods=["GET", "POST"]),
    Route("/projects/{id:int}", project_page, name="project"),
    Route("/projects/{id:int}/submit", submit, methods=["POST"]),
    Route("/projects/{id:int}/withdraw", withdraw, methods=["POST"]),
    Route("/projects/{id:int}/files", upload_file, methods=["POST"]),
    Route("/projects/{id:int}/files/{file_id:int}", download, name="project_file"),
    Route("/projects/{id:int}/files/{file_id:int}/delete", delete_file, methods=["POST"]),
]
