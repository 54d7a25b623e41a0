"""Reusable reads of teams and projects (other domains use these)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from app.challenges.models import Challenge, Institution, Phase, PhaseKind, Track
from app.errors import NotFound
from app.teams.models import Project, ProjectFile, ProjectStatus, Team, TeamMember


async def get_project(
    session: AsyncSession, project_id: int, *, challenge_id: int | None = None, lock: bool = False
) -> Project:
    """A project; with challenge_id, another challenge's project is 'not found'. `lock` holds
    its row until the transaction ends (PostgreSQL), for a change of its state."""
    project = await session.get(Project, project_id, with_for_update=lock or None)
    if project is None or (challenge_id is not None and project.challenge_id != challenge_id):
        raise NotFound()
    return project


async def get_team(
    session: AsyncSession, team_id: int, *, challenge_id: int | None = None, lock: bool = False
) -> Team:
    team = await session.get(Team, team_id, with_for_update=lock or None)
    if team is None or (challenge_id is not None and team.challenge_id != challenge_id):
        raise NotFound()
    return team


# Columns that a higher domain adds to the project page's one statement, so the page shows
# what that domain knows (app.sponsors: "Adottato da ...") without teams importing it: a
# name -> a function of the project id column returning a scalar subquery. The providing
# domain registers it when it is imported (the app imports every domain).
ProjectColumn = Callable[[Any], Any]
project_columns: dict[str, ProjectColumn] = {}


def provide_project_column(name: str, column: ProjectColumn) -> None:
    """Register a column the project page reads with the project (see project_columns)."""
    project_columns[name] = column


@dataclass(frozen=True)
class ProjectRows:
    """A project with everything its page shows around it, read in one statement."""

    project: Project
    team: Team
    challenge: Challenge
    track: Track | None
    institution: Institution | None
    submission: Phase | None
    moved_on: bool  # a later stage's project was made from this one
    provided: dict[str, Any]  # the registered project_columns' values

    @property
    def has_history(self) -> bool:
        """Whether the project came from an earlier stage or moved on to a later one."""
        return self.project.previous_project_id is not None or self.moved_on


def _project_statement() -> Any:
    """project_with_context's statement, built once per set of registered columns (building
    it, aliases and all, took about 1 ms per page: more than its template); the project id
    is a bound parameter."""
    key = tuple(project_columns.items())
    found = _built.get(key)
    if found is None:
        later = aliased(Project)
        moved_on = exists().where(col(later.previous_project_id) == col(Project.id))
        provided = [column(col(Project.id)).label(name) for name, column in key]
        found = (
            sa_select(
                Project, Team, Challenge, Track, Institution, Phase, moved_on.label("moved_on")
            )
            .add_columns(*provided)
            .join(Team, col(Team.id) == col(Project.team_id))
            .join(Challenge, col(Challenge.id) == col(Project.challenge_id))
            .outerjoin(Track, col(Track.id) == col(Project.track_id))
            .outerjoin(Institution, col(Institution.id) == col(Team.institution_id))
            .outerjoin(
                Phase,
                (col(Phase.challenge_id) == col(Project.challenge_id))
                & (col(Phase.kind) == PhaseKind.SUBMISSION),
            )
            .where(col(Project.id) == bindparam("project_id"))
        )
        _built.clear()
        _built[key] = found
    return found


_built: dict[tuple[tuple[str, ProjectColumn], ...], Any] = {}


async def project_with_context(session: AsyncSession, project_id: int) -> ProjectRows:
    """The project, its team, challenge, track, the team's institution and the challenge's
    submission window in one round trip (one statement instead of six)."""
    result = await session.execute(_project_statement(), {"project_id": project_id})
    row = result.first()
    if row is None:
        raise NotFound()
    project, team, challenge, track, institution, phase, moved, *values = row
    extra = dict(zip(project_columns, values, strict=True))
    return ProjectRows(project, team, challenge, track, institution, phase, bool(moved), extra)


async def members(session: AsyncSession, team_id: int) -> list[TeamMember]:
    result = await session.execute(
        select(TeamMember)
        .where(col(TeamMember.team_id) == team_id)
        .order_by(col(TeamMember.last_name), col(TeamMember.first_name))
    )
    return list(result.scalars())


async def is_team_member(session: AsyncSession, *, team_id: int, user_id: int) -> bool:
    result = await session.execute(
        select(TeamMember.id).where(
            col(TeamMember.team_id) == team_id, col(TeamMember.user_id) == user_id
        )
    )
    return result.first() is not None


@dataclass(frozen=True)
class GalleryItem:
    """One submitted project as the public gallery shows it (no member names)."""

    project_id: int
    title: str
    summary: str
    team_id: int
    team_name: str
    class_name: str
    track_name: str | None
    institution_name: str | None
    institution_city: str | None
    submitted_at: datetime | None
    # Filled where the caller asks (the challenge page): "Adottato da ..." badges.
    adopted_by: str | None = None
    completed_by: str | None = None


def _submitted(challenge_id: int, track_id: int | None) -> list[ColumnElement[bool]]:
    conditions = [
        col(Project.challenge_id) == challenge_id,
        col(Project.status) == ProjectStatus.SUBMITTED,
    ]
    if track_id is not None:
        conditions.append(col(Project.track_id) == track_id)
    return conditions


def _gallery_query(challenge_id: int, track_id: int | None, extra: Sequence[Any] = ()) -> Any:
    # sqlmodel's select() is typed for up to four columns; this one reads ten (and `extra`,
    # columns of a domain above this one, such as the adopting companies).
    return (
        sa_select(
            col(Project.id),
            col(Project.title),
            col(Project.summary),
            col(Team.id),
            col(Team.name),
            col(Team.class_name),
            col(Track.name),
            col(Institution.name),
            col(Institution.city),
            col(Project.submitted_at),
        )
        .join(Team, col(Team.id) == col(Project.team_id))
        .outerjoin(Track, col(Track.id) == col(Project.track_id))
        .outerjoin(Institution, col(Institution.id) == col(Team.institution_id))
        .where(*_submitted(challenge_id, track_id))
        .order_by(col(Track.position), col(Project.title), col(Project.id))
        .add_columns(*extra)
    )


async def gallery(
    session: AsyncSession,
    challenge_id: int,
    *,
    track_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[GalleryItem]:
    """The challenge's submitted projects with team, track and school, in one query;
    one track's only when track_id is given, a slice of them with limit/offset."""
    result = await session.execute(
        _gallery_query(challenge_id, track_id).limit(limit).offset(offset)
    )
    rows: list[Any] = list(result.all())
    return [GalleryItem(*row) for row in rows]


