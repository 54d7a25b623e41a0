"""Input and output shapes of pairwise (expo) rounds."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.db import Id
from app.judging.models import RoundStatus, SkipReason


class VoteIn(BaseModel):
    """Which of the two projects the judge was sent to was better."""

    winner_id: Id = Field(description="The better of the two projects shown.")
    loser_id: Id = Field(description="The other one.")


class SkipIn(BaseModel):
    """The project the judge was sent to cannot be compared."""

    reason: SkipReason = Field(description="absent: nobody at the table; cannot_judge.")


class VoidIn(BaseModel):
    """Whose votes stop counting (the page's form; the API names the judge in the path)."""

    judge_id: Id


class ShownRead(BaseModel):
    project_id: int
    title: str
    team_name: str


class WalkRead(BaseModel):
    """Where the judge goes now, and what to compare it with."""

    round_id: int
    round_name: str
    status: RoundStatus
    started: bool
    previous: ShownRead | None = Field(description="The project seen last.")
    current: ShownRead | None = Field(description="The project to go to now.")
    votes: int = Field(description="The judge's votes that count.")
    can_undo: bool
    done: bool = Field(description="Every project this judge may see has been seen.")


class VoteRead(BaseModel):
    id: int
    round_id: int
    judge_id: int
    judge_name: str
    winner_id: int
    winner_title: str
    loser_id: int
    loser_title: str
    imported: bool
    created_at: datetime
    undone_at: datetime | None
    voided_at: datetime | None


class PairwiseRankingRow(BaseModel):
    rank: int
    project_id: int
    project_title: str
    team_name: str
    strength: float = Field(description="Bradley-Terry strength (log scale, mean 0).")
    stderr: float
    low: float = Field(description="95% interval, low end.")
    high: float
    wins: int
    comparisons: int
    tied_with_better: bool


class PairwiseJudgeRow(BaseModel):
    judge_id: int
    name: str
    votes: int = Field(description="Votes that count.")
    voided: int
    reliability: float = Field(description="Crowd-BT's estimate that the judge's votes are right.")


class PairwiseRankingRead(BaseModel):
    round_id: int
    status: RoundStatus
    valid_votes: int
    skips: int
    rows: list[PairwiseRankingRow]
    judges: list[PairwiseJudgeRow]


class VoidRead(BaseModel):
    voided: int


class ImportRead(BaseModel):
    imported: int
    already_there: int
