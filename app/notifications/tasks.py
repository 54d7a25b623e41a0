"""Event handlers and crons that tell people what concerns them (collected by workers.main).

A handler runs in the dispatcher's transaction with its HandledEvent marker, and every
person it tells gets a Notification row keyed by (kind, subject, person) with the queued
e-mail: a handler or a cron that runs twice, or fails half-way and runs again, tells nobody
twice, and an e-mail that fails to go is retried by the mail outbox without the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from arq import cron
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from app import i18n
from app.accounts.models import RoleKind, User
from app.certificates import queries as certificates_queries
from app.certificates import render as certificates_render
from app.certificates.events import CertificateIssued
from app.certificates.models import Certificate, CertificateStatus
from app.challenges import queries as challenges_queries
from app.challenges.events import PhasesMoved
from app.config import Settings
from app.db import Database, utcnow
from app.events.service import handles, session_settings
from app.i18n import gettext as _
from app.judging import queries as judging_queries
from app.judging.events import ResultsPublished, RoundNotOpened, RoundOpened
from app.notifications import queries, service
from app.notifications.mails import letter, phase_name, when
from app.notifications.schemas import Kind, Letter
from app.notifications.service import LetterFor
from app.sponsors import queries as sponsors_queries
from app.sponsors.events import (
    AdoptionAccepted,
    AdoptionAmended,
    AdoptionAutoDeclined,
    AdoptionAwaitingConfirmation,
    AdoptionClosed,
    AdoptionDeclined,
    AdoptionEvent,
    AdoptionProposed,
    AdoptionRefused,
    AdoptionReplied,
    AdoptionWithdrawn,
    MilestoneConfirmed,
    MilestoneProposed,
)
from app.sponsors.models import AdoptionStatus, Side
from app.teams import queries as teams_queries
from app.teams.events import ProjectSubmitted, TeamRegistered

log = logging.getLogger(__name__)

JUDGE_PATH = "/judging"  # a judge's projects to score, every challenge's

# How long before a phase opens or closes people are told; each is sent once per phase.
LEAD_TIMES: tuple[tuple[str, timedelta], ...] = (
    ("48h", timedelta(hours=48)),
    ("2h", timedelta(hours=2)),
)


def _letters(
    settings: Settings,
    kind: Kind,
    values: dict[str, str] | Callable[[], dict[str, str]],
    path: str,
) -> LetterFor:
    """Each recipient's letter of one kind; `values` called in their language if a function."""

    def in_language() -> dict[str, str]:
        return values() if callable(values) else values

    def make(user: User) -> Letter:
        return letter(settings, kind=kind, user=user, values=in_language, path=path)

    return make


def _challenge_path(challenge_id: int) -> str:
    return f"/challenges/{challenge_id}"


@handles(TeamRegistered)
async def tell_team_registered(session: AsyncSession, event: TeamRegistered) -> None:
    settings = session_settings(session)
    team = await teams_queries.get_team(session, event.team_id)
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    values = {"team": team.name, "challenge": challenge.title}
    await service.notify(
        session,
        kind=Kind.TEAM_REGISTERED,
        subject_id=str(event.team_id),
        user_ids=await queries.coach_of(session, team_id=event.team_id),
        challenge_id=event.challenge_id,
        letter_for=_letters(settings, Kind.TEAM_REGISTERED, values, f"/teams/{event.team_id}"),
    )


@handles(ProjectSubmitted)
async def tell_project_submitted(session: AsyncSession, event: ProjectSubmitted) -> None:
    """The coach and the members with an account; a project submitted again after being
    taken back is told again (its subject is this event)."""
    settings = session_settings(session)
    team = await teams_queries.get_team(session, event.team_id)
    project = await teams_queries.get_project(session, event.project_id)
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    values = {"team": team.name, "project": project.title, "challenge": challenge.title}
    await service.notify(
        session,
        kind=Kind.PROJECT_SUBMITTED,
        subject_id=event.event_id,
        user_ids=await queries.team_people(session, team_id=event.team_id),
        challenge_id=event.challenge_id,
        letter_for=_letters(settings, Kind.PROJECT_SUBMITTED, values, f"/teams/{event.team_id}"),
    )


COACH, SPONSOR, ORGANISERS = "coach", "sponsor", "organisers"
EVERYONE = (COACH, SPONSOR, ORGANISERS)
Values = Callable[[], dict[str, str]]


