"""Input and output shapes for sponsors, their representatives and adoptions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.db import Id
from app.fields import BlankIsZero, Checkbox, Email, OneLine, OptionalDate, OptionalId, Text
from app.i18n import gettext as _
from app.sponsors.models import OVERDUE_WEEKS, AdoptionStatus, MilestoneKind, Side


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
    # Weeks without a confirmed milestone before an accepted adoption is overdue.
    overdue_weeks: Annotated[int, Field(ge=1, le=52)] = OVERDUE_WEEKS


class AdoptionRulesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    challenge_id: int
    godmothers: Literal["single", "several"]
    max_projects_per_sponsor: int | None
    organiser_confirms: bool
    overdue_weeks: int


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


Recognition = Literal["public", "private"]


class OfferTerms(BaseModel):
    """What a company commits to: hours, internship places and their period, funding,
    materials or lab access, and who to contact."""

    mentoring_hours: Count = 0
    internships: Count = 0
    internship_from: OptionalDate = None
    internship_until: OptionalDate = None
    funding_eur: Euros = 0
    materials: Text = Field(default="", max_length=1000)
    contact_person: OneLine = Field(default="", max_length=200)
    message: Text = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _commits_something(self) -> Self:
        if not (self.mentoring_hours or self.internships or self.funding_eur or self.materials):
            raise ValueError(
                _(
                    "Offer at least one of mentoring hours, internship places, funding, "
                    "or materials and lab access."
                )
            )
        if (self.internship_from or self.internship_until) and not self.internships:
            raise ValueError(_("An internship period needs at least one internship place."))
        if (
            self.internship_from is not None
            and self.internship_until is not None
            and self.internship_until < self.internship_from
        ):
            raise ValueError(_("The internships cannot end before they start."))
        return self


class AdoptionCreate(OfferTerms):
    """A sponsor's offer; sponsor_id is needed only by someone representing several."""

    sponsor_id: OptionalId = None
    # May the project show the company's name ("Adottato da ...")? Yes unless it says no.
    recognition: Recognition = "public"


class RecognitionChoice(BaseModel):
    """The company's choice, changeable at any time: named on the project, or not."""

    recognition: Recognition


class AdoptionAmend(OfferTerms):
    """A new version of an offer, before the team accepts it: every term, as now offered."""


class AdoptionReply(BaseModel):
    """The team's message to the company about its offer."""

    message: Text = Field(min_length=1, max_length=2000)


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
    internship_from: date | None
    internship_until: date | None
    materials: str
    contact_person: str
    message: str
    version: int
    team_message: str
    proposed_at: datetime
    decided_at: datetime | None
    declined_automatically: bool
    reason: str
    confirmed_at: datetime | None
    closed_at: datetime | None
    public_recognition: bool


class AdoptionTotals(BaseModel):
    """Sums of commitments; `accepted` counts only what teams accepted."""

    adoptions: int = 0
    mentoring_hours: int = 0
    internships: int = 0
    funding_eur: int = 0


class AdoptionProgress(BaseModel):
    """One adoption's progress, in the organisers' report."""

    adoption_id: int
    progress: Progress


class AdoptionsReport(BaseModel):
    accepted: AdoptionTotals
    pending: AdoptionTotals
    adoptions: list[AdoptionRead]
    # For the adoptions that took effect (accepted, completed or ended early).
    progress: list[AdoptionProgress]


class AdoptionVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    mentoring_hours: int
    internships: int
    internship_from: date | None
    internship_until: date | None
    funding_eur: int
    materials: str
    contact_person: str
    message: str
    created_at: datetime


class MilestoneCreate(BaseModel):
    """A step of the follow-up, as one side records it for the other to confirm."""

    kind: MilestoneKind
    happened_on: date
    hours: Count = 0
    amount_eur: Euros = 0
    note: Text = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _measured(self) -> Self:
        if self.kind == MilestoneKind.MENTORING and not self.hours:
            raise ValueError(_("Say how many hours the mentoring session took."))
        if self.kind == MilestoneKind.FUNDING_PAID and not self.amount_eur:
            raise ValueError(_("Say how much was paid."))
        return self


class AdoptionClose(BaseModel):
    """Closing an adoption: completed, or ended early with a reason."""

    outcome: Literal["completed", "ended"]
    reason: Text = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _explained(self) -> Self:
        if self.outcome == "ended" and not self.reason:
            raise ValueError(_("Say why the adoption ends early."))
        return self


class MilestoneRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    adoption_id: int
    kind: MilestoneKind
    happened_on: date
    hours: int
    amount_eur: int
    note: str
    proposed_side: Side
    proposed_at: datetime
    confirmed_at: datetime | None
    file_name: str  # empty: no file
    file_type: str
    file_size: int


class Progress(BaseModel):
    """What was done against what was promised, counting confirmed milestones only."""

    mentoring_hours_done: int = 0
    mentoring_hours_promised: int = 0
    internships_started: int = 0
    internships_promised: int = 0
    funding_paid_eur: int = 0
    funding_promised_eur: int = 0
    milestones_confirmed: int = 0
    milestones_waiting: int = 0
    last_milestone_on: date | None = None


AdoptionProgress.model_rebuild()
AdoptionsReport.model_rebuild()
