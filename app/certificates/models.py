"""Issued certificates: one PDF per (recipient, challenge, kind, version), verifiable by code."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class CertificateKind(StrEnum):
    PARTICIPATION = "participation"
    AWARD = "award"
    ADOPTION = "adoption"  # issued when the adoption takes effect (and at results)
    ADOPTION_COMPLETED = "adoption_completed"  # when it is closed as completed
    JUDGE = "judge"


class CertificateStatus(StrEnum):
    PENDING = "pending"  # recorded; the worker has not rendered the PDF yet
    ISSUED = "issued"
    REVOKED = "revoked"


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("challenge_id", "kind", "recipient_key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)  # the public verification code
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    kind: CertificateKind = Field(sa_type=String(20))
    # Who it is for, stable across retries: "member:12", "user:3", "sponsor:5".
    recipient_key: str = Field(max_length=40)
    recipient_name: str = Field(max_length=200)
    # What it is about, shown on the PDF: project title, award name, sponsor name.
    subject: str = Field(default="", max_length=300)
    project_id: int | None = Field(default=None, foreign_key="project.id")
    version: int = 1
    status: CertificateStatus = Field(default=CertificateStatus.PENDING, sa_type=String(20))
    storage_key: str | None = Field(default=None, max_length=64)
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoke_reason: str = Field(default="", max_length=300)
