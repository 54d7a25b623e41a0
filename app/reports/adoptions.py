"""Every adoption of a programme (all its stages and their other editions), with the
progress of each commitment, for the organisers: a table, a chart and CSV/XLSX files.

The page reads a fixed number of statements whatever the number of adoptions and
milestones: the challenges of the chain, the organiser's roles among them, one statement
for the totals per company (the chart, the totals and the number of adoptions), then one
for the page's adoptions (PAGE_SIZE of them) with their progress summed by the database.
The files hold every adoption, written out as they are read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge, Programme
from app.db import utcnow
from app.i18n import gettext as _
from app.permissions import require
from app.reports.exports import BOM, _cell
from app.sponsors import queries as sponsors_queries
from app.sponsors.models import (
    OVERDUE_WEEKS,
    Adoption,
    AdoptionMilestone,
    AdoptionRules,
    AdoptionStatus,
    MilestoneKind,
    Sponsor,
)
from app.sponsors.schemas import Progress
from app.teams.models import Project, Team

# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeAdoption:
    """One adoption of the programme, with what was done against what was promised."""

    challenge: Challenge
    adoption: Adoption
    sponsor_name: str
    project_title: str
    team_name: str
    progress: Progress
    overdue: bool


@dataclass(frozen=True)
class CompanyBar:
    """One company's share of its promises kept, across the programme's adoptions."""

    name: str
    y: float
    measures: list[tuple[str, int, int, float]]  # (label, done, promised, bar width)


PAGE_SIZE = 100  # adoptions a page of the report shows


@dataclass(frozen=True)
class ProgrammeAdoptions:
    programme: Programme
    challenges: list[Challenge]  # the chain's challenges the person organises, in order
    rows: list[ProgrammeAdoption]  # the page's (every adoption, for the files)
    totals: Progress
    chart: list[CompanyBar]
    count: int = 0  # adoptions in all
    page: int = 1
    pages: int = 1

    @property
    def chart_height(self) -> float:
        return len(self.chart) * CHART_ROW + 8


async def chain_challenges(session: AsyncSession, programme_id: int) -> list[Challenge]:
    """The programme's stages and every other edition of them (the challenges each was
    cloned from, and those cloned from it), in one recursive statement."""
    stages: Any = sa_select(col(Challenge.id), col(Challenge.previous_edition_id)).where(
        col(Challenge.programme_id) == programme_id
    )
    chain = stages.cte("chain", recursive=True)
    linked = sa_select(col(Challenge.id), col(Challenge.previous_edition_id)).join(
        chain,
        or_(
            col(Challenge.previous_edition_id) == chain.c.id,
            col(Challenge.id) == chain.c.previous_edition_id,
        ),
    )
    chain = chain.union(linked)
    result = await session.execute(
        sa_select(Challenge)
        .where(col(Challenge.id).in_(sa_select(chain.c.id)))
        .order_by(col(Challenge.created_at), col(Challenge.id))
    )
    return list(result.scalars())


def _confirmed_sum(value: Any, kind: MilestoneKind) -> Any:
    confirmed = col(AdoptionMilestone.confirmed_at).is_not(None)
    return func.coalesce(func.sum(value).filter(confirmed, col(AdoptionMilestone.kind) == kind), 0)


def _milestone_totals() -> Any:
    """Per adoption: the sums of its confirmed milestones, the waiting ones, the last date."""
    confirmed = col(AdoptionMilestone.confirmed_at).is_not(None)
    return (
        sa_select(
            col(AdoptionMilestone.adoption_id).label("adoption_id"),
            _confirmed_sum(col(AdoptionMilestone.hours), MilestoneKind.MENTORING).label("hours"),
            _confirmed_sum(literal(1), MilestoneKind.INTERNSHIP_STARTED).label("internships"),
            _confirmed_sum(col(AdoptionMilestone.amount_eur), MilestoneKind.FUNDING_PAID).label(
                "paid"
            ),
            func.count().filter(confirmed).label("confirmed"),
            func.count().filter(~confirmed).label("waiting"),
            func.max(col(AdoptionMilestone.happened_on)).filter(confirmed).label("last_on"),
        )
        .group_by(col(AdoptionMilestone.adoption_id))
        .subquery()
    )


async def adoption_rows(
    session: AsyncSession,
    challenges: Sequence[Challenge],
    *,
    today: date,
    page: int | None = None,
    page_size: int = PAGE_SIZE,
) -> list[ProgrammeAdoption]:
    """The adoptions of these challenges with their progress, in one statement: those of
    `page` (from 1), or all of them."""
    by_id = {c.id: c for c in challenges}
    if not by_id:
        return []
    totals = _milestone_totals()
    query = (
        sa_select(
            Adoption,
            col(Sponsor.name),
            col(Project.title),
            col(Team.name),
            col(AdoptionRules.overdue_weeks),
            totals.c.hours,
            totals.c.internships,
            totals.c.paid,
            totals.c.confirmed,
            totals.c.waiting,
            totals.c.last_on,
        )
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .join(Project, col(Project.id) == col(Adoption.project_id))
        .join(Team, col(Team.id) == col(Project.team_id))
        .outerjoin(AdoptionRules, col(AdoptionRules.challenge_id) == col(Adoption.challenge_id))
        .outerjoin(totals, totals.c.adoption_id == col(Adoption.id))
        .where(
            col(Adoption.challenge_id).in_(list(by_id)),
            col(Adoption.status).in_(REPORTED),
        )
        .order_by(
            col(Adoption.challenge_id), col(Sponsor.name), col(Project.title), col(Adoption.id)
        )
    )
    if page is not None:
        query = query.limit(page_size).offset((page - 1) * page_size)
    result = await session.execute(query)
    rows = []
    for adoption, sponsor, title, team, weeks, hours, interns, paid, done, waiting, last in result:
        last_on = _as_date(last)
        progress = Progress(
            mentoring_hours_done=hours or 0,
            mentoring_hours_promised=adoption.mentoring_hours,
            internships_started=interns or 0,
            internships_promised=adoption.internships,
            funding_paid_eur=paid or 0,
            funding_promised_eur=adoption.funding_eur,
            milestones_confirmed=done or 0,
            milestones_waiting=waiting or 0,
            last_milestone_on=last_on,
        )
        _since, periods = sponsors_queries.overdue_periods(
            adoption, last_milestone_on=last_on, weeks=weeks or OVERDUE_WEEKS, today=today
        )
        challenge = by_id[adoption.challenge_id]
        rows.append(
            ProgrammeAdoption(challenge, adoption, sponsor, title, team, progress, periods > 0)
        )
    return rows


def _as_date(value: Any) -> date | None:
    # SQLite returns max() of a date column as text.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


# The adoptions the report follows: those that took effect, and those waiting for an
# organiser's confirmation (offers still pending are the challenge report's business).
REPORTED = (
    AdoptionStatus.CONFIRMING,
    AdoptionStatus.ACCEPTED,
    AdoptionStatus.COMPLETED,
    AdoptionStatus.ENDED,
)


def _totals(progresses: Sequence[Progress]) -> Progress:
    total = Progress()
    for p in progresses:
        total.mentoring_hours_done += p.mentoring_hours_done
        total.mentoring_hours_promised += p.mentoring_hours_promised
        total.internships_started += p.internships_started
        total.internships_promised += p.internships_promised
        total.funding_paid_eur += p.funding_paid_eur
        total.funding_promised_eur += p.funding_promised_eur
        total.milestones_confirmed += p.milestones_confirmed
        total.milestones_waiting += p.milestones_waiting
    return total


async def company_sums(
    session: AsyncSession, challenges: Sequence[Challenge]
) -> list[tuple[str, int, Progress]]:
    """Per company (by name): its adoptions in these challenges and their progress summed,
    in one statement."""
    ids = [c.id for c in challenges if c.id is not None]
    if not ids:
        return []
    totals = _milestone_totals()
    result = await session.execute(
        sa_select(
            col(Sponsor.name),
            func.count(),
            func.sum(col(Adoption.mentoring_hours)),
            func.sum(col(Adoption.internships)),
            func.sum(col(Adoption.funding_eur)),
            func.sum(totals.c.hours),
            func.sum(totals.c.internships),
            func.sum(totals.c.paid),
            func.sum(totals.c.confirmed),
            func.sum(totals.c.waiting),
        )
        .join(Sponsor, col(Sponsor.id) == col(Adoption.sponsor_id))
        .outerjoin(totals, totals.c.adoption_id == col(Adoption.id))
        .where(col(Adoption.challenge_id).in_(ids), col(Adoption.status).in_(REPORTED))
        .group_by(col(Sponsor.name))
    )
    sums = []
    for name, n, hours, interns, funding, done_h, done_i, paid, confirmed, waiting in result:
        sums.append(
            (
                str(name),
                int(n),
                Progress(
                    mentoring_hours_done=int(done_h or 0),
                    mentoring_hours_promised=int(hours or 0),
                    internships_started=int(done_i or 0),
                    internships_promised=int(interns or 0),
                    funding_paid_eur=int(paid or 0),
                    funding_promised_eur=int(funding or 0),
                    milestones_confirmed=int(confirmed or 0),
                    milestones_waiting=int(waiting or 0),
                ),
            )
        )
    return sums


async def programme_adoptions(
    session: AsyncSession,
    *,
    user: User,
    programme_id: int,
    page: int | None = 1,
    page_size: int = PAGE_SIZE,
) -> ProgrammeAdoptions:
    """The report, for the organisers: each sees the challenges of the chain they organise
    (a platform administrator, all); someone who organises none of them may not. `page`:
    the adoptions of that page (past the last: the last), None: all of them (the files);
    the totals and the chart are always the programme's."""
    programme = await challenges_queries.get_programme(session, programme_id)
    chain = await chain_challenges(session, programme_id)
    if user.is_admin:
        mine = chain
    else:
        assert user.id is not None
        organised = await challenges_queries.organised_among(
            session, user_id=user.id, challenge_ids=[c.id for c in chain if c.id is not None]
        )
        mine = [c for c in chain if c.id in organised]
    require(
        bool(mine),
        visible=True,
        message=_("This report is for the organisers of the programme's challenges."),
    )
    sums = await company_sums(session, mine)
    count = sum(n for _name, n, _progress in sums)
    pages = max(1, -(-count // page_size))
    if page is not None:
        page = min(max(page, 1), pages)
    rows = await adoption_rows(session, mine, today=utcnow().date(), page=page, page_size=page_size)
    return ProgrammeAdoptions(
        programme,
        mine,
        rows,
        _totals([progress for _name, _n, progress in sums]),
        company_chart([(name, progress) for name, _n, progress in sums]),
        count=count,
        page=page or 1,
        pages=pages if page is not None else 1,
    )


# --- The chart ---------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_LABEL = 220  # room for the company's name
CHART_BAR = 300  # a promise kept in full
CHART_ROW = 66  # three bars per company


def company_chart(progresses: Sequence[tuple[str, Progress]]) -> list[CompanyBar]:
    """Per company (by name, across challenges and editions): mentoring hours, internships
    and funding done against promised; a bar is full when the promise is kept (more than
    promised is shown by its numbers, not by a longer bar)."""
    grouped: dict[str, list[int]] = {}
    for name, p in progresses:
        sums = grouped.setdefault(name, [0] * 6)
        for i, value in enumerate(
            (
                p.mentoring_hours_done,
                p.mentoring_hours_promised,
                p.internships_started,
                p.internships_promised,
                p.funding_paid_eur,
                p.funding_promised_eur,
            )
        ):
            sums[i] += value
    bars = []
    labels = (_("Mentoring hours"), _("Internships"), _("Funding (EUR)"))
    for index, name in enumerate(sorted(grouped, key=str.casefold)):
        sums = grouped[name]
        measures = []
        for m, label in enumerate(labels):
            done, promised = sums[2 * m], sums[2 * m + 1]
            share = min(done / promised, 1.0) if promised else 0.0
            measures.append((label, done, promised, round(share * CHART_BAR, 1)))
        bars.append(CompanyBar(name, index * CHART_ROW + 4, measures))
    return bars


# --- Files -------------------------------------------------------------------------------


def headers() -> list[str]:
    return [
        _("Challenge"),
        _("Sponsor"),
        _("Project"),
        _("Team"),
        _("Status"),
        _("Mentoring hours"),
        _("Mentoring hours done"),
        _("Internship places"),
        _("Internships started"),
        _("Funding (EUR)"),
        _("Funding paid (EUR)"),
        _("Confirmed milestones"),
        _("Milestones waiting"),
        _("Last confirmed milestone"),
        _("Overdue"),
        _("Closed at"),
    ]


def values(row: ProgrammeAdoption) -> list[Any]:
    p, a = row.progress, row.adoption
    return [
        _cell(value)
        for value in (
            row.challenge.title,
            row.sponsor_name,
            row.project_title,
            row.team_name,
            str(a.status),
            p.mentoring_hours_promised,
            p.mentoring_hours_done,
            p.internships_promised,
            p.internships_started,
            p.funding_promised_eur,
            p.funding_paid_eur,
            p.milestones_confirmed,
            p.milestones_waiting,
            p.last_milestone_on.isoformat() if p.last_milestone_on else None,
            row.overdue,
            a.closed_at if isinstance(a.closed_at, datetime) else None,
        )
    ]


CSV_CHUNK = 200  # rows written out at a time


def csv_chunks(report: ProgrammeAdoptions, *, separator: str = ",") -> Iterator[bytes]:
    """The CSV file in pieces, to stream: UTF-8 with a BOM, so Excel reads the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers())
    for start in range(0, len(report.rows), CSV_CHUNK):
        writer.writerows(values(row) for row in report.rows[start : start + CSV_CHUNK])
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def as_csv(report: ProgrammeAdoptions, *, separator: str = ",") -> bytes:
    return b"".join(csv_chunks(report, separator=separator))


def as_xlsx(report: ProgrammeAdoptions) -> bytes:
    """Blocking: run it in a thread."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Adoptions")[:31])
    sheet.append(headers())
    for row in report.rows:
        sheet.append(values(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
