"""Input and output shapes for programmes, challenges, tracks, phases and people."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.accounts.models import RoleKind
from app.challenges.models import Eligibility, PhaseKind
from app.db import Id
from app.errors import ValidationFailed
from app.fields import BlankIsDefault, Email, OneLine, OptionalDatetime, OptionalId, Text
from app.i18n import gettext as _

# Roles an organiser hands out on the people page (coaches come from team registration).
GRANTABLE_ROLES = (RoleKind.ORGANISER, RoleKind.JUDGE, RoleKind.SPONSOR, RoleKind.MENTOR)


class ChallengeInput(BaseModel):
    title: OneLine = Field(min_length=1, max_length=160)
    summary: OneLine = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=20_000)
    rules: Text = Field(default="", max_length=20_000)
    timezone: str = Field(default="Europe/Rome", min_length=1, max_length=64)
    programme_id: OptionalId = None
    team_size_min: Annotated[int, Field(ge=1, le=100), BlankIsDefault(1)] = 1
    team_size_max: Annotated[int, Field(ge=1, le=100), BlankIsDefault(40)] = 40
    eligibility: Eligibility = Eligibility.OPEN

    @model_validator(mode="after")
    def _sizes(self) -> ChallengeInput:
        if self.team_size_min > self.team_size_max:
            raise ValidationFailed(
                {"team_size_max": _("The largest team cannot be smaller than the smallest.")}
            )
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        value = value.strip()
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(_("Please enter a time zone such as Europe/Rome.")) from None
        return value


class TrackInput(BaseModel):
    name: OneLine = Field(min_length=1, max_length=120)
    description: Text = Field(default="", max_length=1000)
    position: int = Field(default=0, ge=0, le=1000)


class PhaseInput(BaseModel):
    """A phase window; a datetime without a zone is the challenge's local time."""

    kind: PhaseKind
    starts_at: datetime
    ends_at: datetime


class PhasesUpdate(BaseModel):
    """The full set of phase windows: phases left out are removed. Moving the windows of a
    published challenge needs a reason: people planned around them."""

    phases: list[PhaseInput] = Field(max_length=len(PhaseKind))
    reason: Text = Field(default="", max_length=500)


class EditionInput(BaseModel):
    """Next year's edition: its title (the rest is copied)."""

    title: OneLine = Field(min_length=1, max_length=160)


class PhasesForm(BaseModel):
    """The phase form: a local start and end per phase kind; both empty removes the phase."""

    registration_starts_at: OptionalDatetime = None
    registration_ends_at: OptionalDatetime = None
    submission_starts_at: OptionalDatetime = None
    submission_ends_at: OptionalDatetime = None
    judging_starts_at: OptionalDatetime = None
    judging_ends_at: OptionalDatetime = None
    adoption_starts_at: OptionalDatetime = None
    adoption_ends_at: OptionalDatetime = None
    reason: Text = Field(default="", max_length=500)

    def windows(self) -> list[PhaseInput]:
        """The filled-in windows; a window with only one end is an error on the other."""
        windows: list[PhaseInput] = []
        errors: dict[str, str] = {}
        for kind in PhaseKind:
            starts_at = getattr(self, f"{kind}_starts_at")
            ends_at = getattr(self, f"{kind}_ends_at")
            if starts_at is None and ends_at is None:
                continue
            if starts_at is None:
                errors[f"{kind}_starts_at"] = _("Please enter both dates, or neither.")
            elif ends_at is None:
                errors[f"{kind}_ends_at"] = _("Please enter both dates, or neither.")
            else:
                windows.append(PhaseInput(kind=kind, starts_at=starts_at, ends_at=ends_at))
        if errors:
            raise ValidationFailed(errors)
        return windows


class RoleGrant(BaseModel):
    email: Email = Field(max_length=254)
    kind: RoleKind

    @field_validator("kind")
    @classmethod
    def _grantable(cls, value: RoleKind) -> RoleKind:
        if value not in GRANTABLE_ROLES:
            raise ValueError(_("Please choose one of the options."))
        return value


class ProgrammeInput(BaseModel):
    name: OneLine = Field(min_length=1, max_length=160)
    description: Text = Field(default="", max_length=5000)


class StageInput(BaseModel):
    challenge_id: Id
    stage: int = Field(default=1, ge=1, le=100)


# --- Output shapes of the JSON API ---


class TrackRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    position: int


class PhaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: PhaseKind
    starts_at: datetime
    ends_at: datetime


class ChallengeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    summary: str
    timezone: str
    programme_id: int | None
    stage: int
    is_published: bool
    current_phase: str = Field(
        default="", description='The open phase by the clock, "closed" at the end, else "".'
    )


class PersonRead(BaseModel):
    """A person's role in a challenge, as its organisers see it."""

    role_id: int
    user_id: int
    name: str
    email: str
    kind: RoleKind


class ProgrammeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    description: str
    owner_id: int | None


class ProgrammeDetail(ProgrammeRead):
    stages: list[ChallengeRead] = Field(description="The stages you may see, in order.")


class ArchiveInput(BaseModel):
    archived: bool


class ChallengeDetail(ChallengeRead):
    description: str
    rules: str
    team_size_min: int
    team_size_max: int
    eligibility: Eligibility
    previous_edition_id: int | None
    archived_at: datetime | None
    has_cover: bool = Field(description="Whether /challenges/{id}/cover shows an image.")
    tracks: list[TrackRead]
    phases: list[PhaseRead]
