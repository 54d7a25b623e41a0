"""Pages: a challenge's sponsors, the sponsor dashboard, offers, and the teams' answers."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import current_user, require_user
from app.errors import Conflict, ValidationFailed
from app.forms import form_values, read_form, validate
from app.ids import parse_id
from app.sponsors import adoptions, overviews, service
from app.sponsors.schemas import AdoptionCreate, RepresentativeForm, SponsorCreate
from app.templating import render


def _back(form: FormData, default: str) -> str:
    """Where to go after an action: a same-site path from the form, else the default."""
    target = form.get("next")
    # "//host" and "/\\host" both leave the site in browsers; so would control characters.
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return default


async def _sponsors_page(
    request: Request, *, status_code: int = 200, extra: dict[str, Any] | None = None
) -> Response:
    async with request.app.state.db.read() as session:
        page = await service.list_sponsors(
            session, user=current_user(request), challenge_id=request.path_params["id"]
        )
    return render(
        request, "sponsors/list.html", {"page": page, **(extra or {})}, status_code=status_code
    )


async def sponsors_list(request: Request) -> Response:
    if request.method == "GET":
        return await _sponsors_page(request)
    user = require_user(request)
    challenge_id = request.path_params["id"]
    # The permission before the form: someone who may not add a sponsor learns nothing from it.
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    values = form_values(await read_form(request))
    try:
        data = validate(SponsorCreate, values)
        async with request.app.state.db.transaction() as session:
            await service.add_sponsor(session, user=user, challenge_id=challenge_id, data=data)
    except ValidationFailed as exc:
        return await _sponsors_page(
            request, status_code=422, extra={"form": values, "errors": exc.errors}
        )
    except service.SponsorNameTaken as exc:
        extra = {"form": values, "errors": {"name": exc.message}}
        return await _sponsors_page(request, status_code=exc.status_code, extra=extra)
    return RedirectResponse(f"/challenges/{challenge_id}/sponsors", status_code=303)


async def representative_add(request: Request) -> Response:
    user = require_user(request)
    challenge_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await service.organiser_of(session, user=user, challenge_id=challenge_id)
    values = form_values(await read_form(request))
    try:
        data = validate(RepresentativeForm, values)
        async with request.app.state.db.transaction() as session:
            await service.add_representative(
                session,
                user=user,
                challenge_id=challenge_id,
                sponsor_id=data.sponsor_id,
                email=str(data.email),
            )
    except ValidationFailed as exc:
        extra = {"rep_form": values, "rep_errors": exc.errors}
        return await _sponsors_page(request, status_code=422, extra=extra)
    return RedirectResponse(f"/challenges/{challenge_id}/sponsors", status_code=303)


async def dashboard(request: Request) -> Response:
    user = require_user(request)
    track_id = parse_id(request.query_params.get("track"))
    async with request.app.state.db.read() as session:
        page = await overviews.dashboard(
            session, user=user, challenge_id=request.path_params["id"], track_id=track_id
        )
    return render(request, "sponsors/dashboard.html", {"page": page})


async def _proposal_page(
    request: Request, *, status_code: int = 200, extra: dict[str, Any] | None = None
) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        page = await overviews.proposal(session, user=user, project_id=request.path_params["id"])
    context = {"page": page, **(extra or {})}
    return render(request, "sponsors/propose.html", context, status_code=status_code)


async def propose(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return await _proposal_page(request)
    project_id = request.path_params["id"]
    async with request.app.state.db.read() as session:
        await adoptions.project_to_adopt(session, user=user, project_id=project_id)
    values = form_values(await read_form(request))
    try:
        data = validate(AdoptionCreate, values)
        async with request.app.state.db.transaction() as session:
            adoption = await adoptions.propose_adoption(
                session, user=user, project_id=project_id, data=data
            )
    except ValidationFailed as exc:
        return await _proposal_page(
            request, status_code=422, extra={"form": values, "errors": exc.errors}
        )
    except Conflict as exc:
        extra = {"form": values, "errors": {"__all__": exc.message}}
        return await _proposal_page(request, status_code=exc.status_code, extra=extra)
    return RedirectResponse(f"/challenges/{adoption.challenge_id}/sponsor", status_code=303)


async def _decide(request: Request, action: str) -> Response:
    user = require_user(request)
    form = await read_form(request)
    act = {
        "accept": adoptions.accept_adoption,
        "decline": adoptions.decline_adoption,
        "withdraw": adoptions.withdraw_adoption,
    }[action]
    async with request.app.state.db.transaction() as session:
        adoption = await act(session, user=user, adoption_id=request.path_params["id"])
    default = f"/challenges/{adoption.challenge_id}/sponsor"
    return RedirectResponse(_back(form, default), status_code=303)


async def accept(request: Request) -> Response:
    return await _decide(request, "accept")


async def decline(request: Request) -> Response:
    return await _decide(request, "decline")


async def withdraw(request: Request) -> Response:
    return await _decide(request, "withdraw")


async def team_adoptions(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        page = await overviews.team_adoptions(session, user=user, team_id=request.path_params["id"])
    return render(request, "sponsors/team_adoptions.html", {"page": page})


async def adoptions_report(request: Request) -> Response:
    user = require_user(request)
    async with request.app.state.db.read() as session:
        page = await overviews.adoptions_report(
            session, user=user, challenge_id=request.path_params["id"]
        )
    return render(request, "sponsors/report.html", {"page": page})


routes: list[BaseRoute] = [
    Route("/challenges/{id:int}/sponsors", sponsors_list, methods=["GET", "POST"], name="sponsors"),
    Route("/challenges/{id:int}/sponsors/representatives", representative_add, methods=["POST"]),
    Route("/challenges/{id:int}/sponsor", dashboard, name="sponsor_dashboard"),
    Route("/challenges/{id:int}/adoptions", adoptions_report, name="adoptions_report"),
    Route("/projects/{id:int}/adopt", propose, methods=["GET", "POST"], name="propose_adoption"),
    Route("/adoptions/{id:int}/accept", accept, methods=["POST"]),
    Route("/adoptions/{id:int}/decline", decline, methods=["POST"]),
    Route("/adoptions/{id:int}/withdraw", withdraw, methods=["POST"]),
    Route("/teams/{id:int}/adoptions", team_adoptions, name="team_adoptions"),
]
