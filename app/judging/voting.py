"""The people's-choice vote: one ballot per verified e-mail address per public-vote round.

A visitor gives an address and is e-mailed a link; the vote counts once the link is opened
(signed, two days, once: app.judging.mails). A person logged in with a confirmed address
votes at once. While the round is open a voter may change their vote: the ballot (one row
per round and address, a unique constraint) keeps the vote that counts until the new
choice is confirmed, so no address ever counts twice. Organisers see the count, the
ballots app.judging.anomalies flags, and void ballots (audited); a voided ballot never
counts again. The count of a closed round is its own award when results are published.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import queries as accounts_queries
from app.accounts.models import User, new_nonce
from app.challenges import permissions as challenge_permissions
from app.challenges.models import Challenge
from app.db import insert_or_get, utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.events.service import emit, log_action
from app.fields import normalise_email
from app.i18n import gettext as _
from app.i18n import lazy
from app.judging import anomalies, events, queries, rounds
from app.judging.mails import VoteClaim
from app.judging.models import Award, AwardKind, PublicVote, Round, RoundKind, RoundStatus
from app.teams.models import Project, ProjectStatus, Team

NEW_ACCOUNT = timedelta(days=1)  # an account this young counts as a new voter


class VotingNotOpen(Conflict):
    code = "voting_not_open"
    message = lazy("Voting is not open in this round.")


class VoteVoided(Conflict):
    code = "vote_voided"
    message = lazy(
        "The organisers cancelled your vote in this round, so this address cannot vote in it "
        "again. Write to them if you think it is a mistake."
    )


class VoteLinkNotValid(Conflict):
    code = "vote_link_not_valid"
    message = lazy(
        "This link does not work any more: it was used already, it is more than two days "
        "old, or a newer one was sent. Vote again to get a new one."
    )


class CountFixed(Conflict):
    code = "count_fixed"
    message = lazy("The results are published: the votes are final and can no longer be voided.")


@dataclass(frozen=True)
class Cast:
    vote: PublicVote
    counted: bool  # True: it counts now; False: a link was e-mailed to confirm it


@dataclass(frozen=True)
class BallotPage:
    round: Round
    challenge: Challenge
    projects: list[tuple[Project, Team]]
    my_choice: int | None  # the project the person's counted vote is for
    can_vote_directly: bool


@dataclass(frozen=True)
class TallyRow:
    project: Project
    team: Team
    votes: int


@dataclass(frozen=True)
class FlaggedBallot:
    id: int
    email: str  # masked: the organisers judge the pattern, not the person
    network: str
    project_title: str
    created_at: datetime
    confirmed_at: datetime | None
    counted: bool
    flags: list[anomalies.Flag]


@dataclass(frozen=True)
class VotesPage:
    round: Round
    challenge: Challenge
    rows: list[TallyRow]
    counted: int
    pending: int
    voided: int
    flagged: list[FlaggedBallot]


def mask_email(address: str) -> str:
    """'anna.rossi@example.org' -> 'a***@example.org'."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}"


async def _vote_round(session: AsyncSession, round_id: int) -> Round:
    """The round, its row held in share mode until the transaction ends: closing it waits for
    the votes being cast, and a vote cast after the close sees it closed (PostgreSQL;
    SQLite's writers are serialised anyway)."""
    found = await session.get(
        Round, round_id, with_for_update={"read": True}, populate_existing=True
    )
    if found is None or found.kind != RoundKind.PUBLIC_VOTE:
        raise NotFound()
    return found


