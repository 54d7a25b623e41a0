"""Programmes, challenges and their phases and tracks, and the institutions taking part."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text, UniqueConstraint, column, func
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class PhaseKind(StrEnum):
    REGISTRATION = "registration"
    SUBMISSION = "submission"
    JUDGING = "judging"
    ADOPTION = "adoption"


class Eligibility(StrEnum):
    """Who may register teams: classes of a school (a class is named), university students
    (their university is named), or anyone."""

    SCHOOL_CLASSES = "school_classes"
    UNIVERSITY = "university"
    OPEN = "open"


class InstitutionKind(StrEnum):
    SCHOOL = "school"
    TRAINING_CENTRE = "training_centre"
    UNIVERSITY = "university"
    COMPANY = "company"
    OTHER = "other"


class Programme(SQLModel, table=True):
    __tablename__ = "programme"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=160)
    description: str = Field(default="", sa_type=Text)
    # Only its owner (and platform admins) attach challenges to it as stages.
    owner_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Challenge(SQLModel, table=True):
    __tablename__ = "challenge"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=160)
    summary: str = Field(default="", max_length=500)
    description: str = Field(default="", sa_type=Text)
    programme_id: int | None = Field(default=None, foreign_key="programme.id", index=True)
    stage: int = 1  # position in its programme's chain
    timezone: str = Field(default="Europe/Rome", max_length=64)
    is_published: bool = False  # a draft is seen only by its organisers
    # The phase the clock last moved it into (written by the phase cron, for events only;
    # services check the phase windows themselves).
    announced_phase: str = Field(default="", max_length=20)
    results_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rules: str = Field(default="", sa_type=Text)  # Markdown, like the description
    team_size_min: int = Field(default=1, ge=1, le=100)
    team_size_max: int = Field(default=40, ge=1, le=100)
    eligibility: Eligibility = Field(default=Eligibility.OPEN, sa_type=String(20))
    cover_key: str | None = Field(default=None, max_length=64)  # an image in the storage
    # The edition this one was cloned from (last year's), and when it was archived.
    previous_edition_id: int | None = Field(default=None, foreign_key="challenge.id")
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Phase(SQLModel, table=True):
    __tablename__ = "phase"
    __table_args__ = (UniqueConstraint("challenge_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    kind: PhaseKind = Field(sa_type=String(20))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class Track(SQLModel, table=True):
    __tablename__ = "track"
    # Names are unique in a challenge whatever the letter case ("Acqua", "acqua").
    __table_args__ = (
        UniqueConstraint("challenge_id", "name"),
        Index(
            "uq_track_challenge_id_lower_name",
            "challenge_id",
            func.lower(column("name")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    position: int = 0


class Institution(SQLModel, table=True):
    __tablename__ = "institution"
    __table_args__ = (
        UniqueConstraint("name", "city"),
        Index(
            "uq_institution_lower_name_lower_city",
            func.lower(column("name")),
            func.lower(column("city")),
            unique=True,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: InstitutionKind = Field(default=InstitutionKind.SCHOOL, sa_type=String(20))
    city: str = Field(default="", max_length=120)
