"""Who may see and change a team and its project: the one place these rules live."""

from __future__ import annotations

from dataclasses import dataclass

from app.accounts.permissions import Actor
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
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
    """Members' names are personal data: the coach, member accounts and organisers only."""
    return access.is_coach or access.is_member or access.is_organiser


def ensure_can_view_team(access: TeamAccess) -> None:
    if not can_view_team(access):
        raise NotFound()


def can_manage_team(access: TeamAccess) -> bool:
    return access.is_coach


def ensure_coach(access: TeamAccess) -> None:
    """The coach changes the team; others who may see it get 403, the rest 404."""
    ensure_can_view_team(access)
    if not can_manage_team(access):
        raise Forbidden(_("Only the team's coach may do this."))


def is_public(project: Project, *, challenge_published: bool) -> bool:
    """A submitted project of a published challenge is on show to everyone."""
    return project.status == ProjectStatus.SUBMITTED and challenge_published


def can_view_project(access: TeamAccess, project: Project, *, challenge_published: bool) -> bool:
    return is_public(project, challenge_published=challenge_published) or can_view_team(access)


def ensure_can_view_project(
    access: TeamAccess, project: Project, *, challenge_published: bool
) -> None:
    if not can_view_project(access, project, challenge_published=challenge_published):
        raise NotFound()
