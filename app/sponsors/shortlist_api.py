"""JSON API: a company's shortlist and private notes (its representatives only), and the
team as the company that adopted its project sees it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from app.accounts.auth import require_user
from app.api import ApiRouter
from app.sponsors import shortlist, team_contact
from app.sponsors.discovery_schemas import (
    ContactRead,
    MemberNameRead,
    MemberNamesRead,
    MemberNamesUpdate,
    NoteCreate,
    NoteRead,
    SharedMember,
    ShortlistedRead,
    TeamForSponsorRead,
)
from app.sponsors.models import NameShown
from app.sponsors.shortlist import NoteRow, ShortlistRow
from app.teams.models import TeamMember
from app.web import path_id, services

router = ApiRouter("sponsors")


async def representative_of_path_sponsor(request: Request, session: AsyncSession) -> None:
    await shortlist.company(session, user=require_user(request), sponsor_id=path_id(request))


def note_read(row: NoteRow) -> NoteRead:
    note = row.note
    assert note.id is not None
    return NoteRead(
        id=note.id,
        project_id=note.project_id,
        text=note.text,
        written_by=note.written_by,
        author_name=row.author_name,
        written_at=note.written_at,
    )


def shortlisted_read(row: ShortlistRow) -> ShortlistedRead:
    assert row.project.id is not None
    return ShortlistedRead(
        project_id=row.project.id,
        title=row.project.title,
        team_name=row.team_name,
        track_name=row.track_name,
        added_by=row.entry.added_by,
        added_by_name=row.added_by_name,
        added_at=row.entry.added_at,
        notes=[note_read(n) for n in row.notes],
    )


@router.route(
    "GET",
    "/sponsors/{id:int}/shortlist",
    summary="A company's shortlist with its private notes, newest first (its representatives)",
    response=ShortlistedRead,
    many=True,
    errors=(404,),
)
async def get_shortlist(request: Request) -> list[ShortlistedRead]:
    async with services(request).db.read() as session:
        page = await shortlist.shortlist_page(
            session, user=require_user(request), sponsor_id=path_id(request)
        )
    return [shortlisted_read(row) for row in page.rows]


@router.route(
    "PUT",
    "/sponsors/{id:int}/shortlist/{project_id:int}",
    summary="Put a submitted project on the company's shortlist, during the adoption window; "
    "again is harmless (its representatives)",
    status=204,
    errors=(404, 409),
    guard=representative_of_path_sponsor,
)
async def shortlist_project(request: Request) -> None:
    async with services(request).db.transaction() as session:
        await shortlist.shortlist_project(
            session,
            user=require_user(request),
            sponsor_id=path_id(request),
            project_id=path_id(request, "project_id"),
        )


@router.route(
    "DELETE",
    "/sponsors/{id:int}/shortlist/{project_id:int}",
    summary="Take a project off the shortlist; its notes stay (its representatives)",
    status=204,
    errors=(404,),
    guard=representative_of_path_sponsor,
)
async def unshortlist_project(request: Request) -> None:
    async with services(request).db.transaction() as session:
        await shortlist.unshortlist_project(
            session,
            user=require_user(request),
            sponsor_id=path_id(request),
            project_id=path_id(request, "project_id"),
        )


@router.route(
    "GET",
    "/sponsors/{id:int}/projects/{project_id:int}/notes",
    summary="The company's private notes on a project, oldest first (its representatives)",
    response=NoteRead,
    many=True,
    errors=(404,),
)
async def project_notes(request: Request) -> list[NoteRead]:
    async with services(request).db.read() as session:
        rows = await shortlist.project_notes(
            session,
            user=require_user(request),
            sponsor_id=path_id(request),
            project_id=path_id(request, "project_id"),
        )
    return [note_read(row) for row in rows]


@router.route(
    "POST",
    "/sponsors/{id:int}/projects/{project_id:int}/notes",
    summary="Write a private note on a project (its representatives)",
    body=NoteCreate,
    response=NoteRead,
    status=201,
    errors=(404,),
    guard=representative_of_path_sponsor,
)
async def add_note(request: Request, body: NoteCreate) -> NoteRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        note = await shortlist.add_note(
            session,
            user=user,
            sponsor_id=path_id(request),
            project_id=path_id(request, "project_id"),
            data=body,
        )
    return note_read(NoteRow(note, user.name))


@router.route(
    "DELETE",
    "/sponsors/{id:int}/notes/{note_id:int}",
    summary="Delete a note (the representative who wrote it)",
    status=204,
    errors=(403, 404),
    guard=representative_of_path_sponsor,
)
async def delete_note(request: Request) -> None:
    async with services(request).db.transaction() as session:
        await shortlist.delete_note(
            session,
            user=require_user(request),
            sponsor_id=path_id(request),
            note_id=path_id(request, "note_id"),
        )


@router.route(
    "GET",
    "/adoptions/{id:int}/team",
    summary="The team as the adopting company sees it once the adoption is accepted: the "
    "coach as the contact, members' names only as consented (the company, the team, organisers)",
    response=TeamForSponsorRead,
    errors=(404, 409),
)
async def adoption_team(request: Request) -> TeamForSponsorRead:
    async with services(request).db.read() as session:
        found = await team_contact.team_for_sponsor(
            session, user=require_user(request), adoption_id=path_id(request)
        )
    return TeamForSponsorRead(
        team_name=found.team.name,
        coach=ContactRead(name=found.coach_name, email=found.coach_email),
        members=[
            SharedMember(first_name=m.first_name, last_name=m.last_name) for m in found.members
        ],
        not_shown=found.not_shown,
    )


async def coach_of_path_team(request: Request, session: AsyncSession) -> None:
    await team_contact.consent_page(session, user=require_user(request), team_id=path_id(request))


def _member_names(team_id: int, rows: list[tuple[TeamMember, NameShown | None]]) -> MemberNamesRead:
    return MemberNamesRead(
        team_id=team_id,
        members=[
            MemberNameRead(
                member_id=member.id or 0,
                first_name=member.first_name,
                last_name=member.last_name,
                shows=consent or NameShown.NOTHING,
            )
            for member, consent in rows
        ],
    )


@router.route(
    "GET",
    "/teams/{id:int}/member-names",
    summary="What a company that adopts the team's project may see of each member's name "
    "(the team's coach)",
    response=MemberNamesRead,
    errors=(403, 404),
    guard=coach_of_path_team,
)
async def member_names(request: Request) -> MemberNamesRead:
    async with services(request).db.read() as session:
        page = await team_contact.consent_page(
            session, user=require_user(request), team_id=path_id(request)
        )
    return _member_names(path_id(request), page.rows)


@router.route(
    "PUT",
    "/teams/{id:int}/member-names",
    summary="Record what each member's name may show to an adopting company once an adoption "
    "is accepted: nothing, the first name or the full name (the team's coach)",
    body=MemberNamesUpdate,
    response=MemberNamesRead,
    errors=(403, 404, 422),
    guard=coach_of_path_team,
)
async def set_member_names(request: Request, body: MemberNamesUpdate) -> MemberNamesRead:
    user = require_user(request)
    async with services(request).db.transaction() as session:
        await team_contact.set_member_names(
            session, user=user, team_id=path_id(request), rows=body.members
        )
        rows = await team_contact.member_consents(session, path_id(request))
    return _member_names(path_id(request), rows)
