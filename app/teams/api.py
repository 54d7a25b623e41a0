"""JSON API of this domain: teams, projects, files and the gallery."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.accounts.auth import current_user, require_user
from app.api import ApiRouter, extended
from app.challenges import permissions as challenge_permissions
from app.forms import read_upload
from app.storage import staged
from app.teams import permissions, projects, queries, service, uploads, views
from app.teams.schemas import (
    API_PAGE_SIZE,
    FileRead,
    GalleryQuery,
    ProjectInput,
    ProjectRead,
    ProjectSummary,
    TeamCreate,
    TeamRead,
)
from app.teams.views import ProjectView, TeamView
from app.web import path_id, services, settings

router = ApiRouter("teams")


def _team_read(view: TeamView) -> TeamRead:
    return TeamRead.model_validate(
        extended(
            view.team,
            institution=view.institution,
            members=view.members,
            project_id=view.project.id if view.project else None,
        )
    )


def _project_read(view: ProjectView) -> ProjectRead:
    return ProjectRead.model_validate(
        extended(view.project, team_name=view.team.name, files=view.files)
    )


async def _team(request: Request, team_id: int) -> TeamRead:
    async with services(request).db.read() as session:
        return _team_read(
            await views.team_view(session, user=current_user(request), team_id=team_id)
        )


async def _project(request: Request, project_id: int) -> ProjectRead:
    async with services(request).db.read() as session:
        view = await views.project_view(session, user=current_user(request), project_id=project_id)
    return _project_read(view)


async def coach_of_path_team(request: Request, session: AsyncSession) -> None:
    _team, access = await service.load_team(
        session, user=current_user(request), team_id=path_id(request)
    )
    permissions.ensure_coach(access)


async def path_project_editable(request: Request, session: AsyncSession) -> None:
    """Before a multipart body is parsed: an upload that may not be made is never spooled."""
    await projects.editable_project(
        session, user=require_user(request), project_id=path_id(request)
    )


@router.route(
    "POST",
    "/challenges/{id:int}/teams",
    summary="Register a team while registration is open; you become its coach",
    body=TeamCreate,
    response=TeamRead,
    status=201,
    errors=(404, 409),
    guard=challenge_permissions.viewable_in_path,
)
async def register_team(request: Request, body: TeamCreate) -> TeamRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        team = await service.register_team(
            session, user=user, challenge_id=path_id(request), data=body
        )
    assert team.id is not None
    return await _team(request, team.id)


@router.route(
    "GET",
    "/teams/{id:int}",
    summary="A team with its members (coach, members, organisers)",
    response=TeamRead,
    errors=(404,),
)
async def get_team(request: Request) -> TeamRead:
    return await _team(request, path_id(request))


@router.route(
    "PUT",
    "/teams/{id:int}/project",
    summary="Create or change the team's project (coach, while submissions are open)",
    body=ProjectInput,
    response=ProjectRead,
    errors=(403, 404, 409),
    guard=coach_of_path_team,
)
async def save_project(request: Request, body: ProjectInput) -> ProjectRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        project = await projects.save_project(
            session, user=user, team_id=path_id(request), data=body
        )
    assert project.id is not None
    return await _project(request, project.id)


@router.route(
    "POST",
    "/projects/{id:int}/files",
    summary="Upload a PDF, PNG or JPEG (multipart/form-data, field 'file')",
    response=FileRead,
    status=201,
    errors=(403, 404, 409, 413),
    files=("file",),
    guard=path_project_editable,
)
async def upload_file(request: Request) -> FileRead:
    user = require_user(request)
    found = services(request)
    upload = await read_upload(request, csrf=False)
    async with staged(found.storage) as stage, found.db.transaction() as session:
        project_file = await uploads.add_file(
            session,
            user=user,
            project_id=path_id(request),
            upload=upload,
            max_bytes=found.settings.max_upload_bytes,
            stage=stage,
        )
    return FileRead.model_validate(project_file)


@router.route(
    "POST",
    "/projects/{id:int}/submit",
    summary="Submit the project (coach, before the deadline)",
    response=ProjectRead,
    errors=(403, 404, 409),
)
async def submit_project(request: Request) -> ProjectRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await projects.submit_project(session, user=user, project_id=path_id(request))
    return await _project(request, path_id(request))


@router.route(
    "POST",
    "/projects/{id:int}/withdraw",
    summary="Withdraw the submission (coach)",
    response=ProjectRead,
    errors=(403, 404, 409),
)
async def withdraw_project(request: Request) -> ProjectRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await projects.withdraw_project(session, user=user, project_id=path_id(request))
    return await _project(request, path_id(request))


@router.route(
    "GET",
    "/projects/{id:int}",
    summary="A project (public once submitted)",
    response=ProjectRead,
    auth=False,
    errors=(404,),
)
async def get_project(request: Request) -> ProjectRead:
    return await _project(request, path_id(request))


@router.route(
    "GET",
    "/challenges/{id:int}/projects",
    summary="The challenge's submitted projects, a page at a time (X-Total-Count, Link)",
    response=ProjectSummary,
    many=True,
    auth=False,
    errors=(404,),
    query=GalleryQuery,
)
async def list_projects(request: Request, *, query: GalleryQuery) -> Response:
    async with services(request).db.read() as session:
        access = await challenge_permissions.viewable(
            session, user=current_user(request), challenge_id=path_id(request)
        )
        items, total = await queries.gallery_slice(
            session,
            access.challenge_id,
            track_id=None,
            limit=API_PAGE_SIZE,
            offset=(query.page - 1) * API_PAGE_SIZE,
        )
        if total is None:  # a page past the end (or none at all): counted apart
            total = await queries.gallery_count(session, access.challenge_id)
    headers = {"X-Total-Count": str(total)}
    if query.page * API_PAGE_SIZE < total:  # RFC 8288: where the next page is
        # At the site's address, not the Host asked for: the answer is kept for everyone.
        site = URL(settings(request).base_url)
        following = request.url.replace(scheme=site.scheme, netloc=site.netloc)
        headers["Link"] = f'<{following.include_query_params(page=query.page + 1)}>; rel="next"'
    content = [ProjectSummary.model_validate(i).model_dump(mode="json") for i in items]
    return JSONResponse(content, headers=headers)
