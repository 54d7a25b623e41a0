"""Teams, their members (often minors without an account), projects and uploaded files."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint, column, func
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Team(SQLModel, table=True):
    __tablename__ = "team"
    # Names are unique in a challenge whatever the letter case ("4B Aqua", "4b aqua").
    __table_args__ = (
        UniqueConstraint("challenge_id", "name"),
        Index(
            "uq_team_challenge_id_lower_name",
            "challenge_id",
            func.lower(column("name")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    name: str = Field(max_length=120)
    track_id: int | None = Field(default=None, foreign_key="track.id")
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    class_name: str = Field(default="", max_length=40)  # e.g. "4B"
    coach_id: int = Field(foreign_key="user.id", index=True)  # the teacher in charge
    # The team of the previous stage of the programme this one was promoted from.
    promoted_from_id: int | None = Field(default=None, foreign_key="team.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TeamMember(SQLModel, table=True):
    """Data minimisation: names and class only; a minor needs a guardian's consent date."""

    __tablename__ = "team_member"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", index=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    is_minor: bool = True
    consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)


class Project(SQLModel, table=True):
    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", unique=True)  # one project per team
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    track_id: int | None = Field(default=None, foreign_key="track.id", index=True)
    title: str = Field(max_length=160)
    summary: str = Field(default="", max_length=500)
    description: str = Field(default="", sa_type=Text)
    status: ProjectStatus = Field(default=ProjectStatus.DRAFT, sa_type=String(20), index=True)
    version: int = 1  # bumped by every edit until submission
    # The project of the previous stage it grew from (a promoted team's), for its history.
    previous_project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectFile(SQLModel, table=True):
    __tablename__ = "project_file"
    __table_args__ = (UniqueConstraint("storage_key"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    storage_key: str = Field(max_length=64)  # generated; never the user's file name
    display_name: str = Field(max_length=120)  # sanitised, for showing only
    content_type: str = Field(max_length=60)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by: int = Field(foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
