"""People are told what concerns them: a real worker, a real SMTP server on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.models import RoleKind, User
from app.challenges.models import Challenge, Phase, PhaseKind
from app.db import Database, utcnow
from app.events.models import OutgoingMail
from app.events.service import emit
from app.judging.events import RoundOpened
from app.notifications import tasks
from app.notifications.models import Notification
from app.sponsors import adoptions
from app.sponsors.schemas import AdoptionCreate
from app.teams.events import ProjectSubmitted, TeamRegistered
from app.teams.models import Project, Team, TeamMember
from tests.certificates.smtp import SmtpSink, smtp_server, unused_port
from tests.factories import (
    Actors,
    csrf,
    make_challenge,
    make_project,
    make_round,
    make_sponsor,
    make_team,
    run_jobs,
)


@dataclass
class Scene:
    organiser: User
    challenge: Challenge
    coach: User
    student: User
    team: Team
    project: Project
    rep: User

    @property
    def cid(self) -> int:
        assert self.challenge.id is not None
        return self.challenge.id


async def _set_locale(db: Database, user: User, locale: str) -> None:
    async with db.transaction() as session:
        await session.execute(update(User).where(col(User.id) == user.id).values(locale=locale))
    user.locale = locale


@pytest.fixture
async def scene(db: Database, actors: Actors) -> Scene:
    organiser = await actors.user("Olga Ferri", email="olga@example.org")
    await _set_locale(db, organiser, "en")
    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova 2026")
    coach = await actors.user("Carla Rossi", email="carla@example.org")
    student = await actors.user("Giulia Bianchi", email="giulia@example.org")
    team = await make_team(db, challenge, coach=coach, name="4B Aqua")
    async with db.transaction() as session:
        session.add(
            TeamMember(team_id=team.id or 0, first_name="Giulia", last_name="B", user_id=student.id)
        )
    project = await make_project(db, team, title="Sensori per l'acqua piovana")
    rep = await actors.user("Riccardo Neri", email="riccardo@example.org")
    await make_sponsor(db, challenge, representative=rep, name="Acme S.p.A.")
    return Scene(organiser, challenge, coach, student, team, project, rep)


@pytest.fixture
def sink(app: Starlette) -> Iterator[SmtpSink]:
    with smtp_server() as server:
        app.state.settings = server.settings(app.state.settings)
        yield server


def _plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def _html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


async def _submitted(db: Database, scene: Scene) -> None:
    async with db.transaction() as session:
        emit(
            session,
            ProjectSubmitted(
                challenge_id=scene.cid, project_id=scene.project.id or 0, team_id=scene.team.id or 0
            ),
        )


async def _notifications(db: Database) -> list[Notification]:
    async with db.read() as session:
        found = await session.execute(select(Notification).order_by(col(Notification.id)))
        return list(found.scalars())


async def test_an_adoption_is_told_to_coach_sponsor_and_organisers_in_their_language(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    offer = AdoptionCreate(mentoring_hours=10)
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.project.id or 0, data=offer
        )
    await run_jobs(app)
    async with db.transaction() as session:
        await adoptions.accept_adoption(session, user=scene.coach, adoption_id=adoption.id or 0)
    await run_jobs(app)

    # The acceptance also issues the adoption's certificates (app.certificates), each told
    # to its recipient: the students' to the coach, the company's to its representative.
    everything = {a: [m["Subject"] for m in sink.to(a)] for a in sink_to(sink)}
    certificates = {
        a: sorted(s for s in found if s.startswith("Attestato per"))
        for a, found in everything.items()
    }
    subjects = {
        a: [s for s in found if not s.startswith("Attestato per")]
        for a, found in everything.items()
    }
    assert certificates == {
        "carla@example.org": [
            "Attestato per Giulia B \u2013 Climathon Mantova 2026",
            "Attestato per Giulia Bianchi \u2013 Climathon Mantova 2026",
            "Attestato per Luca Verdi \u2013 Climathon Mantova 2026",
        ],
        "riccardo@example.org": ["Attestato per Acme S.p.A. \u2013 Climathon Mantova 2026"],
        "olga@example.org": [],
    }
    assert subjects == {
        "carla@example.org": [
            "Acme S.p.A. propone di adottare Sensori per l'acqua piovana",
            "Acme S.p.A. adotta Sensori per l'acqua piovana",
        ],
        "riccardo@example.org": [
            "Acme S.p.A. propone di adottare Sensori per l'acqua piovana",
            "Acme S.p.A. adotta Sensori per l'acqua piovana",
        ],
        "olga@example.org": [
            "Acme S.p.A. offers to adopt Sensori per l'acqua piovana",
            "Acme S.p.A. adopts Sensori per l'acqua piovana",
        ],
    }
    proposed = sink.to("carla@example.org")[0]
    assert _plain(proposed).startswith("Buongiorno Carla Rossi,\n\nAcme S.p.A. ha proposto")
    assert f"http://testserver/teams/{scene.team.id}/adoptions" in _plain(proposed)
    offer_link = f"http://testserver/challenges/{scene.cid}/sponsor"
    assert offer_link in _plain(sink.to("riccardo@example.org")[0])
    assert "l&#39;acqua piovana" in _html(proposed)  # the HTML part is escaped
    english = sink.to("olga@example.org")[1]
    assert "was accepted" in _plain(english)


def sink_to(sink: SmtpSink) -> list[str]:
    seen: list[str] = []
    for message in sink.messages:
        if message["To"] not in seen:
            seen.append(message["To"])
    return sorted(seen, key=lambda a: ["carla", "riccardo", "olga"].index(a.split("@")[0]))


class RefusingSink(SmtpSink):
    """A real SMTP server that refuses one mailbox (550) until told otherwise."""

    def __init__(self, port: int, refused: str) -> None:
        super().__init__(port)
        self.refused = refused

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == self.refused:
            return "550 5.2.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


async def test_a_failure_on_the_second_recipient_never_sends_the_first_one_again(
    app: Starlette, db: Database, scene: Scene
) -> None:
    from aiosmtpd.controller import Controller

    port = unused_port()
    refusing = RefusingSink(port, refused="giulia@example.org")
    controller = Controller(refusing, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.state.settings = refusing.settings(app.state.settings)
        await _submitted(db, scene)
        await run_jobs(app)  # the coach's goes; the student's is refused by the server
        async with db.read() as session:
            mails = list(
                (await session.execute(select(OutgoingMail).order_by(col(OutgoingMail.id))))
                .scalars()
                .all()
            )
        assert [(m.to_address, m.sent_at is not None) for m in mails] == [
            ("carla@example.org", True),
            ("giulia@example.org", False),
        ]
        assert "Mailbox unavailable" in mails[1].last_error

        # The handler runs again (a worker that died before marking the event): nothing new.
        await _submitted_again_by_handler(db, scene)
        refusing.refused = ""  # the mailbox is back; time passes past the retry's wait
        async with db.transaction() as session:
            await session.execute(
                update(OutgoingMail).values(
                    created_at=utcnow() - timedelta(minutes=5), claimed_until=None
                )
            )
        await run_jobs(app)  # the mail reconciler runs at the worker's start
    finally:
        controller.stop()

    assert [m["To"] for m in refusing.messages] == ["carla@example.org", "giulia@example.org"]
    assert len(await _notifications(db)) == 2


async def _submitted_again_by_handler(db: Database, scene: Scene) -> None:
    from app.events.models import OutboxEvent
    from app.events.service import parse_event

    async with db.read() as session:
        row = (
            await session.execute(
                select(OutboxEvent).where(col(OutboxEvent.type) == "ProjectSubmitted")
            )
        ).scalar_one()
    event = parse_event(row)
    assert isinstance(event, ProjectSubmitted)
    async with db.transaction() as session:
        await tasks.tell_project_submitted(session, event)


async def test_a_person_who_opted_out_gets_nothing_and_the_organisers_see_it(
    app: Starlette, db: Database, scene: Scene, actors: Actors, sink: SmtpSink
) -> None:
    coach = await actors.client(scene.coach)
    token = await csrf(coach, "/account/notifications")
    # Every box but "a team I coach is registered" stays ticked.
    kept = ["project_submitted", "results_published", "certificate_ready", "phase_closing"]
    answer = await coach.post(
        "/account/notifications", data={"csrf_token": token, **dict.fromkeys(kept, "on")}
    )
    assert answer.status_code == 303
    page = await coach.get("/account/notifications")
    assert 'id="f-team_registered" name="team_registered" >' in page.text
    assert 'id="f-project_submitted" name="project_submitted" checked>' in page.text

    async with db.transaction() as session:
        emit(session, TeamRegistered(challenge_id=scene.cid, team_id=scene.team.id or 0))
    await _submitted(db, scene)
    await run_jobs(app)

    assert [m["Subject"] for m in sink.to("carla@example.org")] == [
        "4B Aqua ha consegnato il progetto in Climathon Mantova 2026"
    ]
    organiser = await actors.client(scene.organiser)
    log = await organiser.get(f"/challenges/{scene.cid}/notifications", params={"lang": "it"})
    assert log.status_code == 200
    assert "non inviato: notifica disattivata" in log.text
    assert log.text.count("inviato ") + log.text.count("inviato\n") >= 1


async def test_a_mandatory_notification_cannot_be_turned_off(
    app: Starlette, scene: Scene, actors: Actors
) -> None:
    coach = await actors.client(scene.coach)
    token = await csrf(coach, "/account/notifications")

    answer = await coach.post(
        "/account/notifications", data={"csrf_token": token, "adoption_proposed": "on"}
    )

    assert answer.status_code == 422


def _ctx(app: Starlette) -> dict[str, Any]:
    return {"db": Database(app.state.settings), "settings": app.state.settings}


async def _deadline_in(db: Database, scene: Scene, delta: timedelta) -> None:
    """The submission phase closes in `delta`; the others are far from any moment."""
    async with db.transaction() as session:
        await session.execute(
            update(Phase)
            .where(col(Phase.challenge_id) == scene.cid)
            .values(starts_at=utcnow() - timedelta(days=5), ends_at=utcnow() + timedelta(days=9))
        )
        await session.execute(
            update(Phase)
            .where(col(Phase.challenge_id) == scene.cid, col(Phase.kind) == PhaseKind.SUBMISSION)
            .values(ends_at=utcnow() + delta)
        )


async def test_a_deadline_is_told_48_and_2_hours_before_once_however_often_the_cron_runs(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    ctx = _ctx(app)
    try:
        await _deadline_in(db, scene, timedelta(hours=47, minutes=55))
        first = [await tasks.remind_phases(ctx) for _ in range(2)]
        await _deadline_in(db, scene, timedelta(hours=1, minutes=55))
        second = [await tasks.remind_phases(ctx) for _ in range(2)]
    finally:
        await ctx["db"].dispose()
    await run_jobs(app)

    # The coach and the organiser (the student holds no role: members are told by coaches).
    assert first == [2, 0] and second == [2, 0]
    subjects = [m["Subject"] for m in sink.to("carla@example.org")]
    assert len(subjects) == 2
    assert all(s.startswith("Climathon Mantova 2026: Consegna si chiude il ") for s in subjects)
    carla = sorted(_plain(m) for m in sink.to("carla@example.org"))
    assert ["tra circa 2 ore" in carla[0], "tra circa 48 ore" in carla[1]] == [True, True]
    olga = sorted(_plain(m) for m in sink.to("olga@example.org"))
    assert ["in about 2 hours" in olga[0], "in about 48 hours" in olga[1]] == [True, True]
    assert "(Europe/Rome)" in olga[0]


async def test_judges_are_told_when_a_round_opens_and_reminded_once_a_day(
    app: Starlette, db: Database, scene: Scene, actors: Actors, sink: SmtpSink
) -> None:
    judge = await actors.user("Andrea Lodi", email="andrea@example.org")
    other = await make_project(db, await make_team(db, scene.challenge, coach=scene.coach))
    judging_round = await make_round(
        db, scene.challenge, judges=[judge], projects=[scene.project, other]
    )
    async with db.transaction() as session:
        emit(session, RoundOpened(challenge_id=scene.cid, round_id=judging_round.id or 0))
    await run_jobs(app)
    ctx = _ctx(app)
    try:
        reminders = [await tasks.remind_judges(ctx) for _ in range(2)]
    finally:
        await ctx["db"].dispose()
    await run_jobs(app)

    assert reminders == [1, 0]
    told, reminded = sink.to("andrea@example.org")
    assert told["Subject"] == "Progetti da valutare in Climathon Mantova 2026"
    assert "Progetti che attendono la tua valutazione: 2." in _plain(told)
    assert "http://testserver/judging\n" in _plain(told)
    assert (
        reminded["Subject"] == "Promemoria: progetti ancora da valutare in Climathon Mantova 2026"
    )


async def test_results_reach_everyone_with_a_role_once(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    from app.judging.events import ResultsPublished

    for _ in range(2):  # published twice (as two events): each person is told once
        async with db.transaction() as session:
            emit(session, ResultsPublished(challenge_id=scene.cid))
    await run_jobs(app)

    results = [
        m["To"] for m in sink.messages if "risultati" in m["Subject"] or "results" in m["Subject"]
    ]
    assert sorted(results) == ["carla@example.org", "olga@example.org", "riccardo@example.org"]
    assert RoleKind.COACH  # the coach holds the coach role; the student holds none


async def test_long_and_hostile_names_never_reach_a_header_nor_fail_the_handler(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    from app.events.models import OutboxEvent
    from app.sponsors.models import Sponsor

    hostile = "Acme\r\nBcc: victim@example.org\r\nX-Evil: 1 " + "S" * 160
    async with db.transaction() as session:
        await session.execute(update(Sponsor).values(name=hostile[:160]))
        await session.execute(update(Project).values(title="P" * 160))
    offer = AdoptionCreate(internships=2)
    async with db.transaction() as session:
        adoption = await adoptions.propose_adoption(
            session, user=scene.rep, project_id=scene.project.id or 0, data=offer
        )
        await adoptions.withdraw_adoption(session, user=scene.rep, adoption_id=adoption.id or 0)
    await run_jobs(app)

    async with db.read() as session:
        events = list((await session.execute(select(OutboxEvent))).scalars())
    assert all(e.dispatched_at is not None for e in events)
    assert len(sink.messages) == 6  # proposed and withdrawn, to the coach, sponsor, organiser
    for message in sink.messages:
        assert message["Bcc"] is None and message["X-Evil"] is None
        assert len(message["Subject"]) <= 300
        assert "Acme Bcc: victim@example.org X-Evil: 1" in message["Subject"]
    assert any(m["Subject"].endswith("\u2026") for m in sink.messages)  # cut, not refused
    assert {to for _sender, tos in sink.envelopes for to in tos} == {
        "carla@example.org",
        "riccardo@example.org",
        "olga@example.org",
    }


async def test_moved_dates_reach_everyone_with_a_role_with_the_reason_and_new_dates(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink, actors: Actors
) -> None:
    page = f"/challenges/{scene.cid}/phases"
    async with await actors.client(scene.organiser) as http:
        form = await http.get(page)
        values = dict(re.findall(r'name="(\w+_(?:starts|ends)_at)"[^>]*value="([^"]*)"', form.text))
        later = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
        moved = await http.post(
            page,
            data={
                **values,
                "registration_ends_at": later,
                "reason": "Le scuole chiudono per le elezioni",
                "csrf_token": await csrf(http, page),
            },
        )
    await run_jobs(app)

    assert moved.status_code == 303
    told = {m["To"]: m for m in sink.messages if "Climathon Mantova 2026:" in m["Subject"]}
    assert set(told) == {"carla@example.org", "olga@example.org", "riccardo@example.org"}
    assert told["carla@example.org"]["Subject"] == "Climathon Mantova 2026: le date sono cambiate"
    assert "Le scuole chiudono per le elezioni" in _plain(told["carla@example.org"])
    assert "Iscrizioni" in _plain(told["carla@example.org"])
    assert told["olga@example.org"]["Subject"] == "Climathon Mantova 2026: the dates have changed"


async def test_a_deadline_moved_later_is_announced_again(
    app: Starlette, db: Database, scene: Scene, sink: SmtpSink
) -> None:
    ctx = _ctx(app)
    try:
        await _deadline_in(db, scene, timedelta(hours=1, minutes=55))
        before = await tasks.remind_phases(ctx)
        await _deadline_in(db, scene, timedelta(hours=1, minutes=30))
        after = [await tasks.remind_phases(ctx) for _ in range(2)]
    finally:
        await ctx["db"].dispose()

    assert before == 2 and after == [2, 0]  # coach and organiser, once per new moment
