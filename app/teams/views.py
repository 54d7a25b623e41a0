"""What the team pages, the project pages and the gallery show, each read behind its
permission check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.challenges.models import Challenge, Institution, Track
from app.db import utcnow
from app.errors import NotFound
from app.ids import parse_id
from app.teams import permissions, queries
from app.teams.models import Project, ProjectFile, Team, TeamMember
from app.teams.permissions import TeamAccess
from app.teams.queries import GalleryItem
from app.teams.service import access_to_team, load_team, team_open_for_changes

GALLERY_PAGE_SIZE = 24


@dataclass(frozen=True)
class GalleryPage:
    """One page of a challenge's submitted projects, of one track or all."""

    items: list[GalleryItem]
    track_id: int | None
    total: int
    page: int
    size: int = GALLERY_PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position of the page's first project, counting from 1."""
        return (self.page - 1) * self.size + 1


async def gallery_page(
    session: AsyncSession,
    *,
    challenge_id: int,
    track_ids: set[int],
    track: str | None,
    page: str | None,
    extra: Callable[[Any], Sequence[Any]] | None = None,
) -> GalleryPage:
    """The gallery's ?track= and ?page= of a challenge the caller may see: a track of this
    challenge and a page from 1; links naming anything else are 'not found', as a missing
    page is."""
    track_id = parse_id(track)
    number = parse_id(page) if page is not None else 1
    if (track is not None and track_id not in track_ids) or number is None:
        raise NotFound()
    items, total = await queries.gallery_slice(
        session,
        challenge_id,
        track_id=track_id,
        limit=GALLERY_PAGE_SIZE,
        offset=(number - 1) * GALLERY_PAGE_SIZE,
        extra=extra,
    )
    if total is None:  # past the last page, unless the gallery is empty and this is page 1
        if number > 1:
            raise NotFound()
        total = 0
    return GalleryPage(items=items, track_id=track_id, total=total, page=number)


@dataclass(frozen=True)
class TeamView:
    """Everything the team page shows, read in a fixed number of queries."""

    team: Team
    challenge: Challenge
    access: TeamAccess
    members: list[TeamMember]
    institution: Institution | None
    track: Track | None
    project: Project | None
    editable: bool


async def team_view(session: AsyncSession, *, user: User | None, team_id: int) -> TeamView:
    """The team page's data, for those who may see the team."""
    team, access = await load_team(session, user=user, team_id=team_id)
    challenge = await challenge_queries.get_challenge(session, team.challenge_id)
    institution = (
        await session.get(Institution, team.institution_id) if team.institution_id else None
    )
    track = await session.get(Track, team.track_id) if team.track_id else None
    return TeamView(
        team=team,
        challenge=challenge,
        access=access,
        members=await queries.members(session, team.id or 0),
        institution=institution,
        track=track,
        project=await queries.project_of_team(session, team.id or 0),
        editable=await team_open_for_changes(session, team.challenge_id),
    )


@dataclass(frozen=True)
class ProjectView:
    """Everything the project page shows."""

    project: Project
    team: Team
    challenge: Challenge
    access: TeamAccess
    files: list[ProjectFile]
    track: Track | None
    institution: Institution | None
    submission_open: bool
    has_history: bool  # came from an earlier stage of a programme, or moved on
    provided: dict[str, Any]  # what higher domains add (teams.queries.project_columns)

    @property
    def can_manage(self) -> bool:
        return permissions.can_manage_team(self.access)


async def project_view(session: AsyncSession, *, user: User | None, project_id: int) -> ProjectView:
    rows = await queries.project_with_context(session, project_id)
    access = await access_to_team(session, user=user, team=rows.team)
    permissions.ensure_can_view_project(
        access, rows.project, challenge_published=rows.challenge.is_published
    )
    now = utcnow()
    window = rows.submission
    return ProjectView(
        project=rows.project,
        team=rows.team,
        challenge=rows.challenge,
        access=access,
        files=await queries.files(session, project_id),
        track=rows.track,
        institution=rows.institution,
        submission_open=window is not None and window.starts_at <= now < window.ends_at,
        has_history=rows.has_history,
        provided=rows.provided,
    )
