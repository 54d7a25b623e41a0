"""Exports of a challenge as spreadsheets, for its organisers: rows streamed from the
database into CSV (that Excel opens with Italian accents right) or XLSX, never the whole
table in memory."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Select, String, cast, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.certificates.models import Certificate
from app.challenges.models import Institution, Track
from app.db import Database
from app.errors import NotFound
from app.events.models import AuditEntry
from app.i18n import gettext as _
from app.judging.models import Assignment, Criterion, Round, Score
from app.sponsors.models import Adoption, AdoptionMilestone, MilestoneKind, Sponsor
from app.teams.models import Project, ProjectFile, Team, TeamMember

BATCH = 500  # rows fetched and written at a time
BOM = "\ufeff"  # so Excel reads UTF-8: "Città" stays "Città"


@dataclass(frozen=True)
class Export:
    """One kind of export: its file name, column headers and rows."""

    name: str
    title: Callable[[], str]
    headers: Callable[[], list[str]]
    rows: Callable[[int, str], Select[*tuple[Any, ...]]]  # (challenge id, site URL) -> the query
    personal: bool = False  # holds people's (often minors') personal data

    def row(self, values: Sequence[Any]) -> list[Any]:
        return [_cell(value) for value in values]


def _cell(value: Any) -> Any:
    """What a spreadsheet cell holds: text and numbers as they are, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # A spreadsheet would run a cell starting like a formula: text stays text.
        return "'" + value
    return value


def _link(site: str, *parts: Any) -> Any:
    """An absolute link to one of our pages, built by the database (|| on both backends)."""
    built: Any = literal(site, String)
    for part in parts:
        built = built.concat(part if isinstance(part, str) else cast(part, String))
    return built


def _teams(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    members = (
        sa_select(func.count())
        .where(col(TeamMember.team_id) == col(Team.id))
        .correlate(Team)
        .scalar_subquery()
    )
    return (
        sa_select(
            col(Team.id),
            col(Team.name),
            col(Track.name),
            col(Institution.name),
            col(Institution.city),
            col(Team.class_name),
            col(User.name),
            col(User.email),
            members,
            col(Project.title),
            col(Project.status),
            col(Team.created_at),
        )
        .join(User, col(User.id) == col(Team.coach_id))
        .outerjoin(Track, col(Track.id) == col(Team.track_id))
        .outerjoin(Institution, col(Institution.id) == col(Team.institution_id))
        .outerjoin(Project, col(Project.team_id) == col(Team.id))
        .where(col(Team.challenge_id) == challenge_id)
        .order_by(col(Team.name), col(Team.id))
    )


def _members(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(Team.name),
            col(TeamMember.last_name),
            col(TeamMember.first_name),
            col(TeamMember.is_minor),
            col(TeamMember.consent_at),
            col(TeamMember.user_id).is_not(None),
        )
        .join(Team, col(Team.id) == col(TeamMember.team_id))
        .where(col(Team.challenge_id) == challenge_id)
        .order_by(col(Team.name), col(TeamMember.last_name), col(TeamMember.id))
    )


def _projects(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    files = (
        sa_select(func.count())
        .where(col(ProjectFile.project_id) == col(Project.id))
        .correlate(Project)
        .scalar_subquery()
    )
    return (
        sa_select(
            col(Project.id),
            col(Project.title),
            col(Team.name),
            col(Track.name),
            col(Project.status),
            col(Project.version),
            col(Project.submitted_at),
            _link(site, "/projects/", col(Project.id)),
            files,
            col(Project.summary),
        )
        .join(Team, col(Team.id) == col(Project.team_id))
        .outerjoin(Track, col(Track.id) == col(Project.track_id))
        .where(col(Project.challenge_id) == challenge_id)
        .order_by(col(Project.title), col(Project.id))
    )


def _files(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(Project.title),
            col(ProjectFile.display_name),
            col(ProjectFile.content_type),
            col(ProjectFile.size),
            col(ProjectFile.sha256),
            _link(site, "/projects/", col(Project.id), "/files/", col(ProjectFile.id)),
            col(ProjectFile.uploaded_at),
        )
        .join(Project, col(Project.id) == col(ProjectFile.project_id))
        .where(col(Project.challenge_id) == challenge_id)
        .order_by(col(Project.title), col(ProjectFile.id))
    )


