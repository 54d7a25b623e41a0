"""The organisers' dashboard of a challenge: how far teams have come (registered ->
submitted -> scored -> adopted -> awarded), by track and by school, the next deadline, the
judges' progress and the latest activity, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges import queries as challenges_queries
from app.challenges.models import Challenge, Institution, Phase, Track
from app.db import utcnow
from app.i18n import gettext as _
from app.judging.models import Assignment, Award, Round
from app.reports.audit import AuditFilters, AuditRow
from app.reports.audit import challenge_log as audit_log
from app.sponsors.models import ADOPTED_STATUSES, Adoption
from app.teams.models import Project, ProjectStatus, Team

RECENT = 10
STEPS = ("registered", "submitted", "scored", "adopted", "awarded")


@dataclass
class Funnel:
    """How many teams reached each step (each step counts the teams of the one before)."""

    registered: int = 0
    submitted: int = 0
    scored: int = 0
    adopted: int = 0
    awarded: int = 0

    def steps(self) -> list[tuple[str, int]]:
        """(what the step is called, how many teams reached it), for a chart."""
        labels = {
            "registered": _("Teams registered"),
            "submitted": _("Projects submitted"),
            "scored": _("Projects scored"),
            "adopted": _("Projects adopted"),
            "awarded": _("Projects awarded"),
        }
        return [(labels[step], getattr(self, step)) for step in STEPS]


@dataclass(frozen=True)
class JudgeProgress:
    name: str
    assigned: int
    scored: int


@dataclass(frozen=True)
class Dashboard:
    challenge: Challenge
    now: datetime
    next_deadline: Phase | None
    total: Funnel
    by_track: list[tuple[str, Funnel]]  # "" : no track chosen
    by_school: list[tuple[str, Funnel]]  # "" : no school given
    judges: list[JudgeProgress]
    activity: list[AuditRow] = field(default_factory=list)

    @property
    def largest(self) -> int:
        """The scale of the charts: the biggest count shown."""
        return max([self.total.registered, 1])

    def per_group(self, groups: list[tuple[str, Funnel]], step: str) -> list[tuple[str, int]]:
        """One step's count per track or school, for a chart."""
        return [(name or _("(none)"), getattr(funnel, step)) for name, funnel in groups]


async def dashboard(session: AsyncSession, *, user: User, challenge_id: int) -> Dashboard:
    access = await challenge_permissions.organised(session, user=user, challenge_id=challenge_id)
    now = utcnow()
    teams = await session.execute(
        sa_select(
            col(Team.id),
            col(Track.name),
            col(Institution.name),
            col(Project.id),
            col(Project.status),
        )
        .outerjoin(Track, col(Track.id) == col(Team.track_id))
        .outerjoin(Institution, col(Institution.id) == col(Team.institution_id))
        .outerjoin(Project, col(Project.team_id) == col(Team.id))
        .where(col(Team.challenge_id) == challenge_id)
    )
    rounds = sa_select(col(Round.id)).where(col(Round.challenge_id) == challenge_id)
    scored = set(
        (
            await session.execute(
                sa_select(col(Assignment.project_id))
                .where(
                    col(Assignment.round_id).in_(rounds), col(Assignment.submitted_at).is_not(None)
                )
                .distinct()
            )
        ).scalars()
    )
    adopted = set(
        (
            await session.execute(
                sa_select(col(Adoption.project_id)).where(
                    col(Adoption.challenge_id) == challenge_id,
                    col(Adoption.status).in_(ADOPTED_STATUSES),
                )
            )
        ).scalars()
    )
    awarded = set(
        (
            await session.execute(
                sa_select(col(Award.project_id)).where(col(Award.challenge_id) == challenge_id)
            )
        ).scalars()
    )
    total = Funnel()
    tracks: dict[str, Funnel] = defaultdict(Funnel)
    schools: dict[str, Funnel] = defaultdict(Funnel)
    for _team_id, track, school, project_id, status in teams.all():
        for funnel in (total, tracks[track or ""], schools[school or ""]):
            funnel.registered += 1
            if status == ProjectStatus.SUBMITTED:
                funnel.submitted += 1
                funnel.scored += project_id in scored
                funnel.adopted += project_id in adopted
                funnel.awarded += project_id in awarded
    judges = await session.execute(
        sa_select(col(User.name), func.count(), func.count(col(Assignment.submitted_at)))
        .join(Assignment, col(Assignment.judge_id) == col(User.id))
        .where(col(Assignment.round_id).in_(rounds))
        .group_by(col(User.id), col(User.name))
        .order_by(col(User.name))
    )
    phases = await challenges_queries.phases(session, challenge_id)
    upcoming = [p for p in phases if p.ends_at > now]
    log = await audit_log(session, user=user, challenge_id=challenge_id, filters=AuditFilters())
    return Dashboard(
        challenge=access.challenge,
        now=now,
        next_deadline=min(upcoming, key=lambda p: p.ends_at, default=None),
        total=total,
        by_track=sorted(tracks.items()),
        by_school=sorted(schools.items()),
        judges=[JudgeProgress(name, assigned, done) for name, assigned, done in judges.all()],
        activity=log.rows[:RECENT],
    )
