"""Pages: a sponsor organisation's public profile and logo, its representatives' profile
form, an organiser joining an organisation to their challenge, and the dashboard of the
representatives across challenges and editions."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.challenges import permissions as challenge_permissions
from app.errors import FIXABLE_ON_A_FORM, NotFound, form_errors
from app.filetypes import sniff
from app.forms import Filled, no_fields, read_upload, schema, submit
from app.sponsors import companies, company_views, service
from app.sponsors.company_schemas import CompanyJoin, CompanyProfile, TrackProposal
from app.storage import staged
from app.templating import render
from app.web import path_for, path_id, services

MAX_SEARCH = 160  # characters of a name looked up


async def company(request: Request) -> Response:
    async with services(request).db.read() as session:
        view = await company_views.company_page(
            session, user=current_user(request), company_id=path_id(request)
        )
    return render(request, "sponsors/company.html", {"view": view})


async def company_logo(request: Request) -> Response:
    found = services(request)
    async with found.db.read() as session:
        key, public = await company_views.logo_of(
            session, user=current_user(request), company_id=path_id(request)
        )
    if key is None:
        raise NotFound()
    try:
        data = await run_in_threadpool(found.storage.read, key)
    except FileNotFoundError:
        raise NotFound() from None
    # Its key changes with every new logo (the pages add it to the address). A company no
    # published challenge shows is seen by a few: no shared cache keeps its logo.
    return Response(
        data,
        media_type=sniff(data) or "application/octet-stream",
        headers={
            "cache-control": f"{'public' if public else 'private'}, max-age=3600",
            "x-content-type-options": "nosniff",
        },
    )


async def _edit_page(
    request: Request, *, profile: Filled | None = None, logo: Filled | None = None
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        found = await company_views.edit_page(session, user=user, company_id=path_id(request))
    context: dict[str, Any] = {"company": found, "logo_errors": logo.errors if logo else {}}
    if profile is None:
        profile = Filled({name: str(getattr(found, name)) for name in CompanyProfile.model_fields})
    response = render(request, "sponsors/company_edit.html", context, filled=profile)
    response.status_code = (logo or profile).status_code
    return response


async def edit_company(request: Request) -> Response:
    user = require_user(request)
    company_id = path_id(request)
    if request.method == "GET":
        return await _edit_page(request)
    return await submit(
        request,
        guard=lambda session: companies.editable(session, user=user, company_id=company_id),
        parse=schema(CompanyProfile),
        act=lambda session, data: companies.update_profile(
            session, user=user, company_id=company_id, data=data
        ),
        done=lambda _company: path_for(request, "company", id=company_id),
        again=lambda filled: _edit_page(request, profile=filled),
    )


async def edit_logo(request: Request) -> Response:
    user = require_user(request)
    company_id = path_id(request)
    found = services(request)
    try:
        # Before the body is parsed: an upload that may not be made is never spooled.
        async with found.db.read() as session:
            await companies.editable(session, user=user, company_id=company_id)
        upload = await read_upload(request, csrf=True)
        async with staged(found.storage) as stage, found.db.transaction() as session:
            unused = await companies.set_logo(
                session, user=user, company_id=company_id, upload=upload, stage=stage
            )
    except FIXABLE_ON_A_FORM as exc:
        return await _edit_page(request, logo=Filled({}, form_errors(exc), exc.status_code))
    if unused:
        found.storage.delete(unused)  # committed: nothing shows it any more
    return RedirectResponse(path_for(request, "company", id=company_id), status_code=303)


async def remove_logo(request: Request) -> Response:
    user = require_user(request)
    company_id = path_id(request)

    def done(unused: str | None) -> str:
        if unused:
            services(request).storage.delete(unused)
        return path_for(request, "company", id=company_id)

    return await submit(
        request,
        guard=lambda session: companies.editable(session, user=user, company_id=company_id),
        parse=no_fields,
        act=lambda session, _none: companies.remove_logo(session, user=user, company_id=company_id),
        done=done,
    )


async def _join_page(request: Request, filled: Filled | None = None) -> Response:
    user = require_user(request)
    text = request.query_params.get("q", "")[:MAX_SEARCH]
    async with services(request).db.read() as session:
        page = await company_views.join_page(
            session, user=user, challenge_id=path_id(request), text=text
        )
    response = render(request, "sponsors/join.html", {"page": page}, filled=filled or Filled())
    response.status_code = filled.status_code if filled else 200
    return response


async def join_company(request: Request) -> Response:
    if request.method == "GET":
        return await _join_page(request)
    user = require_user(request)
    challenge_id = path_id(request)
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=schema(CompanyJoin),
        act=lambda session, data: service.join_company(
            session, user=user, challenge_id=challenge_id, company_id=data.company_id
        ),
        done=lambda _sponsor: path_for(request, "sponsors", id=challenge_id),
        again=lambda filled: _join_page(request, filled),
    )


async def _track_page(request: Request, filled: Filled | None = None) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await company_views.track_page(
            session,
            user=user,
            challenge_id=path_id(request),
            sponsor_id=path_id(request, "sponsor_id"),
        )
    if filled is None:
        filled = Filled(
            {"name": page.sponsor.track_name, "description": page.sponsor.track_description}
        )
    response = render(request, "sponsors/track.html", {"page": page}, filled=filled)
    response.status_code = filled.status_code
    return response


async def sponsor_track(request: Request) -> Response:
    if request.method == "GET":
        return await _track_page(request)
    user = require_user(request)
    challenge_id, sponsor_id = path_id(request), path_id(request, "sponsor_id")
    return await submit(
        request,
        guard=lambda session: company_views.track_page(
            session, user=user, challenge_id=challenge_id, sponsor_id=sponsor_id
        ),
        parse=schema(TrackProposal),
        act=lambda session, data: service.propose_track(
            session,
            user=user,
            challenge_id=challenge_id,
            sponsor_id=sponsor_id,
            name=data.name,
            description=data.description,
        ),
        done=lambda _sponsor: path_for(request, "sponsor_home"),
        again=lambda filled: _track_page(request, filled),
    )


async def accept_track(request: Request) -> Response:
    user = require_user(request)
    challenge_id, sponsor_id = path_id(request), path_id(request, "sponsor_id")
    return await submit(
        request,
        guard=lambda session: challenge_permissions.organised(
            session, user=user, challenge_id=challenge_id
        ),
        parse=no_fields,
        act=lambda session, _none: service.accept_track(
            session, user=user, challenge_id=challenge_id, sponsor_id=sponsor_id
        ),
        done=lambda _sponsor: path_for(request, "sponsors", id=challenge_id),
    )


async def sponsor_home(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        board = await company_views.dashboard(session, user=user)
    return render(request, "sponsors/home.html", {"board": board})


routes: list[BaseRoute] = [
    Route("/companies/{id:int}", company, name="company"),
    Route("/companies/{id:int}/logo", company_logo, name="company_logo"),
    Route("/companies/{id:int}/edit", edit_company, methods=["GET", "POST"], name="edit_company"),
    Route("/companies/{id:int}/logo/edit", edit_logo, methods=["POST"], name="edit_company_logo"),
    Route(
        "/companies/{id:int}/logo/remove", remove_logo, methods=["POST"], name="remove_company_logo"
    ),
    Route(
        "/challenges/{id:int}/sponsors/join",
        join_company,
        methods=["GET", "POST"],
        name="join_company",
    ),
    Route(
        "/challenges/{id:int}/sponsors/{sponsor_id:int}/track",
        sponsor_track,
        methods=["GET", "POST"],
        name="sponsor_track",
    ),
    Route(
        "/challenges/{id:int}/sponsors/{sponsor_id:int}/track/accept",
        accept_track,
        methods=["POST"],
        name="accept_sponsor_track",
    ),
    Route("/sponsor", sponsor_home, name="sponsor_home"),
]