async def _open_vote_round(session: AsyncSession, *, user: User | None, round_id: int) -> Round:
    judging_round = await _vote_round(session, round_id)
    await challenge_permissions.viewable(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    if judging_round.status != RoundStatus.OPEN:
        raise VotingNotOpen(_(VotingNotOpen.message))
    return judging_round


async def _project_in_vote(session: AsyncSession, judging_round: Round, project_id: int) -> None:
    """A project the round offers: one of its scope's (rounds.project_ids, as every kind)."""
    if project_id not in await rounds.project_ids(session, judging_round):
        message = _("This project is not among those you can vote for in this round.")
        raise ValidationFailed({"project_id": message}, message)


async def _ballot(session: AsyncSession, round_id: int, email: str) -> PublicVote | None:
    result = await session.execute(
        select(PublicVote)
        .where(col(PublicVote.round_id) == round_id, col(PublicVote.email) == email)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def cast_vote(
    session: AsyncSession,
    *,
    user: User | None,
    round_id: int,
    project_id: int,
    email: str | None,
    address: str,
    locale: str,
) -> Cast:
    """Vote for a project: at once for a person logged in with a confirmed address, else a
    link to the address given (or the account's). A voter's later vote replaces the earlier
    one (once confirmed); two votes of one address at once make one ballot."""
    judging_round = await _open_vote_round(session, user=user, round_id=round_id)
    await _project_in_vote(session, judging_round, project_id)
    direct = user is not None and user.email_verified_at is not None
    voter_email = normalise_email(
        user.email if direct and user is not None else email or (user.email if user else "")
    )
    if not voter_email:
        message = _("Please enter your e-mail address: we send you a link to confirm your vote.")
        raise ValidationFailed({"email": message}, message)
    now = utcnow()
    account = user if direct else await accounts_queries.user_by_email(session, voter_email)
    vote, _created = await insert_or_get(
        session,
        PublicVote(
            round_id=round_id,
            email=voter_email,
            user_id=user.id if direct and user is not None else None,
            nonce=new_nonce(),
            network=anomalies.network_of(address),
            new_voter=account is None or account.created_at > now - NEW_ACCOUNT,
            created_at=now,
        ),
        find=lambda: _ballot(session, round_id, voter_email),
    )
    assert vote.id is not None
    if direct and user is not None:
        if vote.voided_at is not None:
            raise VoteVoided(_(VoteVoided.message))
        previous = vote.project_id
        vote.user_id = user.id
        vote.pending_project_id = None
        vote.nonce = new_nonce()  # a link still in a mailbox no longer changes this vote
        if previous != project_id or vote.confirmed_at is None:
            vote.project_id = project_id
            vote.confirmed_at = now
        session.add(vote)
        log_action(
            session,
            actor_id=user.id,
            action=events.VOTE_CAST,
            subject_type="public_vote",
            subject_id=vote.id,
            challenge_id=judging_round.challenge_id,
            data={"round_id": round_id, "project_id": project_id, "previous": previous},
        )
        emit(
            session,
            events.PublicVotesChanged(challenge_id=judging_round.challenge_id, round_id=round_id),
        )
        return Cast(vote, counted=True)
    if vote.voided_at is not None:
        # Answered like any other vote: whoever typed the address learns nothing of it.
        return Cast(vote, counted=False)
    vote.pending_project_id = project_id
    vote.nonce = new_nonce()  # only the newest link works
    session.add(vote)
    await session.flush()
    log_action(
        session,
        actor_id=user.id if user else None,
        action=events.VOTE_REQUESTED,
        subject_type="public_vote",
        subject_id=vote.id,
        challenge_id=judging_round.challenge_id,
        data={"round_id": round_id, "project_id": project_id},
    )
    emit(
        session,
        events.VoteRequested(
            challenge_id=judging_round.challenge_id,
            round_id=round_id,
            vote_id=vote.id,
            nonce=vote.nonce,
            locale=locale,
        ),
    )
    return Cast(vote, counted=False)


async def confirm_vote(session: AsyncSession, *, claim: VoteClaim | None) -> PublicVote:
    """Count the vote an e-mailed link confirms; once (the ballot's row is locked and its
    nonce replaced, so a second click, at once or later, finds the link used)."""
    if claim is None:  # not a link of ours: tampered, cut short, too old
        message = _(VoteLinkNotValid.message)
        raise ValidationFailed({"token": message}, message)
    unlocked = await session.get(PublicVote, claim.vote_id)
    if unlocked is None:
        raise VoteLinkNotValid(_(VoteLinkNotValid.message))
    # The round first, then the ballot: the order cast_vote takes them in.
    judging_round = await _vote_round(session, unlocked.round_id)
    vote = await session.get(
        PublicVote, claim.vote_id, with_for_update=True, populate_existing=True
    )
    if (
        vote is None
        or vote.voided_at is not None
        or vote.nonce != claim.nonce
        or vote.pending_project_id != claim.project_id
    ):
        raise VoteLinkNotValid(_(VoteLinkNotValid.message))
    if judging_round.status != RoundStatus.OPEN:
        raise VotingNotOpen(_(VotingNotOpen.message))
    await _project_in_vote(session, judging_round, claim.project_id)
    assert vote.id is not None
    previous = vote.project_id
    vote.project_id = claim.project_id
    vote.pending_project_id = None
    vote.nonce = new_nonce()
    vote.confirmed_at = utcnow()
    session.add(vote)
    log_action(
        session,
        actor_id=None,
        action=events.VOTE_CONFIRMED,
        subject_type="public_vote",
        subject_id=vote.id,
        challenge_id=judging_round.challenge_id,
        data={"round_id": vote.round_id, "project_id": claim.project_id, "previous": previous},
    )
    emit(
        session,
        events.PublicVotesChanged(challenge_id=judging_round.challenge_id, round_id=vote.round_id),
    )
    return vote


async def void_votes(
    session: AsyncSession, *, user: User, round_id: int, vote_ids: Sequence[int], reason: str
) -> list[int]:
    """Void ballots of the round (the organisers, until the results are published); a ballot
    voided already stays as it was. Every id must be a ballot of this round, else nothing."""
    judging_round = await queries.get_round(session, round_id)
    # The challenge's row lock: publishing the results waits, then sees the exact count.
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id, lock=True
    )
    if judging_round.kind != RoundKind.PUBLIC_VOTE:
        raise NotFound()
    if access.challenge.results_published_at is not None:
        raise CountFixed(_(CountFixed.message))
    wanted = set(vote_ids)
    found = await session.execute(
        select(PublicVote.id).where(
            col(PublicVote.round_id) == round_id, col(PublicVote.id).in_(sorted(wanted))
        )
    )
    if set(found.scalars()) != wanted:
        message = _("Some of these votes are not votes of this round.")
        raise ValidationFailed({"vote_ids": message}, message)
    voided = await session.execute(
        update(PublicVote)
        .where(
            col(PublicVote.round_id) == round_id,
            col(PublicVote.id).in_(sorted(wanted)),
            col(PublicVote.voided_at).is_(None),
        )
        .values(voided_at=utcnow(), voided_by=user.id, void_reason=reason)
        .returning(col(PublicVote.id))
    )
    ids = sorted(vid for vid in voided.scalars() if vid is not None)
    if ids:
        log_action(
            session,
            actor_id=user.id,
            action=events.VOTES_VOIDED,
            subject_type="round",
            subject_id=round_id,
            challenge_id=judging_round.challenge_id,
            data={"votes": ids, "reason": reason},
        )
        emit(
            session,
            events.PublicVotesChanged(challenge_id=judging_round.challenge_id, round_id=round_id),
        )
    return ids


async def ballot_page(session: AsyncSession, *, user: User | None, round_id: int) -> BallotPage:
    """The projects one can vote for, and the person's own vote if they have one."""
    judging_round = await _vote_round(session, round_id)
    access = await challenge_permissions.viewable(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    ids = await rounds.project_ids(session, judging_round)
    names = await queries.project_names(session, ids)
    projects = sorted(names.values(), key=lambda pair: pair[0].title.casefold())
    direct = user is not None and user.email_verified_at is not None
    mine = None
    if direct and user is not None:
        result = await session.execute(
            select(PublicVote.project_id).where(
                col(PublicVote.round_id) == round_id,
                col(PublicVote.email) == user.email,
                col(PublicVote.voided_at).is_(None),
            )
        )
        mine = result.scalar_one_or_none()
    return BallotPage(judging_round, access.challenge, projects, mine, direct)


async def _ballots(session: AsyncSession, round_id: int) -> list[PublicVote]:
    result = await session.execute(
        select(PublicVote).where(col(PublicVote.round_id) == round_id).order_by(col(PublicVote.id))
    )
    return list(result.scalars())


async def votes_page(session: AsyncSession, *, user: User, round_id: int) -> VotesPage:
    """The organisers' view of a public vote: the count, and the ballots that look odd."""
    judging_round = await queries.get_round(session, round_id)
    access = await challenge_permissions.organised(
        session, user=user, challenge_id=judging_round.challenge_id
    )
    if judging_round.kind != RoundKind.PUBLIC_VOTE:
        raise NotFound()
    ballots = await _ballots(session, round_id)
    live = [b for b in ballots if b.voided_at is None and b.id is not None]
    opened = judging_round.opened_at or utcnow()
    flags = anomalies.flag(
        [
            anomalies.Ballot(b.id or 0, b.network, b.new_voter, b.created_at, b.confirmed_at)
            for b in live
        ],
        over=(judging_round.closed_at or utcnow()) - opened,
    )
    counts = Counter(b.project_id for b in live if b.project_id is not None)
    names = await queries.project_names(
        session,
        sorted({pid for b in live for pid in (b.project_id, b.pending_project_id) if pid}),
    )
    rows = [TallyRow(*names[pid], votes) for pid, votes in counts.items() if pid in names]
    rows.sort(key=lambda row: (-row.votes, row.project.title.casefold()))
    flagged = [
        FlaggedBallot(
            id=b.id or 0,
            email=mask_email(b.email),
            network=b.network,
            project_title=names[pid][0].title
            if (pid := b.project_id or b.pending_project_id) and pid in names
            else "",
            created_at=b.created_at,
            confirmed_at=b.confirmed_at,
            counted=b.project_id is not None,
            flags=flags[b.id or 0],
        )
        for b in live
        if (b.id or 0) in flags
    ]
    return VotesPage(
        round=judging_round,
        challenge=access.challenge,
        rows=rows,
        counted=sum(counts.values()),
        pending=sum(1 for b in live if b.project_id is None),
        voided=len(ballots) - len(live),
        flagged=flagged,
    )


async def open_votes(session: AsyncSession, challenge_id: int) -> list[Round]:
    """The challenge's public-vote rounds open now (the challenge page invites to vote)."""
    result = await session.execute(
        select(Round)
        .where(
            col(Round.challenge_id) == challenge_id,
            col(Round.kind) == RoundKind.PUBLIC_VOTE,
            col(Round.status) == RoundStatus.OPEN,
        )
        .order_by(col(Round.id))
    )
    return list(result.scalars())


async def counts(session: AsyncSession, round_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """round id -> project id -> votes that count (confirmed, not voided), in one query."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    if not round_ids:
        return found
    result = await session.execute(
        select(PublicVote.round_id, PublicVote.project_id, func.count())
        .where(
            col(PublicVote.round_id).in_(round_ids),
            col(PublicVote.project_id).is_not(None),
            col(PublicVote.voided_at).is_(None),
        )
        .group_by(col(PublicVote.round_id), col(PublicVote.project_id))
    )
    for round_id, project_id, votes in result.all():
        if project_id is not None:
            found[round_id][project_id] = votes
    return found


async def people_choice_awards(
    session: AsyncSession, *, challenge_id: int, rounds: Sequence[Round]
) -> list[tuple[Award, Project, Team]]:
    """The people's choice of each closed public-vote round: the project with the most votes
    (a tie shares it); its own award, beside the jury's and never in its ranking."""
    closed = [
        r for r in rounds if r.kind == RoundKind.PUBLIC_VOTE and r.status == RoundStatus.CLOSED
    ]
    by_round = await counts(session, [r.id for r in closed if r.id is not None])
    winners = {
        r.id: [pid for pid, n in by_round[r.id].items() if n == max(by_round[r.id].values())]
        for r in closed
        if r.id is not None and by_round.get(r.id)
    }
    names = await queries.project_names(
        session, sorted({pid for pids in winners.values() for pid in pids})
    )
    made = []
    for judging_round in closed:
        if judging_round.id not in winners:
            continue
        name = (
            _("People's choice")
            if len(closed) == 1
            else _("People's choice: %(round)s") % {"round": judging_round.name}
        )
        for pid in sorted(winners[judging_round.id]):
            if pid not in names or names[pid][0].status != ProjectStatus.SUBMITTED:
                continue  # withdrawn since: out of the competition
            award = Award(
                challenge_id=challenge_id,
                project_id=pid,
                name=name,
                rank=1,
                score=float(by_round[judging_round.id][pid]),
                kind=AwardKind.PUBLIC_VOTE,
            )
            made.append((award, *names[pid]))
    return made
