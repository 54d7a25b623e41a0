"""Who may see and change a team and its project.

A team, with its members' names (personal data, often of minors), is seen by its coach, its
members with an account and the challenge's organisers. Its project is on show to everyone
once submitted in a published challenge. Refusals follow app.permissions: 404 to who may
not see the team or project, 403 to who may see it but not change it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.permissions import Actor
from app.i18n import gettext as _
from app.permissions import require
from app.teams.models import Project, ProjectStatus, Team


@dataclass(frozen=True)
class TeamAccess:
    """A person's standing towards one team."""

    actor: Actor
    is_coach: bool
    is_member: bool

    @property
    def is_organiser(self) -> bool:
        return self.actor.is_organiser


def access_to(actor: Actor, team: Team, *, is_member: bool) -> TeamAccess:
    is_coach = actor.user_id is not None and actor.user_id == team.coach_id
    return TeamAccess(actor=actor, is_coach=is_coach, is_member=is_member)


def can_view_team(access: TeamAccess) -> bool:
    return access.is_coach or access.is_member or access.is_organiser


def can_manage_team(access: TeamAccess) -> bool:
    return access.is_coach


def ensure_can_view_team(access: TeamAccess) -> None:
    require(can_view_team(access), visible=False)


def ensure_coach(access: TeamAccess, *, visible: bool | None = None) -> None:
    """The coach changes the team and its project; `visible` (default: may they see the
    team) decides between 'not allowed' and 'not found' for everyone else."""
    require(
        can_manage_team(access),
        visible=can_view_team(access) if visible is None else visible,
        message=_("Only the team's coach may do this."),
    )


def is_public(project: Project, *, challenge_published: bool) -> bool:
    """A submitted project of a published challenge is on show to everyone."""
    return project.status == ProjectStatus.SUBMITTED and challenge_published


def can_view_project(access: TeamAccess, project: Project, *, challenge_published: bool) -> bool:
    return is_public(project, challenge_published=challenge_published) or can_view_team(access)


def ensure_can_view_project(
    access: TeamAccess, project: Project, *, challenge_published: bool
) -> None:
    require(
        can_view_project(access, project, challenge_published=challenge_published),
        visible=False,
    )
