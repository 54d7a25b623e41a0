"""Pages: a company's shortlist with its private notes, and the coach's record of what an
adopting company may see of each member."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from app.accounts.auth import require_user
from app.forms import Filled, schema, submit
from app.sponsors import shortlist, team_contact
from app.sponsors.discovery_schemas import NoteCreate, ShortlistAdd
from app.templating import render
from app.web import path_for, path_id, safe_path, services


async def _shortlist_page(
    request: Request, filled: Filled, *, note_for: int | None = None
) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await shortlist.shortlist_page(session, user=user, sponsor_id=path_id(request))
    context = {"page": page, "note_for": note_for}
    return render(request, "sponsors/shortlist.html", context, filled=filled)


async def shortlist_page(request: Request) -> Response:
    return await _shortlist_page(request, Filled())


async def _company_guard(request: Request, session: AsyncSession) -> None:
    await shortlist.company(session, user=require_user(request), sponsor_id=path_id(request))


async def add(request: Request) -> Response:
    """Shortlist a project (from the projects page), then back where the button was."""
    user = require_user(request)
    sponsor_id = path_id(request)

    async def act(session: AsyncSession, data: tuple[ShortlistAdd, str | None]) -> str | None:
        await shortlist.shortlist_project(
            session, user=user, sponsor_id=sponsor_id, project_id=data[0].project_id
        )
        return data[1]

    return await submit(
        request,
        guard=lambda session: _company_guard(request, session),
        parse=lambda values: (schema(ShortlistAdd)(values), values.get("next")),
        act=act,
        done=lambda back: safe_path(back, path_for(request, "shortlist", id=sponsor_id)),
    )


async def remove(request: Request) -> Response:
    user = require_user(request)
    sponsor_id = path_id(request)
    project_id = path_id(request, "project_id")

    async def act(session: AsyncSession, back: str | None) -> str | None:
        await shortlist.unshortlist_project(
            session, user=user, sponsor_id=sponsor_id, project_id=project_id
        )
        return back

    return await submit(
        request,
        guard=lambda session: _company_guard(request, session),
        parse=lambda values: values.get("next"),
        act=act,
        done=lambda back: safe_path(back, path_for(request, "shortlist", id=sponsor_id)),
    )


async def add_note(request: Request) -> Response:
    user = require_user(request)
    sponsor_id = path_id(request)
    project_id = path_id(request, "project_id")
    return await submit(
        request,
        guard=lambda session: _company_guard(request, session),
        parse=schema(NoteCreate),
        act=lambda session, data: shortlist.add_note(
            session, user=user, sponsor_id=sponsor_id, project_id=project_id, data=data
        ),
        done=lambda note: path_for(request, "shortlist", id=sponsor_id) + f"#p{note.project_id}",
        again=lambda filled: _shortlist_page(request, filled, note_for=project_id),
    )


async def delete_note(request: Request) -> Response:
    user = require_user(request)
    sponsor_id = path_id(request)
    note_id = path_id(request, "note_id")

    async def act(session: AsyncSession, _data: None) -> None:
        await shortlist.delete_note(session, user=user, sponsor_id=sponsor_id, note_id=note_id)

    return await submit(
        request,
        guard=lambda session: _company_guard(request, session),
        parse=lambda _values: None,
        act=act,
        done=lambda _none: path_for(request, "shortlist", id=sponsor_id),
    )


async def _consent_page(request: Request, filled: Filled) -> Response:
    user = require_user(request)
    async with services(request).db.read() as session:
        page = await team_contact.consent_page(session, user=user, team_id=path_id(request))
    if not filled.values:
        values = {f"shows-{m.id}": (shows or "nothing") for m, shows in page.rows}
        filled = Filled(values)
    return render(request, "sponsors/member_names.html", {"page": page}, filled=filled)


async def member_names(request: Request) -> Response:
    user = require_user(request)
    team_id = path_id(request)
    if request.method == "GET":
        return await _consent_page(request, Filled())
    return await submit(
        request,
        guard=lambda session: team_contact.consent_page(session, user=user, team_id=team_id),
        parse=team_contact.parse_consent_form,
        act=lambda session, rows: team_contact.set_member_names(
            session, user=user, team_id=team_id, rows=rows
        ),
        done=lambda _team: path_for(request, "team_adoptions", id=team_id),
        again=lambda filled: _consent_page(request, filled),
    )


routes: list[BaseRoute] = [
    Route("/sponsors/{id:int}/shortlist", shortlist_page, name="shortlist"),
    Route("/sponsors/{id:int}/shortlist/add", add, methods=["POST"], name="shortlist_add"),
    Route(
        "/sponsors/{id:int}/shortlist/{project_id:int}/remove",
        remove,
        methods=["POST"],
        name="shortlist_remove",
    ),
    Route(
        "/sponsors/{id:int}/projects/{project_id:int}/notes",
        add_note,
        methods=["POST"],
        name="add_sponsor_note",
    ),
    Route(
        "/sponsors/{id:int}/notes/{note_id:int}/delete",
        delete_note,
        methods=["POST"],
        name="delete_sponsor_note",
    ),
    Route(
        "/teams/{id:int}/member-names",
        member_names,
        methods=["GET", "POST"],
        name="member_names",
    ),
]
