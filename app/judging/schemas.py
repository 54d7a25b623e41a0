"""Input and output shapes for rubrics, rounds, assignments, scores, rankings and results."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.db import Id
from app.errors import ValidationFailed
from app.fields import (
    BlankIsDefault,
    Checkbox,
    Email,
    OneLine,
    OptionalDatetime,
    OptionalId,
    Stripped,
    Text,
)
from app.forms import validate
from app.i18n import gettext as _
from app.i18n import ngettext
from app.judging.models import (
    Aggregation,
    AwardKind,
    ConflictKind,
    OthersScores,
    RoundKind,
    RoundScope,
    RoundStatus,
)

CRITERIA_ROWS = 6  # rows on the rubric form; more criteria make a slow phone form anyway
MAX_SCALE_STEPS = 10  # a scale must fit as buttons on a phone


class CriterionIn(BaseModel):
    name: OneLine = Field(min_length=1, max_length=80)
    # Before the weight, which is checked against it.
    independent: Checkbox = Field(
        default=False, description="Scored and shown, but not in the weighted total."
    )
    weight: Annotated[int, Field(ge=0, le=100), BlankIsDefault(0)] = Field(
        default=0,
        description="Percent; the counted criteria's weights add up to 100. "
        "An independent criterion has none (0).",
    )
    guidance: Text = Field(default="", max_length=500)

    @field_validator("weight")
    @classmethod
    def _weight_or_independent(cls, value: int, info: ValidationInfo) -> int:
        independent = info.data.get("independent", False)
        if independent and value:
            raise ValueError(
                _("An independent criterion is not in the total: leave its weight empty.")
            )
        if not independent and not value:
            raise ValueError(
                _("Give the criterion a weight from 1 to 100, or mark it independent.")
            )
        return value


class RubricCreate(BaseModel):
    name: OneLine = Field(min_length=1, max_length=120)
    scale_min: int = Field(default=1, ge=0, le=10)
    scale_max: int = Field(default=5, ge=1, le=20)
    comment_required: Checkbox = Field(
        default=False, description="A sheet cannot be submitted without a comment."
    )
    criteria: list[CriterionIn] = Field(min_length=1, max_length=12)

    @field_validator("scale_max")
    @classmethod
    def _scale(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("scale_min")
        if low is not None and value <= low:
            raise ValueError(_("The highest score must be above the lowest."))
        if low is not None and value - low > MAX_SCALE_STEPS:
            n = MAX_SCALE_STEPS + 1
            raise ValueError(
                ngettext(
                    "A scale may have at most %(n)s step.",
                    "A scale may have at most %(n)s steps.",
                    n,
                )
                % {"n": n}
            )
        return value

    @field_validator("criteria")
    @classmethod
    def _weights(cls, value: list[CriterionIn]) -> list[CriterionIn]:
        total = sum(c.weight for c in value if not c.independent)
        if total != 100:
            raise ValueError(
                _(
                    "The weights of the criteria in the total must add up to 100; "
                    "now they add up to %(total)s."
                )
                % {"total": total}
            )
        names = [c.name.casefold() for c in value]
        if len(set(names)) != len(names):
            raise ValueError(_("Two criteria have the same name."))
        return value


def rubric_from_form(values: Mapping[str, str]) -> RubricCreate:
    """The rubric form's fields (criteria-<row>-name, ...) as a rubric; blank rows skipped."""
    errors: dict[str, str] = {}
    criteria: list[dict[str, str]] = []
    for row in range(CRITERIA_ROWS):
        fields = {f: values.get(f"criteria-{row}-{f}", "") for f in ("name", "weight", "guidance")}
        if not any(v.strip() for v in fields.values()):
            continue
        if values.get(f"criteria-{row}-independent"):
            fields["independent"] = values[f"criteria-{row}-independent"]
        try:
            validate(CriterionIn, fields)
        except ValidationFailed as exc:
            errors.update({f"criteria-{row}-{key}": msg for key, msg in exc.errors.items()})
        criteria.append(fields)
    top = {
        k: values[k]
        for k in ("name", "scale_min", "scale_max", "comment_required")
        if values.get(k, "") != ""
    }
    try:
        rubric = validate(RubricCreate, {**top, "criteria": criteria})
    except ValidationFailed as exc:
        # A row's own message is named by its row above; the list's indices skip blank rows.
        found = {k: v for k, v in exc.errors.items() if not k.startswith("criteria-")}
        if errors:  # the rows' own messages say more than "the list is wrong"
            found.pop("criteria", None)
        if not criteria:
            found["criteria"] = _("Add at least one criterion.")
        errors.update(found)
        raise ValidationFailed(errors) from None
    if errors:
        raise ValidationFailed(errors)
    return rubric


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class RoundSettings(BaseModel):
    """When a round opens and closes by itself, which projects it judges, what its judges
    see, and whether the teams read their comments. A time without a zone is the
    challenge's local time."""

    opens_at: OptionalDatetime = Field(default=None, description="The round opens by itself.")
    closes_at: OptionalDatetime = Field(default=None, description="The round closes by itself.")
    scope: RoundScope = Field(default=RoundScope.ALL, description="Which projects it judges.")
    scope_track_id: OptionalId = Field(default=None, description="With scope `track`.")
    shortlist_round_id: OptionalId = Field(
        default=None, description="With scope `shortlist`: a closed round of the challenge."
    )
    shortlist_size: Annotated[int | None, Field(ge=1, le=1000), BeforeValidator(_blank_is_none)] = (
        Field(default=None, description="With scope `shortlist`: its top N (ties included).")
    )
    others_scores: OthersScores = Field(
        default=OthersScores.NEVER, description="When judges see the other judges' scores."
    )
    hide_team_names: Checkbox = Field(
        default=False, description='Judges see "Project 12" instead of the team\'s name.'
    )
    team_feedback: Checkbox = Field(
        default=False,
        description="Teams read the judges' comments, anonymised, once results are published.",
    )
    track_rubrics: dict[Id, Id] = Field(
        default_factory=dict,
        max_length=100,
        description="Track id -> rubric id: that track's projects are scored with that rubric.",
    )


