"""Pages for organisers: create and edit a challenge, its tracks, phases, publication, people."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts import service as accounts_service
from app.accounts.auth import require_user
from app.accounts.models import User
from app.challenges import phases, queries, service
from app.challenges.models import Challenge, PhaseKind
from app.challenges.schemas import (
    GRANTABLE_ROLES,
    ChallengeInput,
    PhasesForm,
    RoleGrant,
    TrackInput,
)
from app.errors import AppError, Conflict, ValidationFailed
from app.forms import form_values, read_form, validate
from app.templating import render

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def _form_errors(exc: AppError, field: str = "__all__") -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {field: exc.message}


async def _challenge_form(
    request: Request,
    user: User,
    *,
    challenge: Challenge | None = None,
    form: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.read() as session:
        programme_list = await queries.programmes(session)
    return render(
        request,
        "challenges/form.html",
        {
            "challenge": challenge,
            "programme_options": [(p.id, p.name) for p in programme_list],
            "form": form,
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def new_challenge(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return await _challenge_form(request, user, form={"timezone": "Europe/Rome"})
    values = form_values(await read_form(request))
    try:
        data = validate(ChallengeInput, values)
        async with request.app.state.db.transaction() as session:
            challenge = await service.create_challenge(session, user=user, data=data)
    except ValidationFailed as exc:
        return await _challenge_form(request, user, form=values, errors=exc.errors, status_code=422)
    return RedirectResponse(f"/challenges/{challenge.id}", status_code=303)


async def edit_challenge(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load_managed(
            session, user=user, challenge_id=challenge_id
        )
    if request.method == "GET":
        form = {
            "title": challenge.title,
            "summary": challenge.summary,
            "description": challenge.description,
            "timezone": challenge.timezone,
            "programme_id": str(challenge.programme_id or ""),
        }
        return await _challenge_form(request, user, challenge=challenge, form=form)
    values = form_values(await read_form(request))
    try:
        data = validate(ChallengeInput, values)
        async with request.app.state.db.transaction() as session:
            await service.update_challenge(session, user=user, challenge_id=challenge_id, data=data)
    except ValidationFailed as exc:
        return await _challenge_form(
            request, user, challenge=challenge, form=values, errors=exc.errors, status_code=422
        )
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


async def publish(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    values = form_values(await read_form(request))
    async with request.app.state.db.transaction() as session:
        await service.set_published(
            session, user=user, challenge_id=challenge_id, published=values.get("publish") == "1"
        )
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


async def _tracks_page(
    request: Request,
    user: User,
    challenge_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load_managed(
            session, user=user, challenge_id=challenge_id
        )
        tracks = await queries.tracks(session, challenge_id)
    return render(
        request,
        "challenges/tracks.html",
        {
            "challenge": challenge,
            "tracks": tracks,
            "form": form or {"position": str(len(tracks))},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _ensure_manager(request: Request, user: User, challenge_id: int) -> None:
    """Permission before the form is read: someone who may not manage the challenge gets
    their 403/404 whatever they sent, not a verdict on their input."""
    async with request.app.state.db.read() as session:
        await service.load_managed(session, user=user, challenge_id=challenge_id)


async def tracks(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    if request.method == "GET":
        return await _tracks_page(request, user, challenge_id)
    await _ensure_manager(request, user, challenge_id)
    values = form_values(await read_form(request))
    try:
        data = validate(TrackInput, values)
        async with request.app.state.db.transaction() as session:
            await service.add_track(session, user=user, challenge_id=challenge_id, data=data)
    except (ValidationFailed, service.TrackNameTaken) as exc:
        return await _tracks_page(
            request,
            user,
            challenge_id,
            form=values,
            errors=_form_errors(exc, "name"),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/challenges/{challenge_id}/tracks", status_code=303)


async def edit_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id, track_id = request.path_params["id"], request.path_params["track_id"]
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load_managed(
            session, user=user, challenge_id=challenge_id
        )
        track = await queries.get_track(session, challenge_id, track_id)
    context: dict[str, Any] = {"challenge": challenge, "track": track}
    if request.method == "GET":
        form = {"name": track.name, "description": track.description}
        form["position"] = str(track.position)
        return render(request, "challenges/track_form.html", {**context, "form": form})
    values = form_values(await read_form(request))
    try:
        data = validate(TrackInput, values)
        async with request.app.state.db.transaction() as session:
            await service.update_track(
                session, user=user, challenge_id=challenge_id, track_id=track_id, data=data
            )
    except (ValidationFailed, service.TrackNameTaken) as exc:
        return render(
            request,
            "challenges/track_form.html",
            {**context, "form": values, "errors": _form_errors(exc, "name")},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/challenges/{challenge_id}/tracks", status_code=303)


async def delete_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            await service.delete_track(
                session,
                user=user,
                challenge_id=challenge_id,
                track_id=request.path_params["track_id"],
            )
    except service.TrackInUse as exc:
        return await _tracks_page(
            request, user, challenge_id, errors={"__all__": exc.message}, status_code=409
        )
    return RedirectResponse(f"/challenges/{challenge_id}/tracks", status_code=303)


async def phase_windows(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load_managed(
            session, user=user, challenge_id=challenge_id
        )
        phase_list = await queries.phases(session, challenge_id)
    context: dict[str, Any] = {"challenge": challenge, "kinds": list(PhaseKind)}
    if request.method == "GET":
        form: dict[str, str] = {}
        for phase in phase_list:
            for end in ("starts_at", "ends_at"):
                local = phases.to_local(getattr(phase, end), challenge.timezone)
                form[f"{phase.kind}_{end}"] = local.strftime(LOCAL_FORMAT)
        return render(request, "challenges/phases.html", {**context, "form": form})
    values = form_values(await read_form(request))
    try:
        windows = validate(PhasesForm, values).windows()
        async with request.app.state.db.transaction() as session:
            await phases.set_phases(session, user=user, challenge_id=challenge_id, windows=windows)
    except ValidationFailed as exc:
        return render(
            request,
            "challenges/phases.html",
            {**context, "form": values, "errors": exc.errors},
            status_code=422,
        )
    return RedirectResponse(f"/challenges/{challenge_id}", status_code=303)


async def _people_page(
    request: Request,
    user: User,
    challenge_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with request.app.state.db.read() as session:
        challenge, _actor = await service.load_managed(
            session, user=user, challenge_id=challenge_id
        )
        people = await accounts_service.people_in(session, challenge_id=challenge_id)
    return render(
        request,
        "challenges/people.html",
        {
            "challenge": challenge,
            "people": people,
            "grantable": GRANTABLE_ROLES,
            "form": form or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def people(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    if request.method == "GET":
        return await _people_page(request, user, challenge_id)
    await _ensure_manager(request, user, challenge_id)
    values = form_values(await read_form(request))
    try:
        data = validate(RoleGrant, values)
        async with request.app.state.db.transaction() as session:
            await service.grant_role(
                session, user=user, challenge_id=challenge_id, email=data.email, kind=data.kind
            )
    except ValidationFailed as exc:
        return await _people_page(
            request, user, challenge_id, form=values, errors=exc.errors, status_code=422
        )
    return RedirectResponse(f"/challenges/{challenge_id}/people", status_code=303)


async def remove_person(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    await read_form(request)
    try:
        async with request.app.state.db.transaction() as session:
            await service.remove_role(
                session,
                user=user,
                challenge_id=challenge_id,
                role_id=request.path_params["role_id"],
            )
    except Conflict as exc:
        return await _people_page(
            request, user, challenge_id, errors={"__all__": exc.message}, status_code=409
        )
    return RedirectResponse(f"/challenges/{challenge_id}/people", status_code=303)


routes: list[BaseRoute] = [
    Route("/challenges/new", new_challenge, methods=["GET", "POST"], name="new_challenge"),
    Route("/challenges/{id:int}/edit", edit_challenge, methods=["GET", "POST"]),
    Route("/challenges/{id:int}/publish", publish, methods=["POST"]),
    Route("/challenges/{id:int}/tracks", tracks, methods=["GET", "POST"]),
    Route("/challenges/{id:int}/tracks/{track_id:int}/edit", edit_track, methods=["GET", "POST"]),
    Route("/challenges/{id:int}/tracks/{track_id:int}/delete", delete_track, methods=["POST"]),
    Route("/challenges/{id:int}/phases", phase_windows, methods=["GET", "POST"]),
    Route("/challenges/{id:int}/people", people, methods=["GET", "POST"]),
    Route("/challenges/{id:int}/people/{role_id:int}/remove", remove_person, methods=["POST"]),
]
