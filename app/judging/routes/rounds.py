"""Pages: a round's settings (organisers) and the judges' comments for a team."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.challenges import phases as challenge_phases
from app.fields import LOCAL_FORMAT
from app.forms import Filled, submit
from app.judging import feedback, rounds
from app.judging.models import RoundStatus
from app.judging.schemas import TRACK_RUBRIC_PREFIX, round_settings_from_form
from app.templating import render
from app.web import path_for, path_id, services


def _form_values(page: rounds.SettingsPage) -> dict[str, str]:
    """The stored settings as the form shows them (dates in the challenge's time zone)."""
    form: dict[str, str] = {}
    for name, value in rounds.current(page.round, page.track_rubrics).items():
        if name == "track_rubrics":
            for track_id, rubric_id in value.items():
                form[f"{TRACK_RUBRIC_PREFIX}{track_id}"] = str(rubric_id)
        elif name in ("opens_at", "closes_at"):
            local = value and challenge_phases.to_local(value, page.challenge_timezone)
            form[name] = local.strftime(LOCAL_FORMAT) if local else ""
        elif isinstance(value, bool):
            form[name] = "on" if value else ""
        else:
            form[name] = "" if value is None else str(value)
    return form


async def _page(request: Request) -> rounds.SettingsPage:
    async with services(request).db.read() as session:
        return await rounds.settings_page(
            session, user=require_user(request), round_id=path_id(request)
        )


async def _settings_page(request: Request, filled: Filled) -> Response:
    page = await _page(request)
    context: dict[str, Any] = {
        "page": page,
        "form": _form_values(page),
        "track_options": [(t.id, t.name) for t in page.tracks],
        "rubric_options": [(r.id, r.name) for r in page.rubrics],
        "round_options": [(r.id, r.name) for r in page.closed_rounds],
    }
    return render(request, "judging/round_settings.html", context, filled=filled)


async def round_settings(request: Request) -> Response:
    if request.method == "GET":
        return await _settings_page(request, Filled())
    user = require_user(request)
    round_id = path_id(request)
    page = await _page(request)
    # Once open, the form sends only the dates (the rest is shown but disabled): the rest
    # goes along as stored.
    stored = _form_values(page) if page.round.status != RoundStatus.DRAFT else {}
    return await submit(
        request,
        guard=lambda session: rounds.read_round(session, user=user, round_id=round_id),
        parse=lambda values: round_settings_from_form({**stored, **values}),
        act=lambda session, data: rounds.update_settings(
            session, user=user, round_id=round_id, data=data
        ),
        done=lambda changed: path_for(request, "judging_admin", id=changed.challenge_id),
        again=lambda filled: _settings_page(request, filled),
    )


async def project_feedback(request: Request) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        found = await feedback.project_feedback(session, user=user, project_id=path_id(request))
    return render(request, "judging/feedback.html", {"feedback": found})


routes: list[BaseRoute] = [
    Route(
        "/rounds/{id:int}/settings", round_settings, methods=["GET", "POST"], name="round_settings"
    ),
    Route("/projects/{id:int}/feedback", project_feedback, name="project_feedback"),
]
