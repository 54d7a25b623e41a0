"""Output shapes of the reports' API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor_id: int | None
    actor_name: str | None
    subject_type: str
    subject_id: str
    challenge_id: int | None
    data: dict[str, Any]


class AuditPageRead(BaseModel):
    """One page of the audit log, newest first, with the filters it was read with."""

    model_config = ConfigDict(from_attributes=True)

    total: int
    page: int
    pages: int
    entries: list[AuditEntryRead]
