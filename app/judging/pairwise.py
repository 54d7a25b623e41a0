"""Pairwise (expo) rounds, the judge's side: go to a project, then the next, say which of the
two was better or skip it; undo the last vote.

Every write locks the round's row first: votes of one round are applied one after the other
(each takes a few milliseconds), so the running Crowd-BT beliefs never lose an update, a vote
never lands after the round closed, and a judge's double click finds the pair already voted.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

import numpy as np
from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import Role, RoleKind, User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import insert_or_get, utcnow
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import conflicts as conflicts_service
from app.judging import crowd_bt, events, queries, rounds
from app.judging.models import (
    PairwiseItem,
    PairwiseJudge,
    PairwiseSkip,
    PairwiseVote,
    Round,
    RoundKind,
    RoundStatus,
    SkipReason,
)
from app.teams.models import Project, Team

# Every project is seen this many times before the information gain chooses.
MIN_VIEWS = 2
# A project another judge was sent to this recently is left alone (a queue at one table).
BUSY_FOR = timedelta(minutes=5)


class NotAJudge(Forbidden):
    code = "not_a_judge"
    message = lazy("Only the judges of this challenge judge this round.")


class PairwiseNotOpen(Conflict):
    code = "round_not_open"
    message = lazy("This round is not open: votes can be given only while it is open.")


class NothingToCompare(Conflict):
    code = "nothing_to_compare"
    message = lazy("There is no pair to compare now: start, or go to the next project first.")


class NotThePairShown(Conflict):
    code = "not_the_pair_shown"
    message = lazy("These are not the two projects you were sent to: reload the page.")


class VoteReplayed(Conflict):
    code = "vote_replayed"
    message = lazy("This vote was already recorded.")


class VoteInConflict(Conflict):
    code = "judge_in_conflict"
    message = lazy("You have a conflict of interest with one of these projects: skip it.")


class NothingToUndo(Conflict):
    code = "nothing_to_undo"
    message = lazy("You have no vote to undo.")


class NotInRound(ValidationFailed):
    """A project that is not among the round's projects (rounds.project_ids: its scope)."""

    def __init__(self, field: str) -> None:
        super().__init__({field: _("This project is not in this round.")})


@dataclass(frozen=True)
class Shown:
    project: Project
    team: Team


@dataclass(frozen=True)
class Walk:
    """What the judge's phone shows: the project seen last, the one to go to now."""

    round: Round
    challenge: Challenge
    started: bool
    previous: Shown | None
    current: Shown | None
    votes: int
    can_undo: bool

    @property
    def done(self) -> bool:
        """Started, and no project is left for this judge."""
        return self.started and self.current is None


async def pairwise_round(session: AsyncSession, round_id: int, *, lock: bool = False) -> Round:
    """A pairwise round; any other round is 'not found' here."""
    judging_round = await queries.get_round(session, round_id, lock=lock)
    if judging_round.kind != RoundKind.PAIRWISE:
        raise NotFound()
    return judging_round


async def _judge_round(
    session: AsyncSession, user: User, round_id: int, *, lock: bool = False
) -> tuple[Round, Challenge]:
    """The round for a judge who holds the role now (re-read in the caller's transaction)."""
    judging_round = await pairwise_round(session, round_id, lock=lock)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    if not access.has(RoleKind.JUDGE):
        raise NotAJudge(_(NotAJudge.message))
    if lock and judging_round.status != RoundStatus.OPEN:
        # A write (every write locks): only while the round is open.
        raise PairwiseNotOpen(_(PairwiseNotOpen.message))
    return judging_round, access.challenge


async def judge_of(session: AsyncSession, *, user: User, round_id: int) -> Round:
    """The round, if the person judges in its challenge now (a guard before a body is read)."""
    judging_round, _challenge = await _judge_round(session, user, round_id)
    return judging_round


async def _state(
    session: AsyncSession, round_id: int, judge_id: int, *, lock: bool = False
) -> PairwiseJudge | None:
    statement = select(PairwiseJudge).where(
        col(PairwiseJudge.round_id) == round_id, col(PairwiseJudge.judge_id) == judge_id
    )
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def _valid_votes_of(
    session: AsyncSession, round_id: int, judge_id: int
) -> list[PairwiseVote]:
    result = await session.execute(
        select(PairwiseVote)
        .where(
            col(PairwiseVote.round_id) == round_id,
            col(PairwiseVote.judge_id) == judge_id,
            col(PairwiseVote.undone_at).is_(None),
            col(PairwiseVote.voided_at).is_(None),
        )
        .order_by(col(PairwiseVote.id))
    )
    return list(result.scalars())


