"""Input and output shapes of invitations."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.accounts.models import RoleKind
from app.accounts.schemas import PASSWORD
from app.db import Id
from app.fields import BlankIsDefault, OneLine, OptionalId, Text
from app.i18n import gettext as _
from app.invitations.models import INVITABLE_ROLES, InvitationStatus

MAX_ADDRESSES = 500  # per request: a school network's judges and teachers, not a mailing list
MAX_LINE = 320  # an address is at most 254; a CSV line may carry a name beside it
MAX_LIST_CHARS = MAX_ADDRESSES * (MAX_LINE + 2)  # a pasted list or CSV file, at most
DEFAULT_DAYS = 7
MAX_DAYS = 30
_CELLS = re.compile(r"[,;\t]")
_HEADERS = {
    "email",
    "e-mail",
    "mail",
    "address",
    "email address",
    "e-mail address",
    "indirizzo",
    "indirizzo e-mail",
    "posta elettronica",
}


def _invitable(value: RoleKind) -> RoleKind:
    if value not in INVITABLE_ROLES:
        raise ValueError(_("Please choose one of the options."))
    return value


class InvitationForm(BaseModel):
    """The page's form: addresses pasted one a line (or a CSV uploaded beside them)."""

    kind: RoleKind
    sponsor_id: OptionalId = None
    emails: Text = Field(default="", max_length=MAX_LIST_CHARS)
    days: Annotated[int, BlankIsDefault(DEFAULT_DAYS)] = Field(
        default=DEFAULT_DAYS, ge=1, le=MAX_DAYS
    )

    _kind = field_validator("kind")(_invitable)


class InvitationCreate(BaseModel):
    """Invite addresses to one role (a sponsor's representatives name the sponsor)."""

    kind: RoleKind
    sponsor_id: Id | None = None
    emails: list[Annotated[str, Field(max_length=MAX_LINE)]] = Field(
        min_length=1, max_length=MAX_ADDRESSES
    )
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS)

    _kind = field_validator("kind")(_invitable)


class AcceptSignup(BaseModel):
    """A new account made from an invitation: the address is the invitation's."""

    name: OneLine = Field(min_length=1, max_length=120)
    password: str = PASSWORD


def address_lines(text: str) -> list[tuple[int, str]]:
    """(line number, address as written) of pasted text or a CSV: blank lines and a header
    (a first line without an @ naming an e-mail column) are skipped; on a line of several
    cells the address is the first cell with an @."""
    found: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line:
            continue
        cells = [cell.strip().strip('"').strip() for cell in _CELLS.split(line)]
        address = next((cell for cell in cells if "@" in cell), None)
        if address is None:
            if number == 1 and any(cell.lower() in _HEADERS for cell in cells):
                continue
            address = line
        found.append((number, address))
    return found


# --- Output shapes of the JSON API ---


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    kind: RoleKind
    sponsor_id: int | None
    status: InvitationStatus = Field(description="pending, accepted, revoked or expired")
    sent_count: int
    created_at: datetime
    sent_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class LineRefusal(BaseModel):
    line: int = Field(description="The address's position in the list, from 1")
    email: str
    message: str


class InvitationReport(BaseModel):
    """The addresses invited, and those refused, each with its reason."""

    invited: list[InvitationRead]
    refused: list[LineRefusal]


# --- A company's representatives invite their colleagues ---


class ColleagueForm(BaseModel):
    """The company page's form: colleagues' addresses pasted one a line."""

    emails: Text = Field(default="", max_length=MAX_LIST_CHARS)
    days: Annotated[int, BlankIsDefault(DEFAULT_DAYS)] = Field(
        default=DEFAULT_DAYS, ge=1, le=MAX_DAYS
    )


class ColleagueInvite(BaseModel):
    """Invite colleagues to represent the company in every challenge it joins."""

    emails: list[Annotated[str, Field(max_length=MAX_LINE)]] = Field(
        min_length=1, max_length=MAX_ADDRESSES
    )
    days: int = Field(default=DEFAULT_DAYS, ge=1, le=MAX_DAYS)


class ColleagueRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class CompanyRepresentativesRead(BaseModel):
    """Who represents the company, and the colleagues invited who have not answered yet."""

    company_id: int
    representatives: list[ColleagueRead]
    invitations: list[InvitationRead]
