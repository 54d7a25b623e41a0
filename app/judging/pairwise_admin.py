"""Pairwise (expo) rounds, the organisers' side: the ranking refitted from every valid vote,
the votes themselves, voiding a judge's votes, and the votes as CSV (out and in)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import User
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import utcnow
from app.errors import Conflict, PayloadTooLarge, ValidationFailed
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import crowd_bt, events, pairwise, queries, ranking, rounds
from app.judging.models import PairwiseJudge, PairwiseSkip, PairwiseVote, Round, RoundStatus
from app.teams.models import Project, ProjectStatus, Team

# A 95% interval: strength +/- this many standard errors.
Z95 = 1.96
CSV_HEADER = ["judge", "winner", "loser", "timestamp"]
MAX_IMPORT_LINES = 50_000
MAX_ERRORS_SHOWN = 20


class ResultsAlreadyPublished(Conflict):
    code = "results_published"
    message = lazy("The results are published: the votes can no longer change.")


class RoundClosedForImport(Conflict):
    code = "round_closed"
    message = lazy("This round is closed: votes can no longer be imported.")


@dataclass(frozen=True)
class RankedRow:
    project: Project
    team: Team
    rank: int
    strength: float
    stderr: float
    wins: int
    comparisons: int
    tied_with_better: bool

    @property
    def low(self) -> float:
        return self.strength - Z95 * self.stderr

    @property
    def high(self) -> float:
        return self.strength + Z95 * self.stderr


@dataclass(frozen=True)
class JudgeRow:
    judge: User
    votes: int
    voided: int
    reliability: float


@dataclass(frozen=True)
class VoteRow:
    vote: PairwiseVote
    judge_name: str
    winner: str
    loser: str


@dataclass(frozen=True)
class Board:
    """The organisers' page of a pairwise round."""

    round: Round
    challenge: Challenge
    rows: list[RankedRow]
    judges: list[JudgeRow]
    valid_votes: int
    skips: int


@dataclass(frozen=True)
class ImportReport:
    imported: int
    already_there: int


async def _organised_round(
    session: AsyncSession, user: User, round_id: int, *, lock: bool = False
) -> tuple[Round, Challenge]:
    judging_round = await pairwise.pairwise_round(session, round_id, lock=lock)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    return judging_round, access.challenge


async def organised(session: AsyncSession, *, user: User, round_id: int) -> Round:
    """The round, for its challenge's organisers (a guard before a body is read)."""
    judging_round, _challenge = await _organised_round(session, user, round_id)
    return judging_round


async def _valid_pairs(
    session: AsyncSession, round_ids: Sequence[int]
) -> dict[int, list[tuple[int, int]]]:
    """round id -> (winner, loser) of every vote neither undone nor voided, between projects
    still in the competition."""
    if not round_ids:
        return {}  # no pairwise round: no statement (the organisers' ranking page)
    winner = Project.__table__.alias("winner")  # type: ignore[attr-defined]
    loser = Project.__table__.alias("loser")  # type: ignore[attr-defined]
    result = await session.execute(
        select(PairwiseVote.round_id, PairwiseVote.winner_id, PairwiseVote.loser_id)
        .join(winner, winner.c.id == col(PairwiseVote.winner_id))
        .join(loser, loser.c.id == col(PairwiseVote.loser_id))
        .where(
            col(PairwiseVote.round_id).in_(round_ids),
            col(PairwiseVote.undone_at).is_(None),
            col(PairwiseVote.voided_at).is_(None),
            winner.c.status == ProjectStatus.SUBMITTED,
            loser.c.status == ProjectStatus.SUBMITTED,
        )
        .order_by(col(PairwiseVote.id))
    )
    grouped: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for round_id, w, lo in result.all():
        grouped[round_id].append((w, lo))
    return grouped