async def walk(session: AsyncSession, *, user: User, round_id: int) -> Walk:
    """The judge's page: where to go now, and what to compare it with."""
    judging_round, challenge = await _judge_round(session, user, round_id)
    if judging_round.status == RoundStatus.DRAFT:
        raise NotFound()  # not handed to the judges yet
    assert user.id is not None
    state = await _state(session, round_id, user.id)
    votes = await _valid_votes_of(session, round_id, user.id)
    shown = {}
    if state is not None:
        wanted = [pid for pid in (state.previous_id, state.current_id) if pid is not None]
        shown = {
            pid: Shown(*found)
            for pid, found in (await queries.project_names(session, wanted)).items()
        }
    return Walk(
        round=judging_round,
        challenge=challenge,
        started=state is not None,
        previous=shown.get(state.previous_id or 0) if state else None,
        current=shown.get(state.current_id or 0) if state else None,
        votes=len(votes),
        can_undo=any(not v.imported for v in votes),
    )


async def start(session: AsyncSession, *, user: User, round_id: int) -> PairwiseJudge:
    """Send the judge to their first project; starting again changes nothing."""
    judging_round, _challenge = await _judge_round(session, user, round_id, lock=True)
    assert user.id is not None
    judge_id = user.id
    state, made = await insert_or_get(
        session,
        PairwiseJudge(round_id=round_id, judge_id=judge_id),
        find=lambda: _state(session, round_id, judge_id, lock=True),
    )
    if state.current_id is None:
        await _send_to_next(session, judging_round, state)
    if made:
        log_action(
            session,
            actor_id=user.id,
            action=events.PAIRWISE_STARTED,
            subject_type="round",
            subject_id=round_id,
            challenge_id=judging_round.challenge_id,
            data={"project_id": state.current_id},
        )
    return state


async def seen(session: AsyncSession, *, user: User, round_id: int) -> PairwiseJudge:
    """The first project is seen: go to the next one, to compare the two."""
    judging_round, state = await _locked_walk(session, user, round_id)
    if state.previous_id is not None or state.current_id is None:
        raise NothingToCompare(_("Say which of the two projects was better first."))
    state.previous_id = state.current_id
    await _send_to_next(session, judging_round, state)
    return state


async def _locked_walk(
    session: AsyncSession, user: User, round_id: int
) -> tuple[Round, PairwiseJudge]:
    judging_round, _challenge = await _judge_round(session, user, round_id, lock=True)
    assert user.id is not None
    state = await _state(session, round_id, user.id, lock=True)
    if state is None:
        raise NothingToCompare(_(NothingToCompare.message))
    return judging_round, state


async def vote(
    session: AsyncSession, *, user: User, round_id: int, winner_id: int, loser_id: int
) -> PairwiseVote:
    """Record that the judge found `winner_id` better than `loser_id`, the two projects they
    were sent to, and send them on."""
    judging_round, state = await _locked_walk(session, user, round_id)
    assert user.id is not None
    pair = {state.previous_id, state.current_id}
    if None in pair or {winner_id, loser_id} != pair:
        await _refuse_vote(session, judging_round, user.id, winner_id, loser_id)
    challenge_id = judging_round.challenge_id
    conflicted = await conflicts_service.project_conflicts(
        session, challenge_id=challenge_id, project_ids=[winner_id, loser_id]
    )
    if any(user.id in conflicted[pid] for pid in (winner_id, loser_id)):
        raise VoteInConflict(_(VoteInConflict.message))
    # Read once for the check and the next project (a shortlist takes a ranking to know).
    projects = await rounds.project_ids(session, judging_round)
    for field, pid in (("winner_id", winner_id), ("loser_id", loser_id)):
        if pid not in projects:
            raise NotInRound(field)  # withdrawn since the judge was sent to it
    cast = PairwiseVote(
        round_id=round_id,
        judge_id=user.id,
        winner_id=winner_id,
        loser_id=loser_id,
        previous_id=state.previous_id,
    )
    session.add(cast)
    await _learn(session, state, round_id, winner_id, loser_id)
    state.previous_id = state.current_id
    await _send_to_next(session, judging_round, state, projects)
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.PAIRWISE_VOTED,
        subject_type="pairwise_vote",
        subject_id=cast.id or 0,
        challenge_id=challenge_id,
        data={"round_id": round_id, "winner_id": winner_id, "loser_id": loser_id},
    )
    emit(session, events.PairwiseVotesChanged(challenge_id=challenge_id, round_id=round_id))
    return cast