async def _tell_adoption(
    session: AsyncSession,
    event: AdoptionEvent,
    kind: Kind,
    *,
    to: tuple[str, ...] = EVERYONE,
    subject_id: str | None = None,
    more: Values | None = None,
) -> int:
    """The team's coach, the sponsor's representatives and the challenge's organisers (or
    those of them in `to`); `more` adds values, called in each recipient's language."""
    settings = session_settings(session)
    team = await teams_queries.get_team(session, event.team_id)
    project = await teams_queries.get_project(session, event.project_id)
    sponsor = await sponsors_queries.get_sponsor(
        session, event.sponsor_id, challenge_id=event.challenge_id
    )
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    common = {
        "team": team.name,
        "project": project.title,
        "sponsor": sponsor.name,
        "challenge": challenge.title,
    }

    def values() -> dict[str, str]:
        return {**common, **(more() if more else {})}

    coach = await queries.coach_of(session, team_id=event.team_id) if COACH in to else []
    representatives = (
        await queries.representatives(session, sponsor_id=event.sponsor_id) if SPONSOR in to else []
    )
    organisers = (
        await queries.role_holders(
            session, challenge_id=event.challenge_id, kinds=[RoleKind.ORGANISER]
        )
        if ORGANISERS in to
        else []
    )
    # Each is sent where they follow offers: the sponsor's page, else the team's offers; an
    # adoption that took effect is followed on its own page, an acceptance to confirm on the
    # organisers' table.
    if kind in FOLLOWED_KINDS:
        team_path = sponsor_path = f"/adoptions/{event.adoption_id}/follow-up"
    else:
        team_path = f"/teams/{event.team_id}/adoptions"
        sponsor_path = f"/challenges/{event.challenge_id}/sponsor"
    if kind == Kind.ADOPTION_AWAITING_CONFIRMATION:
        team_path = f"/challenges/{event.challenge_id}/adoptions"
    for_team = _letters(settings, kind, values, team_path)
    for_sponsor = _letters(settings, kind, values, sponsor_path)

    def letter_for(user: User) -> Letter:
        sponsor_side = user.id in representatives and user.id not in coach + organisers
        return for_sponsor(user) if sponsor_side else for_team(user)

    return await service.notify(
        session,
        kind=kind,
        subject_id=subject_id or str(event.adoption_id),
        user_ids=[*coach, *representatives, *organisers],
        challenge_id=event.challenge_id,
        letter_for=letter_for,
    )


FOLLOWED_KINDS = frozenset(
    {Kind.MILESTONE_PROPOSED, Kind.MILESTONE_CONFIRMED, Kind.ADOPTION_CLOSED, Kind.ADOPTION_OVERDUE}
)


@handles(AdoptionProposed)
async def tell_adoption_proposed(session: AsyncSession, event: AdoptionProposed) -> None:
    await _tell_adoption(session, event, Kind.ADOPTION_PROPOSED)


@handles(AdoptionAccepted)
async def tell_adoption_accepted(session: AsyncSession, event: AdoptionAccepted) -> None:
    """Accepted by the team, or confirmed by an organiser where the rules ask for it."""
    await _tell_adoption(session, event, Kind.ADOPTION_ACCEPTED)


@handles(AdoptionDeclined)
async def tell_adoption_declined(session: AsyncSession, event: AdoptionDeclined) -> None:
    await _tell_adoption(session, event, Kind.ADOPTION_DECLINED)


@handles(AdoptionWithdrawn)
async def tell_adoption_withdrawn(session: AsyncSession, event: AdoptionWithdrawn) -> None:
    await _tell_adoption(session, event, Kind.ADOPTION_WITHDRAWN)


@handles(AdoptionAmended)
async def tell_adoption_amended(session: AsyncSession, event: AdoptionAmended) -> None:
    """The coach (who answers) and the organisers; each version is told once."""
    await _tell_adoption(
        session,
        event,
        Kind.ADOPTION_AMENDED,
        to=(COACH, ORGANISERS),
        subject_id=f"{event.adoption_id}:v{event.version}",
        more=lambda: {"version": str(event.version)},
    )


@handles(AdoptionReplied)
async def tell_adoption_replied(session: AsyncSession, event: AdoptionReplied) -> None:
    """The company reads the team's message (each reply once)."""
    adoption = await sponsors_queries.get_adoption(session, event.adoption_id)
    message = adoption.team_message
    await _tell_adoption(
        session,
        event,
        Kind.ADOPTION_REPLIED,
        to=(SPONSOR,),
        subject_id=event.event_id,
        more=lambda: {"message": message},
    )