async def gallery_slice(
    session: AsyncSession,
    challenge_id: int,
    *,
    track_id: int | None,
    limit: int,
    offset: int,
    extra: Callable[[Any], Sequence[Any]] | None = None,
) -> tuple[list[GalleryItem], int | None]:
    """A slice of `gallery` and how many it lists in all, in one statement (the count is a
    window over the rows before the slice). The count is None when the slice is empty."""
    columns = extra(col(Project.id)) if extra else ()
    query = _gallery_query(challenge_id, track_id, columns).add_columns(func.count().over())
    result = await session.execute(query.limit(limit).offset(offset))
    rows: list[Any] = list(result.all())
    total = int(rows[0][-1]) if rows else None
    return [GalleryItem(*row[:-1]) for row in rows], total


async def gallery_count(session: AsyncSession, challenge_id: int) -> int:
    """How many projects `gallery` lists."""
    listed = _gallery_query(challenge_id, None).subquery()
    return int(await session.scalar(select(func.count()).select_from(listed)) or 0)


async def teams_of_user(session: AsyncSession, *, user_id: int, challenge_id: int) -> list[Team]:
    """Teams the person coaches or belongs to (with an account) in the challenge."""
    member_of = select(TeamMember.team_id).where(col(TeamMember.user_id) == user_id)
    result = await session.execute(
        select(Team)
        .where(
            col(Team.challenge_id) == challenge_id,
            (col(Team.coach_id) == user_id) | col(Team.id).in_(member_of),
        )
        .order_by(col(Team.name))
    )
    return list(result.scalars())


