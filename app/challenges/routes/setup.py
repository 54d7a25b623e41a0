"""Pages for organisers: create and edit a challenge, publish it, its tracks, phases, people."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts import queries as accounts_queries
from app.accounts.auth import require_user
from app.challenges import editions, permissions, phases, programmes, queries, service
from app.challenges.models import Challenge, Eligibility, PhaseKind
from app.challenges.schemas import (
    GRANTABLE_ROLES,
    ChallengeInput,
    PhasesForm,
    RoleGrant,
    TrackInput,
)
from app.fields import LOCAL_FORMAT
from app.forms import Filled, no_fields, schema, submit
from app.i18n import gettext as _
from app.templating import render
from app.web import path_for, path_id, services


async def _challenge_form(
    request: Request, filled: Filled, *, challenge: Challenge | None = None
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        # A challenge joins only a programme its creator owns (or stays where it is).
        programme_list = [
            p
            for p in await queries.programmes(session)
            if programmes.owns(user, p) or (challenge and challenge.programme_id == p.id)
        ]
    form = {"timezone": "Europe/Rome", "team_size_min": "1", "team_size_max": "40"}
    if challenge is not None:
        form = {
            "title": challenge.title,
            "summary": challenge.summary,
            "description": challenge.description,
            "rules": challenge.rules,
            "timezone": challenge.timezone,
            "programme_id": str(challenge.programme_id or ""),
            "team_size_min": str(challenge.team_size_min),
            "team_size_max": str(challenge.team_size_max),
            "eligibility": str(challenge.eligibility),
        }
    context = {
        "challenge": challenge,
        "programme_options": [(p.id, p.name) for p in programme_list],
        "eligibility_options": [
            (Eligibility.SCHOOL_CLASSES, _("Classes of a school")),
            (Eligibility.UNIVERSITY, _("University students")),
            (Eligibility.OPEN, _("Anyone")),
        ],
        "form": form,
    }
    return render(request, "challenges/form.html", context, filled=filled)


async def new_challenge(request: Request) -> Response:
    user = require_user(request)
    service.ensure_may_create(user)  # before the form is shown or read
    if request.method == "GET":
        return await _challenge_form(request, Filled())
    return await submit(
        request,
        parse=schema(ChallengeInput),
        act=lambda session, data: service.create_challenge(session, user=user, data=data),
        done=lambda challenge: path_for(request, "challenge", id=challenge.id),
        again=lambda filled: _challenge_form(request, filled),
    )


async def edit_challenge(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=challenge_id)
    if request.method == "GET":
        return await _challenge_form(request, Filled(), challenge=access.challenge)
    return await submit(
        request,
        parse=schema(ChallengeInput),
        act=lambda session, data: service.update_challenge(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _changed: path_for(request, "challenge", id=challenge_id),
        again=lambda filled: _challenge_form(request, filled, challenge=access.challenge),
    )


async def publish(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=lambda values: values.get("publish") == "1",
        act=lambda session, published: service.set_published(
            session, user=user, challenge_id=challenge_id, published=published
        ),
        done=lambda _changed: path_for(request, "challenge", id=challenge_id),
    )


async def archive(request: Request) -> Response:
    """Archive a finished challenge, or bring it back (the form says which)."""
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=lambda values: values.get("archive") == "1",
        act=lambda session, archived: editions.archive_challenge(
            session, user=user, challenge_id=challenge_id, archived=archived
        ),
        done=lambda _changed: path_for(request, "challenge", id=challenge_id),
    )


async def _tracks_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=path_id(request))
        tracks = await queries.tracks(session, access.challenge_id)
    context = {
        "challenge": access.challenge,
        "tracks": tracks,
        "form": {"position": str(len(tracks))},
    }
    return render(request, "challenges/tracks.html", context, filled=filled)


async def tracks(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _tracks_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=schema(TrackInput),
        act=lambda session, data: service.add_track(
            session, user=user, challenge_id=challenge_id, data=data
        ),
        done=lambda _track: path_for(request, "challenge_tracks", id=challenge_id),
        again=lambda filled: _tracks_page(request, filled),
    )


async def edit_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id, track_id = path_id(request), path_id(request, "track_id")
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=challenge_id)
        track = await queries.get_track(session, challenge_id, track_id)
    fresh = {"name": track.name, "description": track.description, "position": str(track.position)}

    async def page(filled: Filled) -> Response:
        context = {"challenge": access.challenge, "track": track, "form": fresh}
        return render(request, "challenges/track_form.html", context, filled=filled)

    if request.method == "GET":
        return await page(Filled())
    return await submit(
        request,
        parse=schema(TrackInput),
        act=lambda session, data: service.update_track(
            session, user=user, challenge_id=challenge_id, track_id=track_id, data=data
        ),
        done=lambda _track: path_for(request, "challenge_tracks", id=challenge_id),
        again=page,
    )


async def delete_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=no_fields,
        act=lambda session, _none: service.delete_track(
            session, user=user, challenge_id=challenge_id, track_id=path_id(request, "track_id")
        ),
        done=lambda _none: path_for(request, "challenge_tracks", id=challenge_id),
        again=lambda filled: _tracks_page(request, filled),
    )


async def phase_windows(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=challenge_id)
        phase_list = await queries.phases(session, challenge_id)
    fresh: dict[str, str] = {}
    for phase in phase_list:
        for end in ("starts_at", "ends_at"):
            local = phases.to_local(getattr(phase, end), access.challenge.timezone)
            fresh[f"{phase.kind}_{end}"] = local.strftime(LOCAL_FORMAT)

    async def page(filled: Filled) -> Response:
        context = {"challenge": access.challenge, "kinds": list(PhaseKind), "form": fresh}
        return render(request, "challenges/phases.html", context, filled=filled)

    if request.method == "GET":
        return await page(Filled())
    return await submit(
        request,
        parse=schema(PhasesForm),
        act=lambda session, form: phases.set_phases(
            session,
            user=user,
            challenge_id=challenge_id,
            windows=form.windows(),
            reason=form.reason,
        ),
        done=lambda _phases: path_for(request, "challenge", id=challenge_id),
        again=page,
    )


async def _people_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        access = await permissions.organised(session, user=user, challenge_id=path_id(request))
        people = await accounts_queries.people_in(session, challenge_id=access.challenge_id)
    context = {"challenge": access.challenge, "people": people, "grantable": GRANTABLE_ROLES}
    return render(request, "challenges/people.html", context, filled=filled)


async def people(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    if request.method == "GET":
        return await _people_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=schema(RoleGrant),
        act=lambda session, data: service.grant_role(
            session, user=user, challenge_id=challenge_id, email=data.email, kind=data.kind
        ),
        done=lambda _role: path_for(request, "challenge_people", id=challenge_id),
        again=lambda filled: _people_page(request, filled),
    )


async def remove_person(request: Request) -> Response:
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: permissions.organised(session, user=user, challenge_id=challenge_id),
        parse=no_fields,
        act=lambda session, _none: service.remove_role(
            session, user=user, challenge_id=challenge_id, role_id=path_id(request, "role_id")
        ),
        done=lambda _none: path_for(request, "challenge_people", id=challenge_id),
        again=lambda filled: _people_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/challenges/new", new_challenge, methods=["GET", "POST"], name="new_challenge"),
    Route(
        "/challenges/{id:int}/edit", edit_challenge, methods=["GET", "POST"], name="edit_challenge"
    ),
    Route("/challenges/{id:int}/publish", publish, methods=["POST"], name="publish_challenge"),
    Route("/challenges/{id:int}/archive", archive, methods=["POST"], name="archive_challenge"),
    Route("/challenges/{id:int}/tracks", tracks, methods=["GET", "POST"], name="challenge_tracks"),
    Route(
        "/challenges/{id:int}/tracks/{track_id:int}/edit",
        edit_track,
        methods=["GET", "POST"],
        name="edit_track",
    ),
    Route(
        "/challenges/{id:int}/tracks/{track_id:int}/delete",
        delete_track,
        methods=["POST"],
        name="delete_track",
    ),
    Route(
        "/challenges/{id:int}/phases",
        phase_windows,
        methods=["GET", "POST"],
        name="challenge_phases",
    ),
    Route("/challenges/{id:int}/people", people, methods=["GET", "POST"], name="challenge_people"),
    Route(
        "/challenges/{id:int}/people/{role_id:int}/remove",
        remove_person,
        methods=["POST"],
        name="remove_person",
    ),
]