@handles(AdoptionAutoDeclined)
async def tell_adoption_auto_declined(session: AsyncSession, event: AdoptionAutoDeclined) -> None:
    """The company whose offer lost to another: why it was declined."""
    await _tell_adoption(session, event, Kind.ADOPTION_AUTO_DECLINED, to=(SPONSOR,))


@handles(AdoptionAwaitingConfirmation)
async def tell_adoption_awaiting_confirmation(
    session: AsyncSession, event: AdoptionAwaitingConfirmation
) -> None:
    """The organisers, who confirm or refuse the team's acceptance."""
    await _tell_adoption(session, event, Kind.ADOPTION_AWAITING_CONFIRMATION, to=(ORGANISERS,))


@handles(AdoptionRefused)
async def tell_adoption_refused(session: AsyncSession, event: AdoptionRefused) -> None:
    """Both sides, with the organisers' reason."""
    adoption = await sponsors_queries.get_adoption(session, event.adoption_id)
    reason = adoption.reason
    await _tell_adoption(
        session,
        event,
        Kind.ADOPTION_REFUSED,
        to=(COACH, SPONSOR),
        more=lambda: {"reason": reason},
    )


def _side_of(side: Side) -> tuple[str, ...]:
    return (SPONSOR,) if side == Side.SPONSOR else (COACH,)


def _other_side(side: Side) -> tuple[str, ...]:
    return (COACH,) if side == Side.SPONSOR else (SPONSOR,)


async def _tell_milestone(
    session: AsyncSession,
    event: MilestoneProposed | MilestoneConfirmed,
    kind: Kind,
    to: Callable[[Side], tuple[str, ...]],
) -> None:
    """One side of the adoption (`to` picks it from the side that recorded the milestone),
    with the milestone's day."""
    milestone = await sponsors_queries.get_milestone(session, event.milestone_id)
    day = milestone.happened_on
    await _tell_adoption(
        session,
        event,
        kind,
        to=to(milestone.proposed_side),
        subject_id=str(event.milestone_id),
        more=lambda: {"date": format_date(day, format="long", locale=i18n.get_locale())},
    )


@handles(MilestoneProposed)
async def tell_milestone_proposed(session: AsyncSession, event: MilestoneProposed) -> None:
    """The side that did not record the milestone, which must confirm it."""
    await _tell_milestone(session, event, Kind.MILESTONE_PROPOSED, _other_side)


@handles(MilestoneConfirmed)
async def tell_milestone_confirmed(session: AsyncSession, event: MilestoneConfirmed) -> None:
    """The side that recorded the milestone: the other side confirmed it."""
    await _tell_milestone(session, event, Kind.MILESTONE_CONFIRMED, _side_of)


@handles(AdoptionClosed)
async def tell_adoption_closed(session: AsyncSession, event: AdoptionClosed) -> None:
    """Both sides and the organisers: completed, or ended early with the reason."""
    adoption = await sponsors_queries.get_adoption(session, event.adoption_id)
    reason = adoption.reason
    completed = event.outcome == AdoptionStatus.COMPLETED

    def outcome() -> dict[str, str]:
        if completed:
            return {"outcome": _("completed, the promises were kept.")}
        return {"outcome": _("ended early, saying: \u201c%(reason)s\u201d.") % {"reason": reason}}

    await _tell_adoption(session, event, Kind.ADOPTION_CLOSED, more=outcome)


@handles(RoundOpened)
async def tell_judges_assigned(session: AsyncSession, event: RoundOpened) -> None:
    """Each judge with projects to score in the round that opened, with how many."""
    settings = session_settings(session)
    for left in await queries.left_to_score(session, round_id=event.round_id):
        values = {
            "round": left.round.name,
            "challenge": left.challenge.title,
            "count": str(left.count),
        }
        await service.notify(
            session,
            kind=Kind.JUDGING_ASSIGNED,
            subject_id=str(event.round_id),
            user_ids=[left.judge_id],
            challenge_id=event.challenge_id,
            letter_for=_letters(settings, Kind.JUDGING_ASSIGNED, values, JUDGE_PATH),
        )


