"""Sponsor companies (imprese madrine), their representatives, and adoptions of projects."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, String, UniqueConstraint, column, func
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class AdoptionStatus(StrEnum):
    PROPOSED = "proposed"  # the sponsor offered; the team has not answered
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the sponsor took the offer back before an answer
    # The team accepted; the challenge's rules ask an organiser to confirm. The offer holds
    # its place (the project's godmother, the sponsor's quota) meanwhile.
    CONFIRMING = "confirming"
    REFUSED = "refused"  # an organiser did not confirm the team's acceptance
    COMPLETED = "completed"  # closed after the follow-up: the promises were kept
    ENDED = "ended"  # closed early, with a reason


# Statuses that hold a project (single godmother) and count in a sponsor's quota.
HOLDING_STATUSES = (AdoptionStatus.ACCEPTED, AdoptionStatus.CONFIRMING, AdoptionStatus.COMPLETED)
# Statuses of an adoption that took effect (its follow-up can be read).
ADOPTED_STATUSES = (AdoptionStatus.ACCEPTED, AdoptionStatus.COMPLETED, AdoptionStatus.ENDED)


class MilestoneKind(StrEnum):
    KICKOFF = "kickoff"
    MENTORING = "mentoring"  # a mentoring session, with its hours
    INTERNSHIP_STARTED = "internship_started"
    INTERNSHIP_ENDED = "internship_ended"
    PROTOTYPE_DELIVERED = "prototype_delivered"
    COMPANY_FOUNDED = "company_founded"  # the class's mini-company
    FUNDING_PAID = "funding_paid"  # with the amount paid


class Side(StrEnum):
    """Who proposed a milestone: the other side confirms it."""

    SPONSOR = "sponsor"
    TEAM = "team"


OVERDUE_WEEKS = 4  # the default of a challenge's rules


class AdoptionRules(SQLModel, table=True):
    """A challenge's adoption rules; a challenge without a row has the defaults."""

    __tablename__ = "adoption_rules"

    challenge_id: int = Field(foreign_key="challenge.id", primary_key=True)
    single_godmother: bool = True  # one accepted adoption per project
    max_projects_per_sponsor: int | None = Field(default=None, ge=1)  # None: no limit
    organiser_confirms: bool = False  # a team's acceptance waits for an organiser
    # Weeks without a confirmed milestone before an accepted adoption is overdue.
    overdue_weeks: int = Field(default=OVERDUE_WEEKS, ge=1, le=52)
    updated_by: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Company(SQLModel, table=True):
    """A sponsor organisation, once across challenges and editions: each `Sponsor` row is its
    participation in one challenge (names are unique whatever their case)."""

    __tablename__ = "company"
    __table_args__ = (Index("uq_company_lower_name", func.lower(column("name")), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160)
    sector: str = Field(default="", max_length=120)
    town: str = Field(default="", max_length=120)
    website: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=1000)
    offers: str = Field(default="", max_length=1000)  # what it usually offers the teams
    logo_key: str | None = Field(default=None, max_length=64)  # in app.storage
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    created_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CompanyRepresentative(SQLModel, table=True):
    """A person who acts for the company in every challenge it joins."""

    __tablename__ = "company_representative"
    __table_args__ = (UniqueConstraint("company_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Sponsor(SQLModel, table=True):
    """A company's participation in one challenge; `name`, `website` and `description` are
    kept equal to the company's (pages, certificates and reports read them here)."""

    __tablename__ = "sponsor"
    __table_args__ = (
        UniqueConstraint("challenge_id", "name"),
        # A company joins a challenge once (NULL: a row no service writes any more).
        Index("uq_sponsor_challenge_id_company_id", "challenge_id", "company_id", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    name: str = Field(max_length=160)
    website: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=1000)
    institution_id: int | None = Field(default=None, foreign_key="institution.id")
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    # The company's own track ("the company's challenge"), as it proposes it; `track_id` is
    # set when an organiser accepts it and the track is made.
    track_name: str = Field(default="", max_length=120)
    track_description: str = Field(default="", max_length=1000)
    track_id: int | None = Field(default=None, foreign_key="track.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SponsorRepresentative(SQLModel, table=True):
    __tablename__ = "sponsor_representative"
    __table_args__ = (UniqueConstraint("sponsor_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)


class Adoption(SQLModel, table=True):
    """A sponsor's commitment to one project: mentoring, internship places, funding."""

    __tablename__ = "adoption"
    __table_args__ = (UniqueConstraint("sponsor_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    status: AdoptionStatus = Field(default=AdoptionStatus.PROPOSED, sa_type=String(20))
    mentoring_hours: int = Field(default=0, ge=0)
    internships: int = Field(default=0, ge=0)
    funding_eur: int = Field(default=0, ge=0)
    internship_from: date | None = None  # the internships' period, when known
    internship_until: date | None = None
    materials: str = Field(default="", max_length=1000)  # materials or lab access offered
    contact_person: str = Field(default="", max_length=200)  # the company's contact
    message: str = Field(default="", max_length=2000)
    # The offer's current version: 1 as proposed, one more at each amendment.
    version: int = Field(default=1, ge=1)
    team_message: str = Field(default="", max_length=2000)  # the team's answer
    proposed_by: int = Field(foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Declined by the platform because the team accepted another company's offer.
    declined_automatically: bool = False
    reason: str = Field(default="", max_length=500)  # an organiser's refusal, an early end
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The company agrees to be named on the project ("Adottato da ..."): chosen with the
    # offer (yes unless it says no) and changeable by its representatives at any time.
    public_recognition: bool = True


class AdoptionVersion(SQLModel, table=True):
    """An offer as it stood at one version: amendments before acceptance keep the history,
    so the team sees what changed."""

    __tablename__ = "adoption_version"
    __table_args__ = (UniqueConstraint("adoption_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    adoption_id: int = Field(foreign_key="adoption.id", index=True)
    version: int = Field(ge=1)
    mentoring_hours: int = 0
    internships: int = 0
    funding_eur: int = 0
    internship_from: date | None = None
    internship_until: date | None = None
    materials: str = Field(default="", max_length=1000)
    contact_person: str = Field(default="", max_length=200)
    message: str = Field(default="", max_length=2000)
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The commitments of an offer, as an Adoption and an AdoptionVersion both hold them.
OFFER_FIELDS = (
    "mentoring_hours",
    "internships",
    "internship_from",
    "internship_until",
    "funding_eur",
    "materials",
    "contact_person",
    "message",
)


class AdoptionMilestone(SQLModel, table=True):
    """A dated step of an adoption's follow-up, proposed by one side, confirmed by the other."""

    __tablename__ = "adoption_milestone"

    id: int | None = Field(default=None, primary_key=True)
    adoption_id: int = Field(foreign_key="adoption.id", index=True)
    kind: MilestoneKind = Field(sa_type=String(30))
    happened_on: date
    hours: int = Field(default=0, ge=0)  # a mentoring session's
    amount_eur: int = Field(default=0, ge=0)  # a payment's
    note: str = Field(default="", max_length=1000)
    proposed_side: Side = Field(sa_type=String(10))
    proposed_by: int = Field(foreign_key="user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # An optional file (minutes, a photo, a receipt): attached by the side that proposed the
    # milestone until the other side confirms it; stored under our key, never its name.
    file_key: str | None = Field(default=None, max_length=64)
    file_name: str = Field(default="", max_length=120)
    file_type: str = Field(default="", max_length=60)
    file_size: int = Field(default=0, ge=0)
    file_sha256: str = Field(default="", max_length=64)


class ShortlistEntry(SQLModel, table=True):
    """A project a company keeps an eye on, shared by all its representatives (private to
    them); one row per company and project."""

    __tablename__ = "sponsor_shortlist"
    __table_args__ = (UniqueConstraint("sponsor_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    added_by: int = Field(foreign_key="user.id")
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SponsorNote(SQLModel, table=True):
    """A company's private note about a project, seen by its representatives only."""

    __tablename__ = "sponsor_note"

    id: int | None = Field(default=None, primary_key=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    text: str = Field(max_length=2000)
    written_by: int = Field(foreign_key="user.id")
    written_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NameShown(StrEnum):
    """What an adopting company sees of a team member's name (for a minor: what the
    guardians consented to). Nothing, until the coach says otherwise."""

    NOTHING = "nothing"
    FIRST_NAME = "first_name"
    FULL_NAME = "full_name"


class MemberSponsorConsent(SQLModel, table=True):
    """The coach's record of what a member's name may show to the company that adopted the
    team's project; a member without a row shows nothing."""

    __tablename__ = "member_sponsor_consent"

    member_id: int = Field(foreign_key="team_member.id", primary_key=True, ondelete="CASCADE")
    shows: NameShown = Field(default=NameShown.NOTHING, sa_type=String(20))
    set_by: int = Field(foreign_key="user.id")
    set_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