async def _refuse_vote(
    session: AsyncSession, judging_round: Round, judge_id: int, winner_id: int, loser_id: int
) -> NoReturn:
    """Why a vote for a pair other than the one shown is refused."""
    assert judging_round.id is not None
    in_round = set(await rounds.project_ids(session, judging_round))
    for field, pid in (("winner_id", winner_id), ("loser_id", loser_id)):
        if pid not in in_round:
            raise NotInRound(field)
    votes = await _valid_votes_of(session, judging_round.id, judge_id)
    if votes and (votes[-1].winner_id, votes[-1].loser_id) == (winner_id, loser_id):
        raise VoteReplayed(_(VoteReplayed.message))
    if winner_id == loser_id:
        raise ValidationFailed({"loser_id": _("A project cannot be compared with itself.")})
    state = await _state(session, judging_round.id, judge_id)
    if state is None or state.previous_id is None or state.current_id is None:
        raise NothingToCompare(_(NothingToCompare.message))
    raise NotThePairShown(_(NotThePairShown.message))


async def skip(
    session: AsyncSession, *, user: User, round_id: int, reason: SkipReason
) -> PairwiseSkip:
    """The judge cannot compare the project they were sent to: go to another one."""
    judging_round, state = await _locked_walk(session, user, round_id)
    if state.current_id is None:
        raise NothingToCompare(_(NothingToCompare.message))
    assert user.id is not None
    skipped = PairwiseSkip(
        round_id=round_id, judge_id=user.id, project_id=state.current_id, reason=reason
    )
    session.add(skipped)
    if state.previous_id is not None and not await _still_comparable(
        session, judging_round, user.id, state.previous_id
    ):
        # The project seen last was withdrawn, or a conflict with it declared since: start
        # a new chain rather than keep a judge comparing with it.
        state.previous_id = None
    await _send_to_next(session, judging_round, state)
    log_action(
        session,
        actor_id=user.id,
        action=events.PAIRWISE_SKIPPED,
        subject_type="round",
        subject_id=round_id,
        challenge_id=judging_round.challenge_id,
        data={"project_id": skipped.project_id, "reason": reason},
    )
    return skipped


async def _still_comparable(
    session: AsyncSession, judging_round: Round, judge_id: int, project_id: int
) -> bool:
    challenge_id = judging_round.challenge_id
    if project_id not in set(await rounds.project_ids(session, judging_round)):
        return False
    conflicted = await conflicts_service.project_conflicts(
        session, challenge_id=challenge_id, project_ids=[project_id]
    )
    return judge_id not in conflicted[project_id]


async def undo(session: AsyncSession, *, user: User, round_id: int) -> PairwiseVote:
    """Take back the judge's last vote: it stops counting, and they are shown the same two
    projects again."""
    judging_round, state = await _locked_walk(session, user, round_id)
    assert user.id is not None
    own = [v for v in await _valid_votes_of(session, round_id, user.id) if not v.imported]
    if not own:
        raise NothingToUndo(_(NothingToUndo.message))
    last = own[-1]
    last.undone_at = utcnow()
    session.add(last)
    state.previous_id = last.previous_id
    state.current_id = last.loser_id if last.previous_id == last.winner_id else last.winner_id
    state.current_since = utcnow()
    session.add(state)
    await session.flush()
    await replay(session, round_id)
    log_action(
        session,
        actor_id=user.id,
        action=events.PAIRWISE_UNDONE,
        subject_type="pairwise_vote",
        subject_id=last.id or 0,
        challenge_id=judging_round.challenge_id,
        data={"round_id": round_id},
    )
    emit(
        session,
        events.PairwiseVotesChanged(challenge_id=judging_round.challenge_id, round_id=round_id),
    )
    return last