@handles(RoundNotOpened)
async def tell_round_not_opened(session: AsyncSession, event: RoundNotOpened) -> None:
    """The organisers: the round's date came but it could not open (no judges assigned).
    Once per opening date: a new date that fails again is told again."""
    settings = session_settings(session)
    judging_round = await judging_queries.get_round(session, event.round_id)
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    organisers = await queries.role_holders(
        session, challenge_id=event.challenge_id, kinds=[RoleKind.ORGANISER]
    )
    when_due = judging_round.opens_at.isoformat() if judging_round.opens_at else ""
    values = {"round": judging_round.name, "challenge": challenge.title}
    await service.notify(
        session,
        kind=Kind.ROUND_NOT_OPENED,
        subject_id=f"{event.round_id}:{when_due}"[:60],
        user_ids=organisers,
        challenge_id=event.challenge_id,
        letter_for=_letters(
            settings,
            Kind.ROUND_NOT_OPENED,
            values,
            f"/challenges/{event.challenge_id}/judging",
        ),
    )


@handles(ResultsPublished)
async def tell_results_published(session: AsyncSession, event: ResultsPublished) -> None:
    """Everyone who holds a role in the challenge and the members with an account."""
    settings = session_settings(session)
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    people = await queries.role_holders(
        session, challenge_id=event.challenge_id, kinds=list(RoleKind)
    )
    values = {"challenge": challenge.title}
    await service.notify(
        session,
        kind=Kind.RESULTS_PUBLISHED,
        subject_id=str(event.challenge_id),
        user_ids=people,
        challenge_id=event.challenge_id,
        letter_for=_letters(
            settings, Kind.RESULTS_PUBLISHED, values, f"/challenges/{event.challenge_id}/results"
        ),
    )


@handles(PhasesMoved)
async def tell_phases_moved(session: AsyncSession, event: PhasesMoved) -> None:
    """Everyone with a role in the challenge: the organisers' reason and the new dates."""
    settings = session_settings(session)
    challenge = await challenges_queries.get_challenge(session, event.challenge_id)
    windows = await challenges_queries.phases(session, event.challenge_id)
    people = await queries.role_holders(
        session, challenge_id=event.challenge_id, kinds=list(RoleKind)
    )

    def values() -> dict[str, str]:
        dates = "; ".join(
            f"{phase_name(str(p.kind))} {when(p.starts_at, challenge.timezone)} \u2013 "
            f"{when(p.ends_at, challenge.timezone)}"
            for p in windows
        )
        return {"challenge": challenge.title, "reason": event.reason, "dates": dates}

    await service.notify(
        session,
        kind=Kind.PHASES_MOVED,
        subject_id=event.event_id,
        user_ids=people,
        challenge_id=event.challenge_id,
        letter_for=_letters(
            settings, Kind.PHASES_MOVED, values, _challenge_path(event.challenge_id)
        ),
    )


@handles(CertificateIssued)
async def tell_certificate_ready(session: AsyncSession, event: CertificateIssued) -> None:
    """Tell the coach, the judge or the company (the certificate's own text and links)."""
    settings = session_settings(session)
    certificate = await session.get(Certificate, event.certificate_id)
    if certificate is None or certificate.status != CertificateStatus.ISSUED:
        return
    challenge = await challenges_queries.get_challenge(session, certificate.challenge_id)
    recipients = await certificates_queries.notification_recipients(
        session, certificate=certificate
    )

    def letter_for(user: User) -> Letter:
        assert certificate is not None
        subject, body = certificates_render.certificate_email(
            certificate,
            challenge_title=challenge.title,
            recipient=user.name,
            site_url=settings.base_url,
            locale=user.locale,
        )
        return letter(
            settings,
            kind=Kind.CERTIFICATE_READY,
            user=user,
            values=dict,
            subject=lambda: subject,
            body=lambda: body,
        )

    await service.notify(
        session,
        kind=Kind.CERTIFICATE_READY,
        # A re-issued certificate (a new version) is told again.
        subject_id=event.event_id,
        user_ids=[u.id for u in recipients if u.id is not None],
        challenge_id=event.challenge_id,
        letter_for=letter_for,
    )


