"""What happens in judging: rubrics, rounds, scores and published results."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class RoundOpened(DomainEvent):
    """Judges may score the round's assignments from now on."""

    challenge_id: int
    round_id: int


class RoundClosed(DomainEvent):
    """The round's scores are final."""

    challenge_id: int
    round_id: int


class PairwiseVotesChanged(DomainEvent):
    """A pairwise round's valid votes changed (a vote, an undo, a void, an import)."""

    challenge_id: int
    round_id: int


class PublicVotesChanged(DomainEvent):
    """A people's vote's count changed: a vote counted (at once, or its link confirmed) or
    ballots voided."""

    challenge_id: int
    round_id: int


class ScoreSubmitted(DomainEvent):
    """A judge has scored every criterion of one assignment."""

    challenge_id: int
    round_id: int
    assignment_id: int
    project_id: int
    judge_id: int


class ResultsPublished(DomainEvent):
    """The challenge's awards are fixed and public: certificates are issued on this."""

    challenge_id: int


class RoundNotOpened(DomainEvent):
    """A round could not open by itself at its date (no judges assigned yet): the
    organisers are told; it opens as soon as it can, until then it stays in preparation."""

    challenge_id: int
    round_id: int


class JudgeRemoved(DomainEvent):
    """The organisers took a judge's role away (their scores kept or discarded)."""

    challenge_id: int
    judge_id: int
    keep_scores: bool


class JudgeRecused(DomainEvent):
    """A judge stepped back from an assignment: the project waits for another judge."""

    challenge_id: int
    round_id: int
    assignment_id: int
    project_id: int
    judge_id: int


RUBRIC_CREATED = action("rubric.created")
ROUND_CREATED = action("round.created")
JUDGES_ASSIGNED = action("round.judges_assigned")
ROUND_OPENED = action("round.opened")
ROUND_CLOSED = action("round.closed")
SCORES_SAVED = action("scores.saved")
RESULTS_PUBLISHED = action("results.published")
ASSIGNMENT_REMOVED = action("assignment.removed")
ASSIGNMENT_REASSIGNED = action("assignment.reassigned")
JUDGE_REMOVED = action("judge.removed")
CONFLICT_DECLARED = action("conflict.declared")
CONFLICT_WITHDRAWN = action("conflict.withdrawn")
ASSIGNMENT_RECUSED = action("assignment.recused")
AGGREGATION_CHOSEN = action("round.aggregation_chosen")
PAIRWISE_STARTED = action("pairwise.started")
PAIRWISE_VOTED = action("pairwise.voted")
PAIRWISE_SKIPPED = action("pairwise.skipped")
PAIRWISE_UNDONE = action("pairwise.undone")
PAIRWISE_VOIDED = action("pairwise.voided")
PAIRWISE_IMPORTED = action("pairwise.imported")
ROUND_SETTINGS_CHANGED = action("round.settings_changed")
ROUND_OPEN_FAILED = action("round.open_failed")


class VoteRequested(DomainEvent):
    """A visitor chose a project in a public vote: their address is sent a link to confirm
    it (the vote counts once confirmed). `nonce` names the link, so a handler of an older
    request sends nothing once a newer one replaced it."""

    challenge_id: int
    round_id: int
    vote_id: int
    nonce: str
    locale: str


VOTE_CAST = action("public_vote.cast")
VOTE_REQUESTED = action("public_vote.requested")
VOTE_CONFIRMED = action("public_vote.confirmed")
VOTES_VOIDED = action("public_vote.voided")
