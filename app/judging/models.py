"""Rubrics with weighted criteria, judging rounds, assignments, scores and awards."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class RoundKind(StrEnum):
    """How a round is judged: a rubric score sheet, pairwise comparisons at the expo, or
    the public's vote."""

    RUBRIC = "rubric"
    PAIRWISE = "pairwise"
    PUBLIC_VOTE = "public_vote"


class Aggregation(StrEnum):
    """How a round's winners are decided (app.judging.ranking explains each)."""

    RAW_MEAN = "raw_mean"
    Z_SCORE = "z_score"
    JUDGE_EFFECT = "judge_effect"


class RoundScope(StrEnum):
    """Which projects a round judges."""

    ALL = "all"  # every submitted project of the challenge
    TRACK = "track"  # the submitted projects of one track
    SHORTLIST = "shortlist"  # the top N of a previous closed round, by its aggregation


class OthersScores(StrEnum):
    """When a judge may read the other judges' scores of a project they judge."""

    NEVER = "never"
    AFTER_SUBMITTING = "after_submitting"  # once their own sheet of it is complete
    ALWAYS = "always"


class Rubric(SQLModel, table=True):
    __tablename__ = "rubric"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    name: str = Field(max_length=120)
    scale_min: int = 1
    scale_max: int = 5
    # A sheet is complete only with a comment (the organisers want every score explained).
    comment_required: bool = False