def _ranked(fitted: crowd_bt.Fitted) -> list[tuple[int, int, bool]]:
    """(project id, rank, statistically tied with the one above), best first."""
    ranks = ranking.competition_ranks(fitted.strength)
    order = sorted(fitted.strength, key=lambda pid: (ranks[pid], pid))
    out: list[tuple[int, int, bool]] = []
    for i, pid in enumerate(order):
        tied = False
        if i:
            above = order[i - 1]
            tied = ranks[pid] == ranks[above] or (
                fitted.strength[pid] + Z95 * fitted.stderr[pid]
                >= fitted.strength[above] - Z95 * fitted.stderr[above]
            )
        out.append((pid, ranks[pid], tied))
    return out


async def project_rankings(
    session: AsyncSession, rounds: Sequence[Round]
) -> dict[int, list[ranking.ProjectRanking]]:
    """round id -> its projects ranked by Bradley-Terry strength, in the shape rubric rounds'
    rankings have, so results and awards treat both alike (score = strength)."""
    ids = [r.id for r in rounds if r.id is not None]
    out: dict[int, list[ranking.ProjectRanking]] = {}
    for round_id, pairs in (await _valid_pairs(session, ids)).items():
        fitted = crowd_bt.fit(pairs)
        rows = []
        for pid, rank, tied in _ranked(fitted):
            s, se = fitted.strength[pid], fitted.stderr[pid]
            rows.append(
                ranking.ProjectRanking(
                    project_id=pid,
                    judges=fitted.comparisons[pid],
                    low=0.0,
                    high=float(fitted.comparisons[pid]),
                    raw_mean=s,
                    raw_rank=rank,
                    z_mean=s,
                    z_rank=rank,
                    adjusted=s,
                    adjusted_rank=rank,
                    score=s,
                    rank=rank,
                    interval_low=s - Z95 * se,
                    interval_high=s + Z95 * se,
                    tied_with_better=tied,
                )
            )
        out[round_id] = rows
    return out


async def board(session: AsyncSession, *, user: User, round_id: int) -> Board:
    """The ranking refitted from the valid votes, and each judge's votes."""
    judging_round, challenge = await _organised_round(session, user, round_id)
    pairs = (await _valid_pairs(session, [round_id])).get(round_id, [])
    fitted = crowd_bt.fit(pairs)
    names = await queries.project_names(session, sorted(fitted.strength))
    rows = [
        RankedRow(
            *names[pid],
            rank=rank,
            strength=fitted.strength[pid],
            stderr=fitted.stderr[pid],
            wins=fitted.wins[pid],
            comparisons=fitted.comparisons[pid],
            tied_with_better=tied,
        )
        for pid, rank, tied in _ranked(fitted)
        if pid in names
    ]
    counts = await session.execute(
        select(
            PairwiseVote.judge_id,
            func.count().filter(
                col(PairwiseVote.voided_at).is_(None), col(PairwiseVote.undone_at).is_(None)
            ),
            func.count().filter(col(PairwiseVote.voided_at).is_not(None)),
        )
        .where(col(PairwiseVote.round_id) == round_id)
        .group_by(col(PairwiseVote.judge_id))
    )
    per_judge = {jid: (valid, voided) for jid, valid, voided in counts.all()}
    states = {
        s.judge_id: s
        for s in (
            await session.execute(
                select(PairwiseJudge).where(col(PairwiseJudge.round_id) == round_id)
            )
        ).scalars()
    }
    judges = [
        JudgeRow(
            judge,
            *per_judge.get(judge.id or 0, (0, 0)),
            reliability=crowd_bt.Reliability(states[judge.id].alpha, states[judge.id].beta).mean
            if judge.id in states
            else crowd_bt.Reliability().mean,
        )
        for judge in await queries.judges(session, judging_round.challenge_id)
    ]
    skips = await session.scalar(
        select(func.count()).select_from(PairwiseSkip).where(col(PairwiseSkip.round_id) == round_id)
    )
    return Board(judging_round, challenge, rows, judges, len(pairs), int(skips or 0))


