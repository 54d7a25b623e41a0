"""A company's shortlist of projects and its private notes on them, shared by its
representatives and seen by no one else (not the organisers either: 'not found').

Every read and write starts from `company`, which checks the person's CURRENT standing in the
transaction: a representative whose sponsor role or link to the company was taken away a
moment ago is an outsider now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge, Track
from app.challenges.permissions import ChallengeAccess
from app.db import insert_or_get, utcnow
from app.errors import NotFound
from app.events.service import log_action
from app.i18n import gettext as _
from app.permissions import require
from app.sponsors import adoptions, events, permissions
from app.sponsors.discovery_schemas import NoteCreate
from app.sponsors.models import ShortlistEntry, Sponsor, SponsorNote
from app.teams.models import Project, ProjectStatus, Team


@dataclass(frozen=True)
class Company:
    """A sponsor the person represents now, with the challenge it takes part in."""

    sponsor: Sponsor
    access: ChallengeAccess

    @property
    def id(self) -> int:
        assert self.sponsor.id is not None
        return self.sponsor.id

    @property
    def challenge(self) -> Challenge:
        return self.access.challenge


async def company(
    session: AsyncSession, *, user: User | None, sponsor_id: int, lock: bool = False
) -> Company:
    """The sponsor, if the person represents it now; to anyone else (organisers, another
    company's representatives) it is 'not found'. `lock` holds the sponsor's row, so that
    writes to its shortlist run one after another."""
    sponsor = await session.get(
        Sponsor, sponsor_id, with_for_update=lock or None, populate_existing=lock
    )
    if sponsor is None:
        raise NotFound()
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=sponsor.challenge_id
    )
    require(await permissions.represents(session, access, sponsor), visible=False)
    return Company(sponsor, access)


async def _project_of(session: AsyncSession, found: Company, project_id: int) -> Project:
    """A submitted project of the company's challenge; any other is 'not found'."""
    project = await session.get(Project, project_id)
    if (
        project is None
        or project.challenge_id != found.sponsor.challenge_id
        or project.status != ProjectStatus.SUBMITTED
    ):
        raise NotFound()
    return project


async def shortlist_project(
    session: AsyncSession, *, user: User, sponsor_id: int, project_id: int
) -> ShortlistEntry:
    """Put a project on the company's shortlist, during the adoption window; twice, or by
    two representatives at once, leaves one entry."""
    found = await company(session, user=user, sponsor_id=sponsor_id, lock=True)
    project = await _project_of(session, found, project_id)
    await adoptions.ensure_window(session, found.sponsor.challenge_id)
    assert user.id is not None and project.id is not None
    pid = project.id

    async def existing() -> ShortlistEntry | None:
        return await _entry(session, found.id, pid)

    entry, created = await insert_or_get(
        session,
        ShortlistEntry(sponsor_id=found.id, project_id=pid, added_by=user.id),
        find=existing,
    )
    if created:
        log_action(session, action=events.SHORTLIST_ADDED, **_about(user, found, pid))
    return entry


async def unshortlist_project(
    session: AsyncSession, *, user: User, sponsor_id: int, project_id: int
) -> None:
    """Take a project off the shortlist (its notes stay); twice is harmless."""
    found = await company(session, user=user, sponsor_id=sponsor_id, lock=True)
    entry = await _entry(session, found.id, project_id)
    if entry is None:
        return
    await session.delete(entry)
    log_action(session, action=events.SHORTLIST_REMOVED, **_about(user, found, project_id))


async def add_note(
    session: AsyncSession, *, user: User, sponsor_id: int, project_id: int, data: NoteCreate
) -> SponsorNote:
    """A representative writes a note on a project, for the company's eyes only."""
    found = await company(session, user=user, sponsor_id=sponsor_id)
    project = await _project_of(session, found, project_id)
    assert user.id is not None and project.id is not None
    note = SponsorNote(
        sponsor_id=found.id, project_id=project.id, text=data.text, written_by=user.id
    )
    session.add(note)
    await session.flush()
    assert note.id is not None
    about = _about(user, found, project.id, note_id=note.id)
    log_action(session, action=events.NOTE_ADDED, **about)
    return note


async def delete_note(session: AsyncSession, *, user: User, sponsor_id: int, note_id: int) -> None:
    """The note's author takes it back; the other representatives may read it, not delete."""
    found = await company(session, user=user, sponsor_id=sponsor_id)
    note = await session.get(SponsorNote, note_id, with_for_update=True)
    if note is None or note.sponsor_id != found.id:
        raise NotFound()
    require(
        note.written_by == user.id,
        visible=True,
        message=_("Only the person who wrote a note may delete it."),
    )
    await session.delete(note)
    about = _about(user, found, note.project_id, note_id=note_id)
    log_action(session, action=events.NOTE_DELETED, **about)


def _about(user: User, found: Company, project_id: int, **data: int) -> dict[str, Any]:
    """The audit entry's actor, subject and data, without a challenge: the challenge's audit
    log is for its organisers to read, and the shortlist is private to the company."""
    return {
        "actor_id": user.id,
        "subject_type": "sponsor",
        "subject_id": found.id,
        "data": {"project_id": project_id, **data},
    }


async def _entry(session: AsyncSession, sponsor_id: int, project_id: int) -> ShortlistEntry | None:
    result = await session.execute(
        select(ShortlistEntry).where(
            col(ShortlistEntry.sponsor_id) == sponsor_id,
            col(ShortlistEntry.project_id) == project_id,
        )
    )
    return result.scalar_one_or_none()


@dataclass(frozen=True)
class NoteRow:
    note: SponsorNote
    author_name: str


@dataclass(frozen=True)
class ShortlistRow:
    entry: ShortlistEntry
    project: Project
    team_name: str
    track_name: str | None
    added_by_name: str
    notes: list[NoteRow]


@dataclass(frozen=True)
class ShortlistPage:
    company: Company
    rows: list[ShortlistRow]
    offers_open: bool


async def shortlist_page(session: AsyncSession, *, user: User, sponsor_id: int) -> ShortlistPage:
    """The company's shortlist with every note on its projects, in three statements."""
    found = await company(session, user=user, sponsor_id=sponsor_id)
    result = await session.execute(
        sa_select(ShortlistEntry, Project, col(Team.name), col(Track.name), col(User.name))
        .join(Project, col(Project.id) == col(ShortlistEntry.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .outerjoin(Track, col(Track.id) == col(Project.track_id))
        .join(User, col(User.id) == col(ShortlistEntry.added_by))
        .where(col(ShortlistEntry.sponsor_id) == found.id)
        .order_by(col(ShortlistEntry.added_at).desc(), col(ShortlistEntry.id).desc())
    )
    entries = list(result.all())
    notes = await notes_of(session, found.id, [project.id for _e, project, *_ in entries])
    rows = [
        ShortlistRow(entry, project, team, track, added_by, notes.get(project.id or 0, []))
        for entry, project, team, track, added_by in entries
    ]
    starts, ends = await adoptions.adoption_window(session, found.sponsor.challenge_id)
    return ShortlistPage(found, rows, offers_open=_within(starts, ends))


def _within(starts: datetime | None, ends: datetime | None) -> bool:
    now = utcnow()
    return (starts is None or starts <= now) and (ends is None or now < ends)


async def notes_of(
    session: AsyncSession, sponsor_id: int, project_ids: list[int | None]
) -> dict[int, list[NoteRow]]:
    """The company's notes on these projects with their authors, oldest first, one query."""
    ids = [i for i in project_ids if i is not None]
    grouped: dict[int, list[NoteRow]] = {i: [] for i in ids}
    if not ids:
        return grouped
    result = await session.execute(
        select(SponsorNote, User.name)
        .join(User, col(User.id) == col(SponsorNote.written_by))
        .where(col(SponsorNote.sponsor_id) == sponsor_id, col(SponsorNote.project_id).in_(ids))
        .order_by(col(SponsorNote.written_at), col(SponsorNote.id))
    )
    for note, author in result.all():
        grouped[note.project_id].append(NoteRow(note, author))
    return grouped


async def project_notes(
    session: AsyncSession, *, user: User, sponsor_id: int, project_id: int
) -> list[NoteRow]:
    """The company's notes on one project of its challenge."""
    found = await company(session, user=user, sponsor_id=sponsor_id)
    project = await _project_of(session, found, project_id)
    assert project.id is not None
    return (await notes_of(session, found.id, [project.id]))[project.id]
