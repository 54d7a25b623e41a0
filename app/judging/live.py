"""Live results: a round's scoring progress and leaderboard, pushed to the organisers' screens.

The worker's handlers (app.judging.tasks) `announce` every change of a round on a Redis
pub/sub channel of its challenge; each open stream (app.judging.routes.live) is
`subscribed` to it, and on a message reads a fresh `snapshot` in a short read transaction,
so no database session stays open while a screen waits. Redis carries only "round 12
changed", never results: what a screen shows is always read with the viewer's rights at
that moment.

Each kind of round computes its own leaderboard: a function registered in LEADERBOARDS
with `leaderboard_for(kind)`. Rubric rounds rank by the aggregation the round chose
(app.judging.ranking); a kind without a function shows its progress only.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.config import Settings
from app.db import Database, utcnow
from app.errors import AppError
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import pairwise_admin, queries, ranking, voting
from app.judging.models import Round, RoundKind
from app.teams.models import ProjectStatus

log = logging.getLogger(__name__)

# Redis pub/sub ignores the database number: the site (its database) is in the channel's
# name, so two sites on one Redis never see each other's changes.
CHANNEL = "madrina:live:{site}:challenge:{challenge_id}"
PAIRWISE_METHOD = "bradley_terry"  # a pairwise leaderboard's order: the votes' refit
VOTES_METHOD = "votes"  # a people's vote's order: the ballots that count
EVERY_ROUND = "*"  # the message when a change concerns every round (a judge removed)


class LiveStreamsFull(AppError):
    status_code = 503
    code = "live_streams_full"
    message = lazy("Too many live screens are open on this server; try again in a minute.")


@dataclass(frozen=True)
class Tally:
    """Sheets submitted of those expected, for one judge, one project or the round."""

    label: str
    submitted: int
    expected: int

    @property
    def done(self) -> bool:
        return self.expected > 0 and self.submitted >= self.expected


@dataclass(frozen=True)
class Standing:
    """One project's place on a leaderboard; `score` and `interval` on the round's scale."""

    rank: int
    project_id: int
    title: str
    team: str
    score: float
    interval: tuple[float, float] | None = None
    tied_with_better: bool = False
    evidence: int = 0  # judges who scored it (votes, for kinds that count votes)


@dataclass(frozen=True)
class Leaderboard:
    method: str  # how the order is decided: an Aggregation's value, or the kind's own word
    rows: list[Standing]


@dataclass(frozen=True)
class Board:
    """A round's progress and leaderboard: the same for every viewer, so one process makes
    it once per change however many screens watch (`Boards`)."""

    total: Tally
    judges: list[Tally]
    projects: list[Tally]
    leaderboard: Leaderboard | None
    at: datetime


@dataclass(frozen=True)
class LiveRound:
    """A board as one viewer may see it: with the round and challenge read with their rights."""

    challenge: Challenge
    round: Round
    board: Board

    @property
    def total(self) -> Tally:
        return self.board.total

    @property
    def judges(self) -> list[Tally]:
        return self.board.judges

    @property
    def projects(self) -> list[Tally]:
        return self.board.projects

    @property
    def leaderboard(self) -> Leaderboard | None:
        return self.board.leaderboard

    @property
    def at(self) -> datetime:
        return self.board.at

    def top(self, places: int) -> list[Standing]:
        """The first `places` places, ties at the last place included."""
        if self.leaderboard is None:
            return []
        return [row for row in self.leaderboard.rows if row.rank <= places]


LeaderboardFunction = Callable[[AsyncSession, Round], Awaitable[Leaderboard]]
LEADERBOARDS: dict[RoundKind, LeaderboardFunction] = {}


def leaderboard_for(
    kind: RoundKind,
) -> Callable[[LeaderboardFunction], LeaderboardFunction]:
    """Register the function computing the leaderboard of rounds of `kind`."""

    def register(function: LeaderboardFunction) -> LeaderboardFunction:
        LEADERBOARDS[kind] = function
        return function

    return register


@leaderboard_for(RoundKind.RUBRIC)
async def rubric_leaderboard(session: AsyncSession, judging_round: Round) -> Leaderboard:
    """The submitted sheets ranked as the round decides (the organisers' ranking page's
    order, with the same bootstrap interval and statistical ties)."""
    assert judging_round.id is not None
    # A track may be scored with a rubric of its own: its criteria weigh its sheets.
    by_track = (await queries.track_rubrics(session, [judging_round.id]))[judging_round.id]
    rubric_ids = sorted(
        {*by_track.values(), *([judging_round.rubric_id] if judging_round.rubric_id else [])}
    )
    criteria = await queries.criteria(session, rubric_ids)
    # Each sheet's weighted total summed by the database, as the ranking page reads it.
    sheets = await queries.ranking_sheets(
        session,
        [judging_round.id],
        counted=[c.id for group in criteria.values() for c in group if c.id is not None],
        independent=[],
    )
    # A project withdrawn since it was scored is out of the competition: not in the labels.
    names = await queries.submitted_labels(session, judging_round.challenge_id)
    scores = [
        ranking.JudgeScore(project_id, judge_id, total / 100)
        for _round, judge_id, project_id, total in sheets.totals
        if project_id in names
    ]
    # The bootstrap takes a while at 2,000 projects: off the event loop, which serves the
    # other screens meanwhile; the same scores as the ranking page's are ranked only once.
    ranked = await ranking.memo.rank(
        scores, method=judging_round.aggregation, seed=judging_round.id
    )
    return Leaderboard(
        method=str(judging_round.aggregation),
        rows=[
            Standing(
                rank=row.rank,
                project_id=row.project_id,
                title=names[row.project_id][0].title,
                team=names[row.project_id][1].name,
                score=row.score,
                interval=(row.interval_low, row.interval_high),
                tied_with_better=row.tied_with_better,
                evidence=row.judges,
            )
            for row in ranked.rows
        ],
    )


@leaderboard_for(RoundKind.PAIRWISE)
async def pairwise_leaderboard(session: AsyncSession, judging_round: Round) -> Leaderboard:
    """The valid votes refitted (the board's Bradley-Terry strengths and intervals)."""
    assert judging_round.id is not None
    ranked = (await pairwise_admin.project_rankings(session, [judging_round])).get(
        judging_round.id, []
    )
    names = await queries.project_names(session, [row.project_id for row in ranked])
    return Leaderboard(
        method=PAIRWISE_METHOD,
        rows=[
            Standing(
                rank=row.rank,
                project_id=row.project_id,
                title=names[row.project_id][0].title,
                team=names[row.project_id][1].name,
                score=row.score,
                interval=(row.interval_low, row.interval_high),
                tied_with_better=row.tied_with_better,
                evidence=row.judges,  # comparisons the project was in
            )
            for row in ranked
            if row.project_id in names
        ],
    )


@leaderboard_for(RoundKind.PUBLIC_VOTE)
async def public_vote_leaderboard(session: AsyncSession, judging_round: Round) -> Leaderboard:
    """The people's choice so far: votes that count (confirmed, not voided) per project, most
    first; projects with as many votes share a place."""
    assert judging_round.id is not None
    counted = (await voting.counts(session, [judging_round.id])).get(judging_round.id, {})
    names = await queries.project_names(session, sorted(counted))
    standing = sorted(
        (
            (votes, names[pid])
            for pid, votes in counted.items()
            # A project withdrawn since it was voted for is out of the competition.
            if pid in names and names[pid][0].status == ProjectStatus.SUBMITTED
        ),
        key=lambda found: (-found[0], found[1][0].title.casefold()),
    )
    ranks = ranking.competition_ranks({n: float(votes) for n, (votes, _f) in enumerate(standing)})
    return Leaderboard(
        method=VOTES_METHOD,
        rows=[
            Standing(
                rank=ranks[n],
                project_id=project.id or 0,
                title=project.title,
                team=team.name,
                score=float(votes),
                evidence=votes,
            )
            for n, (votes, (project, team)) in enumerate(standing)
        ],
    )


async def watched_round(
    session: AsyncSession, *, user: User | None, round_id: int
) -> tuple[Round, Challenge]:
    """The round and its challenge, for the challenge's organisers (and admins): 404 to
    whoever may not see the challenge, 403 to the others. Asked again at every heartbeat
    and before every push of a stream, so a removed organiser's screen stops."""
    judging_round = await queries.get_round(session, round_id)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    return judging_round, access.challenge


async def snapshot(
    db: Database, *, user: User | None, round_id: int, heard_at: float | None = None
) -> LiveRound:
    """What the live page shows: progress by judge and by project, and the leaderboard, made
    after `heard_at` (the event loop's clock when a stream heard of a change; by default
    now), or at that moment by another screen of this process. Each step has its own short
    read: no connection is held while waiting for another screen's board."""
    async with db.read() as session:
        judging_round, challenge = await watched_round(session, user=user, round_id=round_id)
    board = await boards.after(db, judging_round, heard_at)
    return LiveRound(challenge=challenge, round=judging_round, board=board)


async def make_board(session: AsyncSession, judging_round: Round) -> Board:
    """Count the round's sheets and compute its kind's leaderboard."""
    assert judging_round.id is not None
    sheets = await queries.round_sheets(session, judging_round.id)
    titles = {
        pid: project.title
        for pid, (project, _team) in (
            await queries.project_names(session, sorted({s[2] for s in sheets}))
        ).items()
    }
    by_judge: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_project: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    judge_names: dict[int, str] = {}
    for judge_id, name, project_id, submitted in sheets:
        judge_names[judge_id] = name
        for counts in (by_judge[judge_id], by_project[project_id]):
            counts[0] += submitted
            counts[1] += 1
    judges = sorted(
        (Tally(judge_names[j], *counts) for j, counts in by_judge.items()),
        key=lambda t: (t.submitted / t.expected, t.label.casefold()),
    )
    projects = sorted(
        (Tally(titles.get(p, f"#{p}"), *counts) for p, counts in by_project.items()),
        key=lambda t: (t.submitted / t.expected, t.label.casefold()),
    )
    done = sum(submitted for *_rest, submitted in sheets)
    compute = LEADERBOARDS.get(judging_round.kind)
    leaderboard = await compute(session, judging_round) if compute is not None else None
    return Board(Tally("", done, len(sheets)), judges, projects, leaderboard, utcnow())


class Boards:
    """The newest board of each round in this process. A stream that heard of a change at
    time t takes a board whose making started after t, so it shows that change; screens
    hearing it together wait for the first one's board instead of each making their own."""

    MAX_ROUNDS = 64

    def __init__(self) -> None:
        self.made: dict[int, tuple[float, Board]] = {}
        self.locks: dict[int, asyncio.Lock] = {}

    async def after(self, db: Database, judging_round: Round, heard_at: float | None) -> Board:
        assert judging_round.id is not None
        loop = asyncio.get_running_loop()
        heard_at = loop.time() if heard_at is None else heard_at
        lock = self.locks.setdefault(judging_round.id, asyncio.Lock())
        async with lock:
            found = self.made.get(judging_round.id)
            if found is not None and found[0] >= heard_at:
                return found[1]
            started = loop.time()
            async with db.read() as session:
                board = await make_board(session, judging_round)
            self.made.pop(judging_round.id, None)
            self.made[judging_round.id] = (started, board)
            while len(self.made) > self.MAX_ROUNDS:  # the round watched least recently
                oldest = next(iter(self.made))
                del self.made[oldest], self.locks[oldest]
            return board


boards = Boards()


def channel(settings: Settings, challenge_id: int) -> str:
    site = hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    return CHANNEL.format(site=site, challenge_id=challenge_id)


async def announce(
    redis: Redis, settings: Settings, *, challenge_id: int, round_id: int | None
) -> None:
    """Tell every web process that a round (None: every round) of the challenge changed."""
    await redis.publish(
        channel(settings, challenge_id), EVERY_ROUND if round_id is None else str(round_id)
    )


class Subscription:
    """A stream's view of its challenge's channel."""

    def __init__(self, pubsub: PubSub | None, round_id: int) -> None:
        self.pubsub = pubsub
        self.round_id = str(round_id)

    async def changed(self, within: float) -> bool:
        """Whether the round changed within `within` seconds (False once they pass)."""
        if self.pubsub is None:  # no Redis: the stream refreshes at every heartbeat
            await asyncio.sleep(within)
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (left := deadline - loop.time()) > 0:
            try:
                message = await self.pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=left
                )
            except (RedisError, OSError) as exc:
                log.warning("live results lost Redis (%s): refreshing at every heartbeat", exc)
                self.pubsub = None
                return True
            if message is not None and message.get("data") in (
                self.round_id.encode(),
                EVERY_ROUND.encode(),
            ):
                return True
        return False

    async def drain(self) -> None:
        """Forget the messages already waiting: one refresh answers them all."""
        if self.pubsub is None:
            return
        try:
            while await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=0):
                pass
        except (RedisError, OSError):
            self.pubsub = None


@asynccontextmanager
async def subscribed(
    redis: Redis | None, settings: Settings, *, challenge_id: int, round_id: int
) -> AsyncIterator[Subscription]:
    """Listen to the challenge's changes for as long as the block runs (one Redis connection,
    given back at the end). Without Redis the subscription says "changed" at each wait, so
    the stream falls back to refreshing at every heartbeat."""
    pubsub: PubSub | None = None
    if redis is not None:
        try:
            pubsub = redis.pubsub()
            await pubsub.subscribe(channel(settings, challenge_id))
        except (RedisError, OSError) as exc:
            log.warning("live results without Redis (%s): refreshing at every heartbeat", exc)
            pubsub = None
    try:
        yield Subscription(pubsub, round_id)
    finally:
        if pubsub is not None:
            with suppress(RedisError, OSError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]


class StreamSlots:
    """The bound on streams one web process keeps open at once."""

    def __init__(self) -> None:
        self.open = 0

    def take(self, limit: int) -> None:
        if self.open >= limit:
            raise LiveStreamsFull(_(LiveStreamsFull.message), retry_after=60)
        self.open += 1

    def give_back(self) -> None:
        self.open -= 1


slots = StreamSlots()