class Criterion(SQLModel, table=True):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("rubric_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    rubric_id: int = Field(foreign_key="rubric.id", index=True)
    name: str = Field(max_length=80)
    guidance: str = Field(default="", max_length=500)
    # Percent; the counted criteria's weights add up to 100. An independent criterion is
    # scored and shown but weighs 0: it is not in the total (e.g. "Fit with the sponsor").
    weight: int = Field(ge=0, le=100)
    independent: bool = False
    position: int = 0


class Round(SQLModel, table=True):
    __tablename__ = "judging_round"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    kind: RoundKind = Field(default=RoundKind.RUBRIC, sa_type=String(20))
    # Only rubric rounds have one: pairwise and public-vote rounds compare or count.
    rubric_id: int | None = Field(default=None, foreign_key="rubric.id")
    name: str = Field(max_length=120)
    status: RoundStatus = Field(default=RoundStatus.DRAFT, sa_type=String(20))
    judges_per_project: int = Field(default=2, ge=1, le=20)
    # Fixed when the round opens.
    aggregation: Aggregation = Field(default=Aggregation.JUDGE_EFFECT, sa_type=String(20))
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # When the round opens and closes by itself (app.judging.schedule); either may be empty.
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set when the round could not open by itself at `opens_at` and the organisers were told
    # (once per date: changing the date clears it); the schedule keeps trying meanwhile.
    open_failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    scope: RoundScope = Field(default=RoundScope.ALL, sa_type=String(20))
    scope_track_id: int | None = Field(default=None, foreign_key="track.id")
    shortlist_round_id: int | None = Field(default=None, foreign_key="judging_round.id")
    shortlist_size: int | None = None
    others_scores: OthersScores = Field(default=OthersScores.NEVER, sa_type=String(20))
    hide_team_names: bool = False
    # The teams read their judges' comments, anonymised, once the results are published.
    team_feedback: bool = False


class TrackRubric(SQLModel, table=True):
    """A round scores one track's projects with another rubric (of the same scale)."""

    __tablename__ = "track_rubric"
    __table_args__ = (UniqueConstraint("round_id", "track_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    track_id: int = Field(foreign_key="track.id")
    rubric_id: int = Field(foreign_key="rubric.id")


class Assignment(SQLModel, table=True):
    """A judge asked to score one project in one round; submitted once all criteria are."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    judge_id: int = Field(foreign_key="user.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    comment: str = Field(default="", max_length=2000)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The judge stepped back (a conflict found late): the project waits for another judge.
    recused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recusal_reason: str = Field(default="", max_length=300)


class ConflictKind(StrEnum):
    INSTITUTION = "institution"  # the judge works at or for this school, company...
    TEAM = "team"  # the judge knows this team (a relative, a former pupil...)


class JudgeConflict(SQLModel, table=True):
    """A conflict of interest a judge declared (or stepped back from a project for):
    never assigned to the team, or to any team of the institution."""

    __tablename__ = "judge_conflict"
    __table_args__ = (UniqueConstraint("challenge_id", "judge_id", "kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    judge_id: int = Field(foreign_key="user.id", index=True)
    kind: ConflictKind = Field(sa_type=String(20))
    target_id: int  # an institution's or a team's id, as `kind` says
    reason: str = Field(default="", max_length=300)
    declared_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Score(SQLModel, table=True):
    __tablename__ = "score"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    criterion_id: int = Field(foreign_key="criterion.id")
    value: int
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AwardKind(StrEnum):
    """Who decided an award: the jury's ranking, or the public's vote (its own award, never
    mixed into the jury's ranking)."""

    JURY = "jury"
    PUBLIC_VOTE = "public_vote"


class Award(SQLModel, table=True):
    """A ranking outcome, fixed when results are published.

    Ties are not broken, so two projects may share an award's rank; one award of a name
    per project.
    """

    __tablename__ = "award"
    __table_args__ = (UniqueConstraint("challenge_id", "name", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenge.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    track_id: int | None = Field(default=None, foreign_key="track.id")
    name: str = Field(max_length=160)
    rank: int = Field(default=1, ge=1)
    score: float | None = None  # the jury's score; for a people's choice, the votes
    kind: AwardKind = Field(default=AwardKind.JURY, sa_type=String(20))


class PublishedPlace(SQLModel, table=True):
    """A project's place in a round's ranking, fixed when the results are published (every
    round is closed then): the team's page and the public results tell it without ranking the
    round again."""

    __tablename__ = "published_place"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    rank: int = Field(ge=1)
    projects: int = Field(ge=1)  # ranked in the round
    score: float
    interval_low: float
    interval_high: float
    # Statistically tied with the project above or below it: the order is not certain.
    tied_above: bool = False
    tied_below: bool = False
    winner_id: int = Field(foreign_key="project.id")  # the first of the round's ranking


class SkipReason(StrEnum):
    ABSENT = "absent"  # nobody at the table
    CANNOT_JUDGE = "cannot_judge"  # the judge cannot judge it (a language, a conflict found late)


class PairwiseVote(SQLModel, table=True):
    """One decision of a pairwise round: the judge found `winner` better than `loser`.

    Raw and never deleted: an undo or an organiser's void marks it, and the ranking is refitted
    from the votes neither undone nor voided.
    """

    __tablename__ = "pairwise_vote"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    judge_id: int = Field(foreign_key="user.id", index=True)
    winner_id: int = Field(foreign_key="project.id")
    loser_id: int = Field(foreign_key="project.id")
    # Of the two, the one the judge had seen first (unknown for imported votes): an undo shows
    # the judge the same pair in the same order again.
    previous_id: int | None = Field(default=None, foreign_key="project.id")
    imported: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PairwiseSkip(SQLModel, table=True):
    """A project a judge was sent to and could not compare."""

    __tablename__ = "pairwise_skip"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    judge_id: int = Field(foreign_key="user.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    reason: SkipReason = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PairwiseJudge(SQLModel, table=True):
    """A judge's walk through a pairwise round: the project seen last, the one to see now, and
    what the votes so far say of the judge's reliability (Crowd-BT's Beta(alpha, beta))."""

    __tablename__ = "pairwise_judge"
    __table_args__ = (UniqueConstraint("round_id", "judge_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    judge_id: int = Field(foreign_key="user.id", index=True)
    previous_id: int | None = Field(default=None, foreign_key="project.id")
    current_id: int | None = Field(default=None, foreign_key="project.id")
    current_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    alpha: float = 10.0
    beta: float = 1.0


class PairwiseItem(SQLModel, table=True):
    """What a pairwise round's votes so far say of one project: Crowd-BT's N(mu, sigma_sq),
    and how many times a judge was sent to it."""

    __tablename__ = "pairwise_item"
    __table_args__ = (UniqueConstraint("round_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    mu: float = 0.0
    sigma_sq: float = 1.0
    views: int = 0


class PublicVote(SQLModel, table=True):
    """One voter's ballot in a public-vote round: one row per verified address per round.

    `project_id` is the vote that counts (None until an e-mailed link first confirmed one);
    `pending_project_id` the choice an e-mailed link waits to confirm (a changed vote counts
    only once confirmed). `nonce` is in the link: replaced by every new link and by the
    confirmation, so a link works once and an older one stops working. A voided ballot
    never counts again, and its address cannot vote again in the round.
    """

    __tablename__ = "public_vote"
    __table_args__ = (UniqueConstraint("round_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="judging_round.id", index=True)
    email: str = Field(max_length=254)  # app.fields.normalise_email's form
    user_id: int | None = Field(default=None, foreign_key="user.id")
    project_id: int | None = Field(default=None, foreign_key="project.id")
    pending_project_id: int | None = Field(default=None, foreign_key="project.id")
    nonce: str = Field(max_length=64)
    network: str = Field(max_length=64)  # the voter's /24 (IPv4) or /64 (IPv6)
    # No account with the address, or one made within a day before the vote.
    new_voter: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    voided_by: int | None = Field(default=None, foreign_key="user.id")
    void_reason: str = Field(default="", max_length=300)
