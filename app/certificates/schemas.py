"""Input and output shapes for certificates."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.certificates.models import CertificateKind, CertificateStatus
from app.i18n import gettext as _


class CertificateRevoke(BaseModel):
    reason: str = Field(min_length=1, max_length=300)

    @field_validator("reason")
    @classmethod
    def _words(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError(_("This field is required."))
        if len(value) < 3:
            raise ValueError(_("Please give the reason in a few words."))
        return value


class CertificateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    challenge_id: int
    kind: CertificateKind
    recipient_name: str
    subject: str
    version: int
    status: CertificateStatus
    sha256: str | None
    created_at: datetime
    issued_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str


class CertificateVerification(BaseModel):
    """What anyone holding the code may learn: is it genuine, and what does it say."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    status: CertificateStatus
    valid: bool = Field(description="Issued and not revoked.")
    kind: CertificateKind
    recipient_name: str
    challenge_title: str
    subject: str
    version: int
    issued_at: datetime | None
    sha256: str | None = Field(description="SHA-256 of the PDF, to compare with a copy.")
    revoked_at: datetime | None
    revoke_reason: str
    pdf_url: str | None