async def _overdue_reminders(session: AsyncSession) -> int:
    queued = 0
    for late in await sponsors_queries.overdue_adoptions(session, today=utcnow().date()):
        adoption = late.adoption
        assert adoption.id is not None
        event = AdoptionEvent(
            challenge_id=adoption.challenge_id,
            adoption_id=adoption.id,
            sponsor_id=adoption.sponsor_id,
            project_id=adoption.project_id,
            team_id=late.team_id,
        )

        def more(since: date = late.since, weeks: int = late.weeks) -> dict[str, str]:
            day = format_date(since, format="long", locale=i18n.get_locale())
            return {"date": day, "weeks": str(weeks)}

        queued += await _tell_adoption(
            session,
            event,
            Kind.ADOPTION_OVERDUE,
            to=(COACH, SPONSOR),
            # Once per overdue period; a milestone confirmed since starts the count again.
            subject_id=f"{adoption.id}:{late.since.isoformat()}:{late.periods}",
            more=more,
        )
    return queued


async def remind_overdue(ctx: dict[str, Any]) -> int:
    """Both sides of each overdue adoption are reminded, once per overdue period."""
    db: Database = ctx["db"]
    async with db.transaction() as session:
        return await _overdue_reminders(session)


async def _phase_reminders(session: AsyncSession) -> int:
    settings = session_settings(session)
    now = utcnow()
    queued = 0
    for label, lead in LEAD_TIMES:
        for phase, challenge, which in await queries.phases_due(session, now=now, until=now + lead):
            if label == "48h" and (phase.starts_at if which == "opening" else phase.ends_at) <= (
                now + timedelta(hours=2)
            ):
                continue  # inside the last two hours only the 2 h reminder is sent
            assert phase.id is not None and challenge.id is not None
            kind = Kind.PHASE_OPENING if which == "opening" else Kind.PHASE_CLOSING
            moment = phase.starts_at if which == "opening" else phase.ends_at
            hours = max(1, round((moment - now).total_seconds() / 3600))
            audience = queries.PHASE_AUDIENCE.get(str(phase.kind), (RoleKind.ORGANISER,))
            people = await queries.role_holders(session, challenge_id=challenge.id, kinds=audience)

            def values(
                phase_kind: str = str(phase.kind),
                title: str = challenge.title,
                moment: Any = moment,
                tz: str = challenge.timezone,
                hours: int = hours,
            ) -> dict[str, str]:
                return {
                    "phase": phase_name(phase_kind),
                    "challenge": title,
                    "when": when(moment, tz),
                    "hours": str(hours),
                }

            queued += await service.notify(
                session,
                kind=kind,
                # The moment is part of the key: a deadline moved later is announced again.
                subject_id=f"{phase.id}:{label}:{int(moment.timestamp())}",
                user_ids=people,
                challenge_id=challenge.id,
                letter_for=_letters(settings, kind, values, _challenge_path(challenge.id)),
            )
    return queued


async def remind_phases(ctx: dict[str, Any]) -> int:
    """Tell people a phase opens or closes in 48 h and in 2 h; once each, whatever the runs."""
    db: Database = ctx["db"]
    async with db.transaction() as session:
        return await _phase_reminders(session)


async def _judge_reminders(session: AsyncSession) -> int:
    settings = session_settings(session)
    day = utcnow().date().isoformat()
    queued = 0
    for left in await queries.left_to_score(session):
        assert left.round.id is not None and left.challenge.id is not None
        values = {
            "round": left.round.name,
            "challenge": left.challenge.title,
            "count": str(left.count),
        }
        queued += await service.notify(
            session,
            kind=Kind.JUDGE_REMINDER,
            subject_id=f"{left.round.id}:{day}",  # once a day per round
            user_ids=[left.judge_id],
            challenge_id=left.challenge.id,
            letter_for=_letters(settings, Kind.JUDGE_REMINDER, values, JUDGE_PATH),
        )
    return queued


async def remind_judges(ctx: dict[str, Any]) -> int:
    """Once a day, each judge with unscored projects in an open round is reminded."""
    db: Database = ctx["db"]
    async with db.transaction() as session:
        return await _judge_reminders(session)


functions: list[Any] = []
cron_jobs: list[Any] = [
    # Every 10 minutes: a 2 h reminder goes out between 2 h and 1 h 50 before the moment.
    cron(
        remind_phases, name="notifications.remind_phases", minute=set(range(0, 60, 10)), second={40}
    ),
    # 07:30 UTC (morning in Italy): overdue adoptions, once per overdue period.
    cron(remind_overdue, name="notifications.remind_overdue", hour={7}, minute={30}, second={20}),
    # 08:00 UTC (morning in Italy): the judge's daily reminder.
    cron(remind_judges, name="notifications.remind_judges", hour={8}, minute={0}, second={50}),
]