async def votes(session: AsyncSession, *, user: User, round_id: int) -> list[VoteRow]:
    """Every vote of the round, undone and voided ones too, oldest first (one statement
    after the permission)."""
    await _organised_round(session, user, round_id)
    winner = Project.__table__.alias("winner")  # type: ignore[attr-defined]
    loser = Project.__table__.alias("loser")  # type: ignore[attr-defined]
    result = await session.execute(
        select(PairwiseVote, User.name, winner.c.title, loser.c.title)
        .join(User, col(User.id) == col(PairwiseVote.judge_id))
        .join(winner, winner.c.id == col(PairwiseVote.winner_id))
        .join(loser, loser.c.id == col(PairwiseVote.loser_id))
        .where(col(PairwiseVote.round_id) == round_id)
        .order_by(col(PairwiseVote.created_at), col(PairwiseVote.id))
    )
    return [VoteRow(*row) for row in result.all()]


async def void_judge(session: AsyncSession, *, user: User, round_id: int, judge_id: int) -> int:
    """Stop counting every vote the judge gave in the round (they stay, marked, for the
    record); the ranking is refitted without them. Voiding again changes nothing."""
    judging_round, challenge = await _organised_round(session, user, round_id, lock=True)
    if challenge.results_published_at is not None:
        raise ResultsAlreadyPublished(_(ResultsAlreadyPublished.message))
    result = await session.execute(
        update(PairwiseVote)
        .where(
            col(PairwiseVote.round_id) == round_id,
            col(PairwiseVote.judge_id) == judge_id,
            col(PairwiseVote.voided_at).is_(None),
            col(PairwiseVote.undone_at).is_(None),
        )
        .values(voided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    voided = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if voided:
        await pairwise.replay(session, round_id)
        log_action(
            session,
            actor_id=user.id,
            action=events.PAIRWISE_VOIDED,
            subject_type="round",
            subject_id=round_id,
            challenge_id=judging_round.challenge_id,
            data={"judge_id": judge_id, "votes": voided},
        )
        emit(
            session,
            events.PairwiseVotesChanged(challenge_id=judging_round.challenge_id, round_id=round_id),
        )
    return voided


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def export_csv(session: AsyncSession, *, user: User, round_id: int) -> str:
    """The valid votes as CSV (judge,winner,loser,timestamp; names, UTC times), the way
    `import_csv` reads them back."""
    rows = await votes(session, user=user, round_id=round_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        if row.vote.undone_at is None and row.vote.voided_at is None:
            writer.writerow(
                [row.judge_name, row.winner, row.loser, _timestamp(row.vote.created_at)]
            )
    return buffer.getvalue()


class _Names:
    """Resolve a CSV cell to an id: a number that is an id, else a unique name."""

    def __init__(self, by_id: dict[int, str], extra: dict[str, int] | None = None) -> None:
        self.by_id = by_id
        self.by_name: dict[str, set[int]] = defaultdict(set)
        for key, name in by_id.items():
            self.by_name[name.casefold().strip()].add(key)
        for alias, key in (extra or {}).items():
            self.by_name[alias.casefold().strip()].add(key)

    def find(self, cell: str) -> int | str:
        """The id, or why not (a message)."""
        text = cell.strip()
        if text.isdigit() and int(text) in self.by_id:
            return int(text)
        found = self.by_name.get(text.casefold(), set())
        if len(found) == 1:
            return next(iter(found))
        if found:
            return _("“%(name)s” names more than one: use the id.") % {"name": text}
        return _("“%(name)s” is not known here.") % {"name": text}


def _parse_time(cell: str) -> datetime | str:
    text = cell.strip()
    if not text:
        return utcnow()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return _("“%(value)s” is not a date and time like 2026-12-10T09:15:00Z.") % {"value": text}
    return when if when.tzinfo else when.replace(tzinfo=UTC)


async def import_csv(
    session: AsyncSession, *, user: User, round_id: int, data: bytes, limit: int
) -> ImportReport:
    """Add the votes of a CSV file (judge,winner,loser,timestamp; a judge by id, name or
    e-mail, a project by id or title): all of them, or none and every bad line said. A vote
    already in the round (same judge, pair and time) is not added twice."""
    judging_round, challenge = await _organised_round(session, user, round_id, lock=True)
    if judging_round.status == RoundStatus.CLOSED:
        raise RoundClosedForImport(_(RoundClosedForImport.message))
    if len(data) > limit:
        raise PayloadTooLarge(
            _("The file is larger than %(size)d MB.") % {"size": max(1, limit // 1_000_000)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": _("The file is not UTF-8 text.")}) from None
    lines = list(csv.reader(io.StringIO(text)))
    if lines and [c.strip().casefold() for c in lines[0]] == CSV_HEADER:
        lines = lines[1:]
        first = 2
    else:
        first = 1
    if not lines:
        raise ValidationFailed({"file": _("The file has no votes.")})
    if len(lines) > MAX_IMPORT_LINES:
        raise ValidationFailed(
            {"file": _("At most %(num)d votes per file.") % {"num": MAX_IMPORT_LINES}}
        )
    judge_rows = await queries.judges(session, judging_round.challenge_id)
    judges = _Names(
        {j.id: j.name for j in judge_rows if j.id is not None},
        {j.email: j.id for j in judge_rows if j.id is not None},
    )
    # Every submitted project is named, so a line naming one outside the round's scope is
    # told apart from a name that matches no project.
    submitted = await queries.submitted_project_ids(session, judging_round.challenge_id)
    in_round = set(await rounds.project_ids(session, judging_round))
    titles = await queries.project_names(session, submitted)
    projects = _Names({pid: found[0].title for pid, found in titles.items()})
    errors: list[str] = []
    parsed: list[tuple[int, int, int, datetime]] = []
    for number, cells in enumerate(lines, start=first):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(CSV_HEADER):
            errors.append(
                _(
                    "Line %(line)d: 4 columns expected (judge,winner,loser,timestamp), "
                    "%(num)d found."
                )
                % {"line": number, "num": len(cells)}
            )
            continue
        found = (
            judges.find(cells[0]),
            projects.find(cells[1]),
            projects.find(cells[2]),
            _parse_time(cells[3]),
        )
        problems = [f for f in found if isinstance(f, str)]
        if not problems and found[1] == found[2]:
            problems.append(_("a project cannot beat itself."))
        problems += [
            _("the project “%(name)s” is not in this round.") % {"name": cells[n].strip()}
            for n in (1, 2)
            if not problems and found[n] not in in_round
        ]
        if problems:
            errors.append(
                _("Line %(line)d: %(problem)s") % {"line": number, "problem": problems[0]}
            )
            continue
        judge_id, winner_id, loser_id, when = found
        assert isinstance(judge_id, int) and isinstance(winner_id, int)
        assert isinstance(loser_id, int) and isinstance(when, datetime)
        parsed.append((judge_id, winner_id, loser_id, when))
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(num)d more lines.") % {"num": len(errors) - MAX_ERRORS_SHOWN})
        raise ValidationFailed({"file": " ".join(shown)}, _("No vote was imported."))
    existing = await session.execute(
        select(
            PairwiseVote.judge_id,
            PairwiseVote.winner_id,
            PairwiseVote.loser_id,
            PairwiseVote.created_at,
        ).where(col(PairwiseVote.round_id) == round_id)
    )
    known = {(j, w, lo, _timestamp(t)) for j, w, lo, t in existing.all()}
    added = 0
    for judge_id, winner_id, loser_id, when in parsed:
        key = (judge_id, winner_id, loser_id, _timestamp(when))
        if key in known:
            continue
        known.add(key)
        session.add(
            PairwiseVote(
                round_id=round_id,
                judge_id=judge_id,
                winner_id=winner_id,
                loser_id=loser_id,
                imported=True,
                created_at=when,
            )
        )
        added += 1
    if added:
        await session.flush()
        await pairwise.replay(session, round_id)
        log_action(
            session,
            actor_id=user.id,
            action=events.PAIRWISE_IMPORTED,
            subject_type="round",
            subject_id=round_id,
            challenge_id=challenge.id,
            data={"votes": added, "already_there": len(parsed) - added},
        )
        assert challenge.id is not None
        emit(session, events.PairwiseVotesChanged(challenge_id=challenge.id, round_id=round_id))
    return ImportReport(added, len(parsed) - added)