async def project_of_team(session: AsyncSession, team_id: int) -> Project | None:
    result = await session.execute(select(Project).where(col(Project.team_id) == team_id))
    return result.scalar_one_or_none()


async def files(session: AsyncSession, project_id: int) -> list[ProjectFile]:
    result = await session.execute(
        select(ProjectFile)
        .where(col(ProjectFile.project_id) == project_id)
        .order_by(col(ProjectFile.uploaded_at), col(ProjectFile.id))
    )
    return list(result.scalars())


async def get_file(session: AsyncSession, *, project_id: int, file_id: int) -> ProjectFile:
    """A file of this project; another project's file is 'not found'."""
    found = await session.get(ProjectFile, file_id)
    if found is None or found.project_id != project_id:
        raise NotFound()
    return found


async def team_name_taken(
    session: AsyncSession, *, challenge_id: int, name: str, except_id: int | None = None
) -> bool:
    result = await session.execute(
        select(Team.id).where(
            col(Team.challenge_id) == challenge_id,
            func.lower(Team.name) == name.lower(),
            col(Team.id) != (except_id or 0),
        )
    )
    return result.first() is not None


async def submitted_projects_in(session: AsyncSession, challenge_id: int) -> list[Project]:
    result = await session.execute(
        select(Project)
        .where(
            col(Project.challenge_id) == challenge_id,
            col(Project.status) == ProjectStatus.SUBMITTED,
        )
        .order_by(col(Project.id))
    )
    return list(result.scalars())


async def projects_by_ids(session: AsyncSession, project_ids: list[int]) -> dict[int, Project]:
    if not project_ids:
        return {}
    result = await session.execute(select(Project).where(col(Project.id).in_(project_ids)))
    return {project.id: project for project in result.scalars() if project.id is not None}