async def _items(
    session: AsyncSession, round_id: int, project_ids: Sequence[int] | None = None
) -> dict[int, PairwiseItem]:
    statement = select(PairwiseItem).where(col(PairwiseItem.round_id) == round_id)
    if project_ids is not None:
        statement = statement.where(col(PairwiseItem.project_id).in_(project_ids))
    result = await session.execute(statement)
    return {item.project_id: item for item in result.scalars()}


def _item(found: dict[int, PairwiseItem], round_id: int, project_id: int) -> PairwiseItem:
    if project_id not in found:
        found[project_id] = PairwiseItem(round_id=round_id, project_id=project_id)
    return found[project_id]


async def _learn(
    session: AsyncSession, state: PairwiseJudge, round_id: int, winner_id: int, loser_id: int
) -> None:
    """One Crowd-BT update of the judge and the two projects."""
    found = await _items(session, round_id, [winner_id, loser_id])
    winner, loser = _item(found, round_id, winner_id), _item(found, round_id, loser_id)
    judge, w, lo = crowd_bt.update(
        crowd_bt.Reliability(state.alpha, state.beta),
        crowd_bt.Belief(winner.mu, winner.sigma_sq),
        crowd_bt.Belief(loser.mu, loser.sigma_sq),
    )
    state.alpha, state.beta = judge.alpha, judge.beta
    winner.mu, winner.sigma_sq = w.mu, w.sigma_sq
    loser.mu, loser.sigma_sq = lo.mu, lo.sigma_sq
    session.add_all([state, winner, loser])


async def replay(session: AsyncSession, round_id: int) -> None:
    """Rebuild the round's Crowd-BT beliefs from its valid votes in order (after an undo, a
    void or an import), as if the others had never been given."""
    votes = (
        await session.execute(
            select(PairwiseVote)
            .where(
                col(PairwiseVote.round_id) == round_id,
                col(PairwiseVote.undone_at).is_(None),
                col(PairwiseVote.voided_at).is_(None),
            )
            .order_by(col(PairwiseVote.created_at), col(PairwiseVote.id))
        )
    ).scalars()
    items = await _items(session, round_id)
    states = {
        s.judge_id: s
        for s in (
            await session.execute(
                select(PairwiseJudge).where(col(PairwiseJudge.round_id) == round_id)
            )
        ).scalars()
    }
    beliefs = {pid: crowd_bt.Belief() for pid in items}
    judges = {jid: crowd_bt.Reliability() for jid in states}
    for v in votes:
        judges[v.judge_id], beliefs[v.winner_id], beliefs[v.loser_id] = crowd_bt.update(
            judges.get(v.judge_id, crowd_bt.Reliability()),
            beliefs.get(v.winner_id, crowd_bt.Belief()),
            beliefs.get(v.loser_id, crowd_bt.Belief()),
        )
    for pid, belief in beliefs.items():
        item = _item(items, round_id, pid)
        item.mu, item.sigma_sq = belief.mu, belief.sigma_sq
        session.add(item)
    for jid, judge in judges.items():
        state = states.get(jid) or PairwiseJudge(round_id=round_id, judge_id=jid)
        state.alpha, state.beta = judge.alpha, judge.beta
        session.add(state)


async def _seen_by(session: AsyncSession, round_id: int, judge_id: int) -> set[int]:
    """The projects the judge has compared (in votes still standing) or skipped."""
    votes = await session.execute(
        select(PairwiseVote.winner_id, PairwiseVote.loser_id).where(
            col(PairwiseVote.round_id) == round_id,
            col(PairwiseVote.judge_id) == judge_id,
            col(PairwiseVote.undone_at).is_(None),
        )
    )
    skips = await session.execute(
        select(PairwiseSkip.project_id).where(
            col(PairwiseSkip.round_id) == round_id, col(PairwiseSkip.judge_id) == judge_id
        )
    )
    return {pid for pair in votes.all() for pid in pair} | set(skips.scalars())


async def _busy(session: AsyncSession, round_id: int, judge_id: int) -> set[int]:
    """Projects another judge was sent to in the last few minutes."""
    result = await session.execute(
        select(PairwiseJudge.current_id).where(
            col(PairwiseJudge.round_id) == round_id,
            col(PairwiseJudge.judge_id) != judge_id,
            col(PairwiseJudge.current_id).is_not(None),
            col(PairwiseJudge.current_since) >= utcnow() - BUSY_FOR,
        )
    )
    return {pid for pid in result.scalars() if pid is not None}