def _scores(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(Round.name),
            col(Project.title),
            col(Team.name),
            col(User.name),
            col(Criterion.name),
            col(Criterion.weight),
            col(Score.value),
            col(Assignment.submitted_at),
        )
        .join(Assignment, col(Assignment.id) == col(Score.assignment_id))
        .join(Round, col(Round.id) == col(Assignment.round_id))
        .join(Project, col(Project.id) == col(Assignment.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .join(User, col(User.id) == col(Assignment.judge_id))
        .join(Criterion, col(Criterion.id) == col(Score.criterion_id))
        .where(col(Round.challenge_id) == challenge_id)
        .order_by(col(Round.id), col(Project.title), col(User.name), col(Criterion.position))
    )


def _confirmed(value: Any, *where: Any) -> Any:
    """A sum over the adoption's confirmed milestones (0 when none), as a column."""
    return (
        sa_select(func.coalesce(func.sum(value), 0))
        .where(
            col(AdoptionMilestone.adoption_id) == col(Adoption.id),
            col(AdoptionMilestone.confirmed_at).is_not(None),
            *where,
        )
        .scalar_subquery()
    )


def _adoptions(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    last = (
        sa_select(func.max(col(AdoptionMilestone.happened_on)))
        .where(
            col(AdoptionMilestone.adoption_id) == col(Adoption.id),
            col(AdoptionMilestone.confirmed_at).is_not(None),
        )
        .scalar_subquery()
    )
    kind = col(AdoptionMilestone.kind)
    return (
        sa_select(
            col(Sponsor.name),
            col(Project.title),
            col(Team.name),
            col(Adoption.status),
            col(Adoption.mentoring_hours),
            _confirmed(col(AdoptionMilestone.hours), kind == MilestoneKind.MENTORING),
            col(Adoption.internships),
            _confirmed(literal(1), kind == MilestoneKind.INTERNSHIP_STARTED),
            col(Adoption.internship_from),
            col(Adoption.internship_until),
            col(Adoption.funding_eur),
            _confirmed(col(AdoptionMilestone.amount_eur), kind == MilestoneKind.FUNDING_PAID),
            col(Adoption.materials),
            col(Adoption.contact_person),
            col(Adoption.message),
            col(Adoption.version),
            col(Adoption.proposed_at),
            col(Adoption.decided_at),
            last,
            col(Adoption.closed_at),
            col(Adoption.reason),
        )
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(col(Adoption.challenge_id) == challenge_id)
        .order_by(col(Sponsor.name), col(Project.title))
    )


def _certificates(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(Certificate.code),
            col(Certificate.kind),
            col(Certificate.recipient_name),
            col(Certificate.subject),
            col(Certificate.version),
            col(Certificate.status),
            col(Certificate.issued_at),
            col(Certificate.revoked_at),
            col(Certificate.revoke_reason),
            _link(site, "/verify/", col(Certificate.code)),
        )
        .where(col(Certificate.challenge_id) == challenge_id)
        .order_by(col(Certificate.kind), col(Certificate.recipient_name), col(Certificate.id))
    )


def _audit(challenge_id: int, site: str) -> Select[*tuple[Any, ...]]:
    return (
        sa_select(
            col(AuditEntry.at),
            col(User.name),
            col(AuditEntry.action),
            col(AuditEntry.subject_type),
            col(AuditEntry.subject_id),
            col(AuditEntry.data),
        )
        .outerjoin(User, col(User.id) == col(AuditEntry.actor_id))
        .where(col(AuditEntry.challenge_id) == challenge_id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )


EXPORTS: dict[str, Export] = {
    export.name: export
    for export in (
        Export(
            "teams",
            lambda: _("Teams"),
            lambda: [
                _("Id"),
                _("Team"),
                _("Track"),
                _("School"),
                _("Town"),
                _("Class"),
                _("Coach"),
                _("Coach's e-mail"),
                _("Members"),
                _("Project"),
                _("Project status"),
                _("Registered at"),
            ],
            _teams,
        ),
        Export(
            "members",
            lambda: _("Members (personal data)"),
            lambda: [
                _("Team"),
                _("Last name"),
                _("First name"),
                _("Under 18"),
                _("Guardian's consent"),
                _("Has an account"),
            ],
            _members,
            personal=True,
        ),
        Export(
            "projects",
            lambda: _("Projects"),
            lambda: [
                _("Id"),
                _("Title"),
                _("Team"),
                _("Track"),
                _("Status"),
                _("Version"),
                _("Submitted at"),
                _("Link"),
                _("Files"),
                _("Summary"),
            ],
            _projects,
        ),
        Export(
            "files",
            lambda: _("Project files"),
            lambda: [
                _("Project"),
                _("File"),
                _("Type"),
                _("Bytes"),
                _("SHA-256"),
                _("Link"),
                _("Uploaded at"),
            ],
            _files,
        ),
        Export(
            "scores",
            lambda: _("Scores, per judge and criterion"),
            lambda: [
                _("Round"),
                _("Project"),
                _("Team"),
                _("Judge"),
                _("Criterion"),
                _("Weight"),
                _("Score"),
                _("Sheet submitted at"),
            ],
            _scores,
        ),
        Export(
            "adoptions",
            lambda: _("Adoptions and commitments"),
            lambda: [
                _("Sponsor"),
                _("Project"),
                _("Team"),
                _("Status"),
                _("Mentoring hours"),
                _("Mentoring hours done"),
                _("Internship places"),
                _("Internships started"),
                _("Internships from"),
                _("Internships until"),
                _("Funding (EUR)"),
                _("Funding paid (EUR)"),
                _("Materials or lab access"),
                _("Contact person at the company"),
                _("Message"),
                _("Version of the offer"),
                _("Offered at"),
                _("Answered at"),
                _("Last confirmed milestone"),
                _("Closed at"),
                _("Reason"),
            ],
            _adoptions,
        ),
        Export(
            "certificates",
            lambda: _("Certificates"),
            lambda: [
                _("Code"),
                _("Kind"),
                _("Recipient"),
                _("Subject"),
                _("Version"),
                _("Status"),
                _("Issued at"),
                _("Revoked at"),
                _("Reason"),
                _("Verification"),
            ],
            _certificates,
        ),
        Export(
            "audit",
            lambda: _("Audit log"),
            lambda: [
                _("When"),
                _("Who"),
                _("What"),
                _("About"),
                _("Id"),
                _("Details"),
            ],
            _audit,
        ),
    )
}
FORMATS = ("csv", "xlsx")
SEPARATORS = {",": ",", ";": ";"}


def parse_name(name: str) -> tuple[Export, str]:
    """ "teams.csv" -> the export and its format; anything else is 'not found'."""
    kind, dot, fmt = name.rpartition(".")
    if not dot or kind not in EXPORTS or fmt not in FORMATS:
        raise NotFound()
    return EXPORTS[kind], fmt


async def _rows(
    db: Database, export: Export, challenge_id: int, site: str
) -> AsyncIterator[list[list[Any]]]:
    """Batches of rows, read with a server-side cursor where the database has one."""
    async with db.read() as session:
        result = await session.stream(
            export.rows(challenge_id, site).execution_options(yield_per=BATCH)
        )
        async for partition in result.partitions(BATCH):
            yield [export.row(row) for row in partition]


async def csv_chunks(
    db: Database, export: Export, challenge_id: int, site: str, *, separator: str = ","
) -> AsyncIterator[bytes]:
    """The export as CSV: UTF-8 with a BOM, one chunk per batch of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(export.headers())
    async for batch in _rows(db, export, challenge_id, site):
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


async def xlsx_file(db: Database, export: Export, challenge_id: int, site: str) -> str:
    """The export as an XLSX file on disk (write-only mode keeps rows out of memory); the
    caller streams it and removes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=export.title()[:31])
    sheet.append(export.headers())
    async for batch in _rows(db, export, challenge_id, site):
        await asyncio.to_thread(_append, sheet, batch)
    handle, path = tempfile.mkstemp(prefix="madrina-export-", suffix=".xlsx")
    os.close(handle)
    await asyncio.to_thread(workbook.save, path)
    return path


def _append(sheet: Any, batch: list[list[Any]]) -> None:
    for row in batch:
        sheet.append(row)


async def count_rows(session: AsyncSession, export: Export, challenge_id: int) -> int:
    query = export.rows(challenge_id, "").order_by(None).subquery()
    return int((await session.execute(sa_select(func.count()).select_from(query))).scalar_one())
