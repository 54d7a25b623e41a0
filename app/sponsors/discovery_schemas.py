"""Input and output shapes for finding ideas: the filters, the shortlist, the private notes and
what an adopting company sees of a team."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.fields import OneLine, OptionalId, Text
from app.sponsors.models import AdoptionStatus, NameShown

MAX_SEARCH = 100  # characters of a search: titles are 160, more is not a search
MAX_NOTE = 2000
DISCOVERY_PAGE_SIZE = 20
YesNo = Literal["", "yes", "no"]


class DiscoveryFilters(BaseModel):
    """What a company narrows the projects to (?q=&track=&institution=&town=&adopted=
    &awarded=&page=); every part is optional."""

    q: OneLine = Field(default="", max_length=MAX_SEARCH)
    track: OptionalId = None
    institution: OptionalId = None
    town: OneLine = Field(default="", max_length=120)
    adopted: YesNo = ""
    awarded: YesNo = ""
    page: Annotated[int, Field(ge=1, le=10_000)] = 1

    def query(self) -> dict[str, str]:
        """The filters as a query string (for the pager's links), without the page."""
        found = self.model_dump(exclude={"page"})
        return {key: str(value) for key, value in found.items() if value not in (None, "")}


class NoteCreate(BaseModel):
    text: Text = Field(min_length=1, max_length=MAX_NOTE)


class ShortlistAdd(BaseModel):
    """The page's form: which project goes on the shortlist."""

    project_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class DiscoveredRead(BaseModel):
    project_id: int
    title: str
    summary: str
    team_name: str
    class_name: str
    track_name: str | None
    institution_name: str | None
    town: str | None
    adopted_by: str | None  # the companies whose adoption holds the project
    awards: str | None
    shortlisted: bool
    my_offer: AdoptionStatus | None  # this company's offer for it, if any
    challenge_id: int
    challenge_title: str


class DiscoveryRead(BaseModel):
    sponsor_id: int
    challenge_id: int
    total: int
    page: int
    pages: int
    items: list[DiscoveredRead]


class OpenChallengeRead(BaseModel):
    challenge_id: int
    title: str
    sponsor_id: int  # the company's participation there (its shortlist, its offers)


class CompanyDiscoveryRead(BaseModel):
    """A company's search across the challenges it takes part in whose adoption window is
    open (those it lists)."""

    company_id: int
    challenges: list[OpenChallengeRead]
    total: int
    page: int
    pages: int
    items: list[DiscoveredRead]


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    text: str
    written_by: int
    author_name: str
    written_at: datetime


class ShortlistedRead(BaseModel):
    project_id: int
    title: str
    team_name: str
    track_name: str | None
    added_by: int
    added_by_name: str
    added_at: datetime
    notes: list[NoteRead]


class SharedMember(BaseModel):
    """A team member as the adopting company sees them: what the coach recorded as allowed."""

    first_name: str
    last_name: str | None


class ContactRead(BaseModel):
    name: str
    email: str


class TeamForSponsorRead(BaseModel):
    """A team as the company that adopted its project sees it: the coach is the contact."""

    team_name: str
    coach: ContactRead
    members: list[SharedMember]
    not_shown: int  # members whose names stay hidden


class ConsentRow(BaseModel):
    member_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    shows: NameShown = NameShown.NOTHING


class MemberNameRead(BaseModel):
    """A member of the coach's team and what an adopting company may see of their name."""

    member_id: int
    first_name: str
    last_name: str
    shows: NameShown = Field(
        description="nothing (until the coach says otherwise), first_name or full_name"
    )


class MemberNamesRead(BaseModel):
    team_id: int
    members: list[MemberNameRead]


class MemberNamesUpdate(BaseModel):
    """What each member's name may show to an adopting company (for a minor: what the
    guardians consented to); members not listed keep their choice."""

    members: list[ConsentRow] = Field(min_length=1, max_length=200)
