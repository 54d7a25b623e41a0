"""An invitation to a role in a challenge, sent to an e-mail address."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.accounts.models import RoleKind, new_nonce
from app.db import UTCDateTime, utcnow


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    # Never stored: a pending invitation past its `expires_at` is shown as expired.
    EXPIRED = "expired"


# The roles an invitation may carry (participants join through their coach's team).
INVITABLE_ROLES = (RoleKind.JUDGE, RoleKind.ORGANISER, RoleKind.COACH, RoleKind.SPONSOR)


def open_key(kind: RoleKind, sponsor_id: int | None) -> str:
    """What makes two open invitations the same: role and sponsor."""
    return f"{kind.value}:{sponsor_id or 0}"


def company_open_key(company_id: int) -> str:
    """A colleague's open invitation to a company (one per address, whatever the challenge:
    the service checks it holding the company's row)."""
    return f"company:{company_id}"


class Invitation(SQLModel, table=True):
    """One address invited to one role (of one sponsor, for representatives).

    `open_key` is set while the invitation is pending and cleared when it is accepted or
    revoked: the unique constraint keeps one open invitation per address, role and sponsor
    (NULLs are distinct, so closed ones pile up as history)."""

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("challenge_id", "email", "open_key"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    email: str = Field(max_length=254)  # app.fields.normalise_email's form
    kind: RoleKind = Field(sa_type=String(20))
    sponsor_id: int | None = Field(default=None, foreign_key="sponsor.id")
    # A representative inviting a colleague to the whole company (every challenge it joins):
    # the challenge and sponsor are the company's latest participation, the link's context.
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    invited_by: int = Field(foreign_key="user.id")
    # The language of the e-mail when the address has no account yet (the inviter's).
    locale: str = Field(default="it", max_length=5)
    status: InvitationStatus = Field(default=InvitationStatus.PENDING, sa_type=String(20))
    open_key: str | None = Field(default=None, max_length=40)
    # Signed into the link and replaced at every resend, acceptance or revocation, so only
    # the latest link works, and once.
    nonce: str = Field(default_factory=new_nonce, max_length=32)
    sent_count: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_by: int | None = Field(default=None, foreign_key="user.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    def shown_status(self, now: datetime) -> InvitationStatus:
        if self.status == InvitationStatus.PENDING and self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return self.status
