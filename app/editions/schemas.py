"""Input and output shapes for editions, promotions and a project's history."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, Field

from app.db import Id
from app.errors import ValidationFailed
from app.forms import validate
from app.i18n import gettext as _
from app.teams.promotion import MAX_TEAMS

TEAM_FIELD = re.compile(r"team-(\d{1,9})")  # a ticked box of the promotion form


class PromotionInput(BaseModel):
    to_challenge_id: Id
    team_ids: list[Id] = Field(max_length=MAX_TEAMS)


def parse_promotion(values: Mapping[str, str]) -> PromotionInput:
    """The promotion form: the stage to move on to, and a box per team ("team-<id>")."""
    team_ids = [int(m.group(1)) for key in values if (m := TEAM_FIELD.fullmatch(key))]
    if not team_ids:
        raise ValidationFailed({"team_ids": _("Please choose at least one team.")})
    return validate(
        PromotionInput,
        {"to_challenge_id": values.get("to_challenge_id", ""), "team_ids": team_ids},
    )


class PromotionRead(BaseModel):
    promoted: list[int] = Field(description="The teams made in the next stage.")
    already: list[int] = Field(description="Chosen teams that had moved on before (unchanged).")


class StageRead(BaseModel):
    """One stage of a project's history."""

    challenge_id: int
    challenge_title: str
    stage: int
    project_id: int
    project_title: str
    status: str
    team_id: int
    team_name: str
    awards: list[str]
    adopted_by: list[str]
    certificates: int
    results_published_at: datetime | None
