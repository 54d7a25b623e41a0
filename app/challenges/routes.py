"""Pages: the home page, the challenge list and page, and programmes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions, phases, programmes, queries, service
from app.challenges.models import PhaseKind, Track
from app.challenges.organiser_routes import routes as organiser_routes
from app.challenges.schemas import ProgrammeInput, StageInput
from app.db import utcnow
from app.errors import AppError, NotFound, ValidationFailed
from app.forms import form_values, read_form, validate
from app.ids import parse_id
from app.teams import queries as teams_queries
from app.templating import render


async def home(request: Request) -> Response:
    now = utcnow()
    async with request.app.state.db.read() as session:
        cards = await phases.published_cards(session, now=now)
        programme_list = await queries.programmes(session)
    by_programme = {p.id: p for p in programme_list}
    groups = []
    for programme_id in dict.fromkeys(c.challenge.programme_id for c in cards):
        groups.append(
            (
                by_programme.get(programme_id) if programme_id else None,
                [c for c in cards if c.challenge.programme_id == programme_id],
            )
        )
    open_now = [c for c in cards if c.current is not None]
    return render(request, "home.html", {"groups": groups, "open_now": open_now})


GALLERY_PAGE_SIZE = 24


def gallery_view(request: Request, tracks: list[Track]) -> tuple[int | None, int]:
    """The gallery's ?track= and ?page=: a track of this challenge and a page from 1; links
    naming anything else are 404, as a missing page is."""
    raw_track, raw_page = request.query_params.get("track"), request.query_params.get("page")
    track_id = parse_id(raw_track)
    page = parse_id(raw_page) if raw_page is not None else 1
    if (raw_track is not None and track_id not in {t.id for t in tracks}) or page is None:
        raise NotFound()
    return track_id, page


async def challenge_list(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        cards = await phases.published_cards(session)
    return render(request, "challenges/list.html", {"cards": cards})


async def challenge_page(request: Request) -> Response:
    user = current_user(request)
    now = utcnow()
    async with request.app.state.db.read() as session:
        challenge, actor = await service.load(
            session, user=user, challenge_id=request.path_params["id"]
        )
        assert challenge.id is not None
        phase_list = await queries.phases(session, challenge.id)
        registration_open = queries.is_open(phase_list, PhaseKind.REGISTRATION, now)
        programme = (
            await queries.get_programme(session, challenge.programme_id)
            if challenge.programme_id
            else None
        )
        my_teams = (
            await teams_queries.teams_of_user(session, user_id=user.id, challenge_id=challenge.id)
            if user and user.id
            else []
        )
        tracks = await queries.tracks(session, challenge.id)
        track_id, page = gallery_view(request, tracks)
        total = await teams_queries.gallery_size(session, challenge.id, track_id=track_id)
        pages = max(1, -(-total // GALLERY_PAGE_SIZE))
        if page > pages:
            raise NotFound()
        gallery = await teams_queries.gallery(
            session,
            challenge.id,
            track_id=track_id,
            limit=GALLERY_PAGE_SIZE,
            offset=(page - 1) * GALLERY_PAGE_SIZE,
        )
        context = {
            "challenge": challenge,
            "actor": actor,
            "phases": phase_list,
            "current": queries.current_phase(phase_list, now),
            "tracks": tracks,
            "programme": programme,
            "gallery": gallery,
            "gallery_track": track_id,
            "gallery_total": total,
            "gallery_page": page,
            "gallery_pages": pages,
            "gallery_first": (page - 1) * GALLERY_PAGE_SIZE + 1,
            "my_teams": my_teams,
            "can_manage": permissions.can_manage(actor),
            "registration_open": registration_open,
            "can_register": permissions.can_register_team(
                actor, registration_open=registration_open
            ),
        }
    return render(request, "challenges/detail.html", context)


async def programme_list(request: Request) -> Response:
    async with request.app.state.db.read() as session:
        programme_list = await queries.programmes(session)
    return render(request, "challenges/programmes.html", {"programmes": programme_list})


async def new_programme(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return render(request, "challenges/programme_form.html")
    values = form_values(await read_form(request))
    try:
        data = validate(ProgrammeInput, values)
        async with request.app.state.db.transaction() as session:
            programme = await programmes.create_programme(session, user=user, data=data)
    except ValidationFailed as exc:
        return render(
            request,
            "challenges/programme_form.html",
            {"form": values, "errors": exc.errors},
            status_code=422,
        )
    return RedirectResponse(f"/programmes/{programme.id}", status_code=303)


async def _programme_page(
    request: Request,
    programme_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    user = current_user(request)
    async with request.app.state.db.read() as session:
        programme = await queries.get_programme(session, programme_id)
        stages = await queries.programme_stages(session, programme_id)
        organised = (
            await queries.challenges_organised_by(session, user_id=user.id, is_admin=user.is_admin)
            if user and user.id
            else []
        )
    organised_ids = {c.id for c in organised}
    visible = [c for c in stages if c.is_published or c.id in organised_ids]
    return render(
        request,
        "challenges/programme.html",
        {
            "programme": programme,
            "stages": visible,
            "organised": organised,
            "organised_options": [(c.id, c.title) for c in organised],
            "organised_ids": organised_ids,
            "form": form or {"stage": str(len(stages) + 1)},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def programme_page(request: Request) -> Response:
    return await _programme_page(request, request.path_params["id"])


async def attach_stage(request: Request) -> Response:
    user = require_user(request)
    programme_id = request.path_params["id"]
    values = form_values(await read_form(request))
    try:
        data = validate(StageInput, values)
        async with request.app.state.db.transaction() as session:
            await programmes.attach_stage(session, user=user, programme_id=programme_id, data=data)
    except ValidationFailed as exc:
        return await _programme_page(
            request, programme_id, form=values, errors=exc.errors, status_code=422
        )
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return await _programme_page(
            request,
            programme_id,
            form=values,
            errors={"__all__": exc.message},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/programmes/{programme_id}", status_code=303)


async def detach_stage(request: Request) -> Response:
    user = require_user(request)
    programme_id = request.path_params["id"]
    await read_form(request)
    async with request.app.state.db.transaction() as session:
        await programmes.detach_stage(
            session,
            user=user,
            programme_id=programme_id,
            challenge_id=request.path_params["challenge_id"],
        )
    return RedirectResponse(f"/programmes/{programme_id}", status_code=303)


routes: list[BaseRoute] = [
    Route("/", home, name="home"),
    Route("/challenges", challenge_list, name="challenges"),
    Route("/challenges/{id:int}", challenge_page, name="challenge"),
    *organiser_routes,
    Route("/programmes", programme_list, name="programmes"),
    Route("/programmes/new", new_programme, methods=["GET", "POST"], name="new_programme"),
    Route("/programmes/{id:int}", programme_page, name="programme"),
    Route("/programmes/{id:int}/stages", attach_stage, methods=["POST"]),
    Route("/programmes/{id:int}/stages/{challenge_id:int}/remove", detach_stage, methods=["POST"]),
]
