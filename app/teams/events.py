"""What happens to teams, their members, projects and files."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class TeamRegistered(DomainEvent):
    """A coach registered a team in a challenge."""

    challenge_id: int
    team_id: int


class ProjectSubmitted(DomainEvent):
    """A coach handed the team's project in for judging."""

    challenge_id: int
    project_id: int
    team_id: int


class ProjectWithdrawn(DomainEvent):
    """A coach took the team's submission back (it may be submitted again before the end)."""

    challenge_id: int
    project_id: int
    team_id: int


class TeamPromoted(DomainEvent):
    """An organiser moved a team, with its project, on to the next stage of a programme."""

    challenge_id: int  # the stage it moved on to
    team_id: int  # the team there
    from_team_id: int


TEAM_REGISTERED = action("team.registered")
TEAM_PROMOTED = action("team.promoted")
TEAM_UPDATED = action("team.updated")
PROJECT_CREATED = action("project.created")
PROJECT_UPDATED = action("project.updated")
PROJECT_SUBMITTED = action("project.submitted")
PROJECT_WITHDRAWN = action("project.withdrawn")
FILE_ADDED = action("project.file_added")
FILE_DELETED = action("project.file_deleted")
