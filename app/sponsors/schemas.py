"""Input and output shapes for sponsors, their representatives and adoptions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.db import Id
from app.fields import BlankIsZero, Checkbox, Email, OneLine, OptionalId, Text
from app.i18n import gettext as _
from app.sponsors.models import AdoptionStatus


def _web_address(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = value.strip()
    if value and not value.startswith(("http://", "https://")):
        value = "https://" + value
    if value and (" " in value or "." not in value.split("://", 1)[1]):
        raise ValueError(_("Please enter a web address such as https://www.example.com."))
    return value


# The bounds before the validator, or pydantic leaves them out of the JSON schema.
Count = Annotated[int, Field(ge=0, le=100_000), BlankIsZero]
Euros = Annotated[int, Field(ge=0, le=10_000_000), BlankIsZero]


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Quota = Annotated[int | None, Field(ge=1, le=10_000), BeforeValidator(_blank_is_none)]


class AdoptionRulesUpdate(BaseModel):
    """A challenge's adoption rules, all of them at once (the page's form and PUT)."""

    godmothers: Literal["single", "several"] = "single"
    max_projects_per_sponsor: Quota = None  # empty: no limit
    organiser_confirms: Checkbox = False


class AdoptionRulesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    challenge_id: int
    godmothers: Literal["single", "several"]
    max_projects_per_sponsor: int | None
    organiser_confirms: bool


class AdoptionRefusal(BaseModel):
    """Why an organiser does not confirm a team's acceptance (told to both sides)."""

    reason: Text = Field(default="", max_length=500)


class SponsorCreate(BaseModel):
    name: OneLine = Field(min_length=1, max_length=160)
    website: Annotated[str, BeforeValidator(_web_address)] = Field(default="", max_length=300)
    description: Text = Field(default="", max_length=1000)


class RepresentativeAdd(BaseModel):
    email: Email = Field(max_length=254)


class RepresentativeForm(RepresentativeAdd):
    """The page's form: one form for all sponsors, so the sponsor is a field."""

    sponsor_id: Id


class AdoptionCreate(BaseModel):
    """A sponsor's offer; sponsor_id is needed only by someone representing several."""

    sponsor_id: OptionalId = None
    mentoring_hours: Count = 0
    internships: Count = 0
    funding_eur: Euros = 0
    message: Text = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _commits_something(self) -> AdoptionCreate:
        if not (self.mentoring_hours or self.internships or self.funding_eur):
            raise ValueError(
                _("Offer at least one of mentoring hours, internship places or funding.")
            )
        return self


class SponsorRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    name: str
    website: str
    description: str


class RepresentativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sponsor_id: int
    user_id: int
    name: str
    email: str


class AdoptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    sponsor_id: int
    project_id: int
    status: AdoptionStatus
    mentoring_hours: int
    internships: int
    funding_eur: int
    message: str
    proposed_at: datetime
    decided_at: datetime | None
    declined_automatically: bool
    reason: str
    confirmed_at: datetime | None


class AdoptionTotals(BaseModel):
    """Sums of commitments; `accepted` counts only what teams accepted."""

    adoptions: int = 0
    mentoring_hours: int = 0
    internships: int = 0
    funding_eur: int = 0


class AdoptionsReport(BaseModel):
    accepted: AdoptionTotals
    pending: AdoptionTotals
    adoptions: list[AdoptionRead]