async def _send_to_next(
    session: AsyncSession,
    judging_round: Round,
    state: PairwiseJudge,
    projects: Sequence[int] | None = None,
) -> None:
    """Choose the judge's next project among the round's (`projects`, if read already; else
    its scope read now), or none is left, and count the visit."""
    assert judging_round.id is not None
    round_id = judging_round.id
    challenge_id = judging_round.challenge_id
    if projects is None:
        projects = await rounds.project_ids(session, judging_round)
    conflicted = await conflicts_service.project_conflicts(
        session, challenge_id=challenge_id, project_ids=projects
    )
    excluded = await _seen_by(session, round_id, state.judge_id)
    excluded |= {pid for pid in (state.previous_id, state.current_id) if pid is not None}
    candidates = [
        pid for pid in projects if pid not in excluded and state.judge_id not in conflicted[pid]
    ]
    beliefs = await session.execute(
        select(
            PairwiseItem.project_id, PairwiseItem.mu, PairwiseItem.sigma_sq, PairwiseItem.views
        ).where(col(PairwiseItem.round_id) == round_id)
    )
    chosen = choose(
        candidates,
        items={pid: (mu, sigma_sq, views) for pid, mu, sigma_sq, views in beliefs.all()},
        judge=crowd_bt.Reliability(state.alpha, state.beta),
        seen=state.previous_id,
        busy=await _busy(session, round_id, state.judge_id),
    )
    state.current_id = chosen
    state.current_since = utcnow() if chosen is not None else None
    session.add(state)
    if chosen is not None:
        item = _item(await _items(session, round_id, [chosen]), round_id, chosen)
        item.views += 1
        session.add(item)


def choose(
    candidates: Sequence[int],
    *,
    items: dict[int, tuple[float, float, int]],
    judge: crowd_bt.Reliability,
    seen: int | None,
    busy: set[int],
    rng: random.Random | None = None,
) -> int | None:
    """The next project: among the candidates, those nobody else is at if any; of those, the
    ones seen fewer than MIN_VIEWS times if any; then the largest expected information gain
    against the project just `seen` (the fewest views, at random, for a first project)."""
    if not candidates:
        return None
    pick = rng or random.Random()  # noqa: S311 - spreading judges, not a secret
    free = [pid for pid in candidates if pid not in busy] or list(candidates)
    prior = (crowd_bt.PRIOR_MU, crowd_bt.PRIOR_SIGMA_SQ, 0)
    views = {pid: items.get(pid, prior)[2] for pid in free}
    fresh = [pid for pid in free if views[pid] < MIN_VIEWS]
    pool = fresh or free
    if seen is None:
        fewest = min(views[pid] for pid in pool)
        return pick.choice([pid for pid in pool if views[pid] == fewest])
    mu = np.array([items.get(pid, prior)[0] for pid in pool], dtype=np.float64)
    sigma_sq = np.array([items.get(pid, prior)[1] for pid in pool], dtype=np.float64)
    last = items.get(seen, prior)
    gains = crowd_bt.expected_gains(judge, crowd_bt.Belief(last[0], last[1]), mu, sigma_sq)
    best = np.flatnonzero(gains >= gains.max() - 1e-12)
    return pool[int(best[pick.randrange(len(best))])]


async def my_rounds(session: AsyncSession, *, user: User) -> list[tuple[Round, Challenge]]:
    """The open pairwise rounds of the challenges the person judges now, newest first."""
    result = await session.execute(_MY_ROUNDS, {"user_id": user.id})
    return [(r, c) for r, c in result.all()]


# Built once (the judges' page asks for it at every visit); the person is a bound parameter.
_MY_ROUNDS = (
    select(Round, Challenge)
    .join(Challenge, col(Challenge.id) == col(Round.challenge_id))
    .join(
        Role,
        (col(Role.challenge_id) == col(Round.challenge_id))
        & (col(Role.user_id) == bindparam("user_id"))
        & (col(Role.kind) == RoleKind.JUDGE),
    )
    .where(col(Round.kind) == RoundKind.PAIRWISE, col(Round.status) == RoundStatus.OPEN)
    .order_by(col(Round.id).desc())
)
