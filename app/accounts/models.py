"""People, their sessions and API tokens, and the roles they hold per challenge."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class RoleKind(StrEnum):
    ORGANISER = "organiser"
    JUDGE = "judge"
    COACH = "coach"
    PARTICIPANT = "participant"
    SPONSOR = "sponsor"
    MENTOR = "mentor"


def new_nonce() -> str:
    return secrets.token_hex(16)


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # app.fields.normalise_email's form
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_admin: bool = False
    # Creating challenges and programmes is a right a platform administrator grants: a
    # public challenge speaks for a territory, so not any account may start one.
    may_create_challenges: bool = False
    is_active: bool = True
    locale: str = Field(default="it", max_length=5)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When the person opened the link sent to `email`: until then no role is granted to it.
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Signed into every e-mailed link (verification, password reset) and replaced when one
    # is used or the password changes, so each link works once.
    link_nonce: str = Field(default_factory=new_nonce, max_length=32)
    # Two-factor login (TOTP): the secret once confirmed, and the last time step used, so a
    # code is accepted once.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_last_step: int = 0

    @property
    def can_create_challenges(self) -> bool:
        return self.is_admin or self.may_create_challenges


class RecoveryCode(SQLModel, table=True):
    """One of the ten single-use codes that log in without the authenticator (hashed)."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserSession(SQLModel, table=True):
    """A login. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_agent: str = Field(default="", max_length=300)


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=12)  # shown to the owner to tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Role(SQLModel, table=True):
    """A person's role in one challenge: every permission check starts here."""

    __tablename__ = "role"
    __table_args__ = (UniqueConstraint("user_id", "challenge_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    kind: RoleKind = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