class RoundCreate(RoundSettings):
    name: OneLine = Field(min_length=1, max_length=120)
    kind: RoundKind = Field(default=RoundKind.RUBRIC, description="How the round is judged.")
    rubric_id: OptionalId = Field(default=None, description="Required for a rubric round only.")
    judges_per_project: int = Field(default=2, ge=1, le=20)
    aggregation: Aggregation = Field(
        default=Aggregation.JUDGE_EFFECT, description="How the winners are decided."
    )

    @model_validator(mode="after")
    def _rubric_only_for_rubric_rounds(self) -> RoundCreate:
        if self.kind == RoundKind.RUBRIC and self.rubric_id is None:
            raise ValueError(_("A rubric round needs a rubric."))
        if self.kind != RoundKind.RUBRIC and self.rubric_id is not None:
            raise ValueError(_("Only a rubric round is scored with a rubric."))
        return self


TRACK_RUBRIC_PREFIX = "track_rubric-"


def round_settings_from_form(values: Mapping[str, str]) -> RoundSettings:
    """The settings form: every field is sent (an unticked box is "no"), and one choice of
    rubric per track (track_rubric-<track id>; empty is the round's own rubric)."""
    data: dict[str, object] = {
        name: values.get(name, "") for name in RoundSettings.model_fields if name != "track_rubrics"
    }
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if not key.startswith(TRACK_RUBRIC_PREFIX) or not raw.strip():
            continue
        track = key.removeprefix(TRACK_RUBRIC_PREFIX)
        if not (track.isascii() and track.isdigit() and raw.isascii() and raw.isdigit()):
            errors[key] = _("Please choose one of the options.")
        else:
            chosen[track[:12]] = raw[:12]
    data["track_rubrics"] = chosen
    try:
        found = validate(RoundSettings, data)
    except ValidationFailed as exc:
        raise ValidationFailed({**_track_keys(exc.errors), **errors}) from None
    if errors:
        raise ValidationFailed(errors)
    return found


def _track_keys(errors: dict[str, str]) -> dict[str, str]:
    """A refused track rubric is named by its form field."""
    return {
        (TRACK_RUBRIC_PREFIX + k.split("-")[1] if k.startswith("track_rubrics-") else k): v
        for k, v in errors.items()
    }


class AggregationChoice(BaseModel):
    """How a round's winners are decided; it can change only before the round opens."""

    aggregation: Aggregation


class JudgeAdd(BaseModel):
    email: Email = Field(max_length=254)


class ScoresIn(BaseModel):
    """A judge's scores: criterion id -> value; criteria left out keep their score."""

    # A score is a JSON whole number: "4", 4.0, true or 5.5 are refused, not read as 4, 4, 1, 5.
    scores: dict[int, StrictInt] = Field(default_factory=dict)
    # The limit on the text, before the validator: on the optional it would count "items",
    # and the message would not say how long a comment may be.
    comment: Annotated[str, Field(max_length=2000), Stripped] | None = None


