"""Input and output shapes for teams, members, projects and files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from app.db import utcnow
from app.errors import ValidationFailed
from app.fields import Checkbox, OneLine, OptionalDate, OptionalId, Text
from app.forms import validate
from app.i18n import gettext as _
from app.i18n import ngettext
from app.teams.models import ProjectStatus

MAX_MEMBERS = 40
MEMBER_FIELDS = ("id", "first_name", "last_name", "is_minor", "consent_on")


class MemberInput(BaseModel):
    """A member: names only (no e-mail); a minor needs the date a guardian consented."""

    id: OptionalId = None
    first_name: OneLine = Field(min_length=1, max_length=80)
    last_name: OneLine = Field(min_length=1, max_length=80)
    is_minor: Checkbox = False
    consent_on: OptionalDate = None

    @field_validator("consent_on")
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > utcnow().date():
            raise ValueError(_("The consent date cannot be in the future."))
        return value


class TeamFields(BaseModel):
    name: OneLine = Field(min_length=1, max_length=120)
    track_id: OptionalId = None
    institution_id: OptionalId = None
    institution_name: OneLine = Field(default="", max_length=200)
    institution_city: OneLine = Field(default="", max_length=120)
    class_name: OneLine = Field(default="", max_length=40)


class TeamInput(TeamFields):
    members: list[MemberInput] = Field(min_length=1, max_length=MAX_MEMBERS)


def member_key(index: int, name: str) -> str:
    """The form field (and error key) of one member row's field."""
    return f"members-{index}-{name}"


def parse_team(
    fields: Mapping[str, Any], rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> TeamInput:
    """Validate the team and each member row; errors are keyed like the form fields."""
    errors: dict[str, str] = {}
    members: list[MemberInput] = []
    for index, row in rows:
        try:
            member = validate(MemberInput, row)
        except ValidationFailed as exc:
            errors.update({member_key(index, k): v for k, v in exc.errors.items()})
            continue
        errors.update(consent_errors([(index, member)]))
        members.append(member)
    try:
        team = validate(TeamFields, fields)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        team = None
    if not rows:
        errors["members"] = _("Please add at least one member.")
    elif len(rows) > MAX_MEMBERS:
        errors["members"] = ngettext(
            "A team has at most %(n)s member.", "A team has at most %(n)s members.", MAX_MEMBERS
        ) % {"n": MAX_MEMBERS}
    if errors or team is None:
        raise ValidationFailed(errors)
    return TeamInput(**team.model_dump(), members=members)


def consent_errors(members: Sequence[tuple[int, MemberInput]]) -> dict[str, str]:
    """The rule for minors: no guardian's consent date, no taking part."""
    return {
        member_key(index, "consent_on"): _(
            "A minor can take part only with a guardian's consent: enter the date it was given."
        )
        for index, member in members
        if member.is_minor and member.consent_on is None
    }


def member_rows(values: Mapping[str, str]) -> list[tuple[int, dict[str, str]]]:
    """The member rows of a posted form, skipping rows left blank."""
    indexes: set[int] = set()
    for key in values:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "members" and _row_number(parts[1]):
            indexes.add(int(parts[1]))
    rows: list[tuple[int, dict[str, str]]] = []
    for index in sorted(indexes):
        row = {name: values.get(member_key(index, name), "") for name in MEMBER_FIELDS}
        # A row with both names cleared is left out: for an existing member, that removes it.
        if row["first_name"].strip() or row["last_name"].strip():
            rows.append((index, row))
    return rows


def _row_number(text: str) -> bool:
    """A row's number in a field name: the form has fewer than a thousand (and int() refuses
    a number of thousands of digits with an error)."""
    return len(text) <= 3 and text.isascii() and text.isdigit()


class ProjectInput(BaseModel):
    title: OneLine = Field(min_length=1, max_length=160)
    summary: OneLine = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=20_000)
    track_id: OptionalId = None


class TeamCreate(TeamInput):
    """The API body to register a team: the form's fields and limits; a member's error is
    named like the form's field ("members-0-first_name")."""


# --- Output shapes of the JSON API ---


class InstitutionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    city: str


def _day(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else value


class MemberRead(BaseModel):
    """A member as the API shows them, from a TeamMember row."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    first_name: str
    last_name: str
    is_minor: bool
    consent_on: Annotated[date | None, BeforeValidator(_day)] = Field(validation_alias="consent_at")


class TeamRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    name: str
    track_id: int | None
    class_name: str
    coach_id: int
    institution: InstitutionRead | None
    members: list[MemberRead]
    project_id: int | None


class FileRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    display_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    team_id: int
    team_name: str
    challenge_id: int
    track_id: int | None
    title: str
    summary: str
    description: str
    status: ProjectStatus
    version: int
    submitted_at: datetime | None
    files: list[FileRead]


API_PAGE_SIZE = 100  # projects per page of the JSON gallery
MAX_API_PAGE = 10_000  # a million projects: far beyond any challenge


class GalleryQuery(BaseModel):
    page: int = Field(
        default=1,
        ge=1,
        le=MAX_API_PAGE,
        description=f"Page of {API_PAGE_SIZE} projects, oldest submission first.",
    )


class ProjectSummary(BaseModel):
    """A submitted project in the public gallery (no member names)."""

    model_config = ConfigDict(from_attributes=True)

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
