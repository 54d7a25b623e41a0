"""Input and output shapes for sponsor organisations, their public page and the dashboard
of their representatives across challenges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.db import Id
from app.fields import OneLine, Text
from app.sponsors.models import AdoptionStatus, MilestoneKind
from app.sponsors.schemas import Progress, _web_address


class CompanyProfile(BaseModel):
    """What a company says about itself: the same for every challenge it joins."""

    name: OneLine = Field(min_length=1, max_length=160)
    sector: OneLine = Field(default="", max_length=120)
    town: OneLine = Field(default="", max_length=120)
    website: Annotated[str, BeforeValidator(_web_address)] = Field(default="", max_length=300)
    description: Text = Field(default="", max_length=1000)
    offers: Text = Field(default="", max_length=1000)  # what it usually offers the teams


class CompanyJoin(BaseModel):
    """An organiser joins an organisation that exists already to their challenge."""

    company_id: Id


class TrackProposal(BaseModel):
    """The company's own track in a challenge, for an organiser to accept."""

    name: OneLine = Field(min_length=1, max_length=120)
    description: Text = Field(default="", max_length=1000)


class SponsorTrackRead(BaseModel):
    """A company's participation in a challenge, with the track it proposed."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    company_id: int | None
    name: str
    track_name: str
    track_description: str
    track_id: int | None  # set once an organiser accepted the track


class CompanyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sector: str
    town: str
    website: str
    description: str
    offers: str
    has_logo: bool
    created_at: datetime
    updated_at: datetime


class AdoptedProject(BaseModel):
    """A project the company adopted, on its public page."""

    adoption_id: int
    status: AdoptionStatus
    project_id: int
    project_title: str
    team_name: str
    challenge_id: int
    challenge_title: str
    edition: int  # the challenge's stage in its programme, 1 without one


class CompanyPage(BaseModel):
    company: CompanyRead
    adopted: list[AdoptedProject]


class DashboardOffer(BaseModel):
    """One of the company's offers or adoptions, with its follow-up when it took effect."""

    adoption_id: int
    challenge_id: int
    challenge_title: str
    sponsor_id: int
    project_id: int
    project_title: str
    team_name: str
    status: AdoptionStatus
    version: int
    proposed_at: datetime
    progress: Progress | None  # only for adoptions that took effect
    overdue: bool


class NextMilestone(BaseModel):
    """A milestone waiting for confirmation: who has to act on it is in `waiting_for`."""

    milestone_id: int
    adoption_id: int
    project_title: str
    kind: MilestoneKind
    happened_on: date
    waiting_for: str  # "sponsor" (the company confirms) or "team"


class DashboardCompany(BaseModel):
    id: int
    name: str


class DashboardChallenge(BaseModel):
    """A challenge the person's companies take part in, with their offers' counts."""

    challenge_id: int
    title: str
    company_id: int
    sponsor_id: int
    offers_waiting: int
    adopted: int


class SponsorDashboardRead(BaseModel):
    """A representative's view across every challenge and edition their companies joined."""

    companies: list[DashboardCompany]
    challenges: list[DashboardChallenge]
    offers: list[DashboardOffer]
    next_milestones: list[NextMilestone]
    counts: dict[str, int]  # offers by status


CompanyPage.model_rebuild()
SponsorDashboardRead.model_rebuild()