def scores_from_form(values: Mapping[str, str]) -> ScoresIn:
    """The score form's radio buttons (criterion-<id>) and comment as ScoresIn."""
    scores: dict[int, int] = {}
    errors: dict[str, str] = {}
    for key, raw in values.items():
        if not key.startswith("criterion-") or raw == "":
            continue
        ident = key.removeprefix("criterion-")
        if not (ident.isascii() and ident.isdigit()) or len(ident) > 18:
            errors[key] = _("This criterion is not part of the rubric.")
        elif not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 6:
            errors[key] = _("Please enter a whole number.")
        else:
            scores[int(ident)] = int(raw)
    if errors:
        raise ValidationFailed(errors)
    return validate(ScoresIn, {"scores": scores, "comment": values.get("comment", "")})


class CriterionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    weight: int
    independent: bool
    guidance: str
    position: int


class RubricRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    name: str
    scale_min: int
    scale_max: int
    comment_required: bool
    criteria: list[CriterionRead]


class RoundRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    challenge_id: int
    kind: RoundKind
    rubric_id: int | None
    name: str
    status: RoundStatus
    judges_per_project: int
    aggregation: Aggregation
    opened_at: datetime | None
    closed_at: datetime | None
    opens_at: datetime | None
    closes_at: datetime | None
    scope: RoundScope
    scope_track_id: int | None
    shortlist_round_id: int | None
    shortlist_size: int | None
    others_scores: OthersScores
    hide_team_names: bool
    team_feedback: bool
    track_rubrics: dict[int, int] = Field(
        default_factory=dict, description="Track id -> rubric id, where not the round's own."
    )


class JudgeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str


class OtherScoresRead(BaseModel):
    """The other judges' scores of a project the judge scores, named "Judge 1", "Judge 2"."""

    assignment_id: int
    judges: dict[str, dict[int, int]] = Field(description="Judge label -> criterion id -> value.")


class PlaceRead(BaseModel):
    """A project's place in one closed round, and how that round decided."""

    rank: int = Field(description="1 is first.")
    count: int = Field(description="How many projects the round ranked.")
    score: float = Field(description="The project's score in the round's method.")
    interval_low: float = Field(description="95% interval of the score.")
    interval_high: float
    tied: bool = Field(
        description="Statistically tied with a project next to it in the ranking (their "
        "intervals overlap): the order between them is not certain."
    )
    winner_title: str = Field(description="The title of the project that came first.")
    method: Literal["raw_mean", "z_score", "judge_effect", "bradley_terry"] = Field(
        description="How the round decided: a rubric round's aggregation, or bradley_terry "
        "for a pairwise round (a fit of the judges' comparisons)."
    )


class FeedbackRead(BaseModel):
    """One closed round's result for a team's project, once results are published: its
    place (if the round ranked it) and the judges' comments, anonymised (if the organisers
    shared them)."""

    project_id: int
    round_id: int
    round_name: str
    place: PlaceRead | None = Field(description="None when the round did not rank the project.")
    comments: dict[str, str] = Field(
        description='"Judge 1" -> comment; empty when the organisers did not share them.'
    )


class AllocationRead(BaseModel):
    round_id: int
    assignments: int
    loads: dict[int, int] = Field(description="Judge id -> number of projects.")


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    round_id: int
    round_status: RoundStatus
    project_id: int
    project_title: str
    scores: dict[int, int]
    comment: str
    submitted_at: datetime | None
    recused_at: datetime | None
    recusal_reason: str


class RankingRow(BaseModel):
    project_id: int
    project_title: str
    team_name: str
    track_id: int | None
    judges: int
    low: float
    high: float
    raw_mean: float
    raw_rank: int
    z_mean: float
    z_rank: int
    adjusted: float
    adjusted_rank: int
    score: float = Field(description="The score in the round's chosen aggregation.")
    rank: int = Field(description="The rank in the round's chosen aggregation.")
    interval_low: float = Field(description="95% bootstrap interval over the judges.")
    interval_high: float
    tied_with_better: bool = Field(
        description="The interval overlaps the next better project's: statistically tied."
    )
    independent: dict[str, float] = Field(
        default_factory=dict,
        description="Criterion name -> mean, for the independent criteria (not in the total).",
    )


class AgreementRead(BaseModel):
    icc: float | None = Field(description="ICC(1) of the weighted scores.")
    icc_adjusted: float | None = Field(description="ICC(1) after removing leniency.")
    kendall_w: float | None = Field(description="Only when every judge scored every project.")


class RoundRanking(BaseModel):
    round_id: int
    round_name: str
    status: RoundStatus
    aggregation: Aggregation
    recommended: Aggregation | None
    design: str | None = Field(
        description="empty, complete, single, disconnected or connected: why it is recommended."
    )
    rows: list[RankingRow]
    leniency: dict[int, float] = Field(description="Judge id -> fitted leniency.")
    agreement: AgreementRead | None
    z_notes: dict[int, str] = Field(
        description="Judge id -> few, floor or constant: how their z-scores were made."
    )


class AwardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    rank: int
    project_id: int
    project_title: str
    team_name: str
    track_id: int | None
    score: float | None = Field(description="The jury's score; for the people's choice, votes.")
    kind: AwardKind = Field(description="Decided by the jury's ranking or by the public's vote.")


class ResultsRead(BaseModel):
    challenge_id: int
    published_at: datetime | None
    awards: list[AwardRead]


class Reassign(BaseModel):
    """Give an assignment to another judge of the challenge."""

    judge_id: Id


class JudgeRemoval(BaseModel):
    """What happens to a removed judge's scored sheets in rounds still open."""

    scores: Literal["keep", "discard"]


class AllocationRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    project_title: str
    team_name: str
    judge_id: int
    judge_name: str
    submitted_at: datetime | None
    recused_at: datetime | None


class ConflictDeclare(BaseModel):
    """A judge's conflict of interest: with an institution (all its teams) or one team."""

    kind: ConflictKind
    target_id: Id = Field(description="The institution's or the team's id, as `kind` says.")
    reason: Text = Field(default="", max_length=300)


def conflict_from_form(values: Mapping[str, str]) -> ConflictDeclare:
    """The page's one choice ("institution-3", "team-7") and reason as ConflictDeclare."""
    kind, _dash, target = values.get("target", "").partition("-")
    if kind not in {k.value for k in ConflictKind} or not (target.isascii() and target.isdigit()):
        raise ValidationFailed({"target": _("Please choose one of the options.")})
    found = validate(
        ConflictDeclare,
        {"kind": kind, "target_id": target[:12], "reason": values.get("reason", "")},
    )
    return found


class ConflictWithdraw(BaseModel):
    kind: ConflictKind
    target_id: Id


class ConflictRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    judge_id: int
    judge_name: str
    kind: ConflictKind
    target_id: int
    target_name: str
    reason: str
    declared_at: datetime


class Recusal(BaseModel):
    """Why the judge steps back from an assignment (the organisers read it)."""

    reason: Text = Field(min_length=1, max_length=300)


class CoverageRow(BaseModel):
    project_id: int
    project_title: str
    judges: int = Field(description="Judges who have not stepped back.")
    needed: int


class RoundDesignRead(BaseModel):
    """Whether a round's allocation is fair: coverage, linked judges, distinct panels."""

    round_id: int
    judges_per_project: int
    coverage: list[CoverageRow]
    short: list[int] = Field(description="Projects with fewer judges than needed.")
    groups: list[list[int]] = Field(
        description="Judge ids in groups linked through shared projects; one group is fair."
    )
    connected: bool
    distinct_panels: int
    repeated_panels: int
    loads: dict[int, int] = Field(description="Judge id -> projects.")


# --- The people's-choice vote ---

MAX_VOID_AT_ONCE = 500


class VoteIn(BaseModel):
    """A vote in a public-vote round: a person logged in with a confirmed address needs no
    e-mail; anyone else gives one and is sent a link to confirm the vote."""

    project_id: Id
    email: Annotated[Email, Field(max_length=254)] | None = Field(
        default=None, description="Where the confirmation link goes (visitors without an account)."
    )

    @field_validator("email", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class VoteCast(BaseModel):
    round_id: int
    project_id: int
    status: Literal["counted", "pending_confirmation"] = Field(
        description="counted: the vote counts now; pending_confirmation: a link was e-mailed."
    )


class VoteConfirm(BaseModel):
    token: str = Field(min_length=1, max_length=500, description="The token of the e-mailed link.")


class VoteConfirmed(BaseModel):
    round_id: int
    project_id: int


class TallyRead(BaseModel):
    project_id: int
    project_title: str
    team_name: str
    votes: int


class FlaggedVoteRead(BaseModel):
    id: int
    email: str = Field(description="Masked: the first letter and the domain.")
    network: str
    project_title: str
    created_at: datetime
    confirmed_at: datetime | None
    counted: bool
    flags: list[str]


class VotesRead(BaseModel):
    round_id: int
    status: RoundStatus
    counted: int
    pending: int
    voided: int
    tally: list[TallyRead]
    flagged: list[FlaggedVoteRead]


class VoidVotes(BaseModel):
    vote_ids: list[Id] = Field(min_length=1, max_length=MAX_VOID_AT_ONCE)
    reason: OneLine = Field(min_length=1, max_length=300)


class VoidedRead(BaseModel):
    voided: list[int]


def void_from_form(values: Mapping[str, str]) -> VoidVotes:
    """The organisers' form: a checkbox per flagged vote (`vote-<id>`) and a reason."""
    ids = [key.removeprefix("vote-") for key in values if key.startswith("vote-")]
    return validate(VoidVotes, {"vote_ids": ids, "reason": values.get("reason", "")})
