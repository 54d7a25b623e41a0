"""JSON API of this domain: teams, projects, files and the gallery."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, read_json, respond
from app.challenges import service as challenges_service
from app.errors import UnsupportedMediaType, ValidationFailed
from app.forms import upload
from app.i18n import gettext as _
from app.teams import permissions, projects, queries, service, uploads
from app.teams.projects import ProjectView
from app.teams.schemas import (
    ApiBody,
    FileRead,
    InstitutionRead,
    MemberRead,
    ProjectInput,
    ProjectRead,
    ProjectSummary,
    TeamCreate,
    TeamRead,
    parse_team,
)
from app.teams.service import TeamView

router = ApiRouter("teams")


def _team_read(view: TeamView) -> TeamRead:
    team = view.team
    return TeamRead(
        id=team.id or 0,
        challenge_id=team.challenge_id,
        name=team.name,
        track_id=team.track_id,
        class_name=team.class_name,
        coach_id=team.coach_id,
        institution=InstitutionRead.model_validate(view.institution) if view.institution else None,
        members=[
            MemberRead(
                id=m.id or 0,
                first_name=m.first_name,
                last_name=m.last_name,
                is_minor=m.is_minor,
                consent_on=m.consent_at.date() if m.consent_at else None,
            )
            for m in view.members
        ],
        project_id=view.project.id if view.project else None,
    )


def _project_read(view: ProjectView) -> ProjectRead:
    project = view.project
    return ProjectRead(
        id=project.id or 0,
        team_id=project.team_id,
        team_name=view.team.name,
        challenge_id=project.challenge_id,
        track_id=project.track_id,
        title=project.title,
        summary=project.summary,
        description=project.description,
        status=project.status,
        version=project.version,
        submitted_at=project.submitted_at,
        files=[FileRead.model_validate(f) for f in view.files],
    )


async def _team_response(request: Request, team_id: int, status: int = 200) -> Response:
    async with request.app.state.db.read() as session:
        view = await service.team_view(session, user=current_user(request), team_id=team_id)
    return respond(_team_read(view), status)


async def _project_response(request: Request, project_id: int, status: int = 200) -> Response:
    async with request.app.state.db.read() as session:
        view = await projects.project_view(
            session, user=current_user(request), project_id=project_id
        )
    return respond(_project_read(view), status)


@router.route(
    "POST",
    "/challenges/{id:int}/teams",
    summary="Register a team while registration is open; you become its coach",
    body=TeamCreate,
    response=TeamRead,
    status=201,
    errors=(404, 409),
)
async def register_team(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    # The challenge before the body: a draft or unknown one is 'not found', whatever is sent.
    async with request.app.state.db.read() as session:
        await challenges_service.load(session, user=user, challenge_id=challenge_id)
    raw: dict[str, Any] = (await read_json(request, ApiBody)).model_dump()
    members = raw.pop("members", None)
    if not isinstance(members, list):
        raise ValidationFailed({"members": _("Please add at least one member.")})
    rows = [(i, row if isinstance(row, dict) else {}) for i, row in enumerate(members)]
    data = parse_team(raw, rows)
    async with request.app.state.db.transaction() as session:
        team = await service.register_team(session, user=user, challenge_id=challenge_id, data=data)
    return await _team_response(request, team.id or 0, 201)


@router.route(
    "GET",
    "/teams/{id:int}",
    summary="A team with its members (coach, members, organisers)",
    response=TeamRead,
    errors=(404,),
)
async def get_team(request: Request) -> Response:
    require_user(request)
    return await _team_response(request, request.path_params["id"])


@router.route(
    "PUT",
    "/teams/{id:int}/project",
    summary="Create or change the team's project (coach, while submissions are open)",
    body=ProjectInput,
    response=ProjectRead,
    errors=(403, 404, 409),
)
async def save_project(request: Request) -> Response:
    user = require_user(request)
    team_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        _team, access = await service.load_team(session, user=user, team_id=team_id)
    permissions.ensure_coach(access)
    data = await read_json(request, ProjectInput)
    async with request.app.state.db.transaction() as session:
        project = await projects.save_project(session, user=user, team_id=team_id, data=data)
    return await _project_response(request, project.id or 0)


@router.route(
    "POST",
    "/projects/{id:int}/files",
    summary="Upload a PDF, PNG or JPEG (multipart/form-data, field 'file')",
    response=FileRead,
    status=201,
    errors=(403, 404, 409, 413),
    files=("file",),
)
async def upload_file(request: Request) -> Response:
    user = require_user(request)
    project_id = request.path_params["id"]
    # Before the multipart body is parsed: an upload that may not be made is never spooled.
    async with request.app.state.db.read() as session:
        await projects.editable_project(session, user=user, project_id=project_id)
    settings = request.app.state.settings
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType(_("Send the file as multipart/form-data."))
    form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_upload_bytes)
    try:
        file = upload(form, "file")
        if file is None:
            raise ValidationFailed({"file": _("Please choose a file.")})
        data = await file.read(settings.max_upload_bytes + 1)
        async with (
            uploads.staged(request.app.state.storage) as stage,
            request.app.state.db.transaction() as session,
        ):
            project_file = await uploads.add_file(
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
    return respond(FileRead.model_validate(project_file), 201)


@router.route(
    "POST",
    "/projects/{id:int}/submit",
    summary="Submit the project (coach, before the deadline)",
    response=ProjectRead,
    errors=(403, 404, 409),
)
async def submit_project(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        await projects.submit_project(session, user=user, project_id=request.path_params["id"])
    return await _project_response(request, request.path_params["id"])


@router.route(
    "POST",
    "/projects/{id:int}/withdraw",
    summary="Withdraw the submission (coach)",
    response=ProjectRead,
    errors=(403, 404, 409),
)
async def withdraw_project(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.transaction() as session:
        await projects.withdraw_project(session, user=user, project_id=request.path_params["id"])
    return await _project_response(request, request.path_params["id"])


@router.route(
    "GET",
    "/projects/{id:int}",
    summary="A project (public once submitted)",
    response=ProjectRead,
    auth=False,
    errors=(404,),
)
async def get_project(request: Request) -> Response:
    return await _project_response(request, request.path_params["id"])


@router.route(
    "GET",
    "/challenges/{id:int}/projects",
    summary="The challenge's submitted projects",
    response=ProjectSummary,
    many=True,
    auth=False,
    errors=(404,),
)
async def list_projects(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        challenge, _actor = await challenges_service.load(
            session, user=current_user(request), challenge_id=request.path_params["id"]
        )
        items = await queries.gallery(session, challenge.id or 0)
    return respond([ProjectSummary.model_validate(item) for item in items])