async def members_by_team(
    session: AsyncSession, team_ids: list[int]
) -> dict[int, list[TeamMember]]:
    """The members of many teams in one query, each team's sorted by name."""
    grouped: dict[int, list[TeamMember]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return grouped
    result = await session.execute(
        select(TeamMember)
        .where(col(TeamMember.team_id).in_(team_ids))
        .order_by(col(TeamMember.last_name), col(TeamMember.first_name), col(TeamMember.id))
    )
    for member in result.scalars():
        grouped[member.team_id].append(member)
    return grouped


async def project_ids_coached_by(
    session: AsyncSession, *, user_id: int, challenge_id: int
) -> list[int]:
    result = await session.execute(
        select(Project.id)
        .join(Team, col(Team.id) == col(Project.team_id))
        .where(col(Team.challenge_id) == challenge_id, col(Team.coach_id) == user_id)
    )
    return [project_id for project_id in result.scalars() if project_id is not None]


@dataclass(frozen=True)
class TeamTodo:
    """One of a person's teams with what its page's checklist needs."""

    team_id: int
    team_name: str
    challenge_id: int
    challenge_title: str
    is_coach: bool
    members: int
    minors_without_consent: int
    project_id: int | None
    project_status: str | None
    files: int


async def teams_to_look_after(session: AsyncSession, *, user_id: int) -> list[TeamTodo]:
    """The teams the person coaches or belongs to, in every challenge, in one query."""
    members = (
        sa_select(func.count())
        .where(col(TeamMember.team_id) == col(Team.id))
        .correlate(Team)
        .scalar_subquery()
    )
    unconsented = (
        sa_select(func.count())
        .where(
            col(TeamMember.team_id) == col(Team.id),
            col(TeamMember.is_minor).is_(True),
            col(TeamMember.consent_at).is_(None),
        )
        .correlate(Team)
        .scalar_subquery()
    )
    files = (
        sa_select(func.count())
        .where(col(ProjectFile.project_id) == col(Project.id))
        .correlate(Project)
        .scalar_subquery()
    )
    member_of = sa_select(col(TeamMember.team_id)).where(col(TeamMember.user_id) == user_id)
    result = await session.execute(
        sa_select(
            col(Team.id),
            col(Team.name),
            col(Challenge.id),
            col(Challenge.title),
            col(Team.coach_id) == user_id,
            members,
            unconsented,
            col(Project.id),
            col(Project.status),
            files,
        )
        .join(Challenge, col(Challenge.id) == col(Team.challenge_id))
        .outerjoin(Project, col(Project.team_id) == col(Team.id))
        .where((col(Team.coach_id) == user_id) | col(Team.id).in_(member_of))
        .order_by(col(Challenge.title), col(Team.name))
    )
    return [TeamTodo(*row) for row in result.all()]


async def counts_by_challenge(
    session: AsyncSession, challenge_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """challenge id -> (teams registered, projects submitted), in one query."""
    found = dict.fromkeys(challenge_ids, (0, 0))
    if not challenge_ids:
        return found
    submitted = func.count(col(Project.id)).filter(col(Project.status) == ProjectStatus.SUBMITTED)
    result = await session.execute(
        sa_select(col(Team.challenge_id), func.count(col(Team.id)), submitted)
        .outerjoin(Project, col(Project.team_id) == col(Team.id))
        .where(col(Team.challenge_id).in_(challenge_ids))
        .group_by(col(Team.challenge_id))
    )
    for challenge_id, teams, projects in result.all():
        found[challenge_id] = (teams, projects)
    return found


async def teams_by_ids(
    session: AsyncSession, team_ids: list[int], *, lock: bool = False
) -> dict[int, Team]:
    """Many teams in one query; with `lock`, their rows stay locked until the transaction
    ends (in id order, so two transactions locking overlapping sets cannot deadlock)."""
    if not team_ids:
        return {}
    query = select(Team).where(col(Team.id).in_(team_ids)).order_by(col(Team.id))
    if lock:
        query = query.with_for_update()
    result = await session.execute(query)
    return {team.id: team for team in result.scalars() if team.id is not None}


async def projects_of_teams(session: AsyncSession, team_ids: list[int]) -> dict[int, Project]:
    """team id -> its project, for the teams that have one, in one query."""
    if not team_ids:
        return {}
    result = await session.execute(select(Project).where(col(Project.team_id).in_(team_ids)))
    return {project.team_id: project for project in result.scalars()}


async def promoted_from(
    session: AsyncSession, *, challenge_id: int, team_ids: list[int]
) -> dict[int, Team]:
    """Of these teams, those already promoted into the challenge: original id -> its team there."""
    if not team_ids:
        return {}
    result = await session.execute(
        select(Team).where(
            col(Team.challenge_id) == challenge_id, col(Team.promoted_from_id).in_(team_ids)
        )
    )
    return {team.promoted_from_id: team for team in result.scalars() if team.promoted_from_id}


async def project_chain(session: AsyncSession, project_id: int) -> list[Project]:
    """The project's line along a programme: where it came from, itself, and where it moved
    on to, in stage order (one query per stage; a chain has a handful)."""
    chain: list[Project] = []
    seen: set[int] = set()
    current = await session.get(Project, project_id)
    while current is not None and current.id not in seen:  # never loop on bad data
        assert current.id is not None
        seen.add(current.id)
        chain.insert(0, current)
        current = (
            await session.get(Project, current.previous_project_id)
            if current.previous_project_id
            else None
        )
    later = chain[-1] if chain else None
    while later is not None:
        result = await session.execute(
            select(Project).where(col(Project.previous_project_id) == later.id).limit(1)
        )
        later = result.scalar_one_or_none()
        if later is None or later.id in seen:
            break
        seen.add(later.id or 0)
        chain.append(later)
    return chain
