"""Issued certificates are e-mailed (real worker, real SMTP server on loopback)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from app.certificates.models import CertificateKind, CertificateStatus
from app.db import Database, utcnow
from app.events.models import OutboxEvent, OutgoingMail
from tests.certificates.conftest import certificates, make_results, publish_results, work
from tests.certificates.smtp import SmtpSink, smtp_server, unused_port
from tests.factories import Actors


async def _mail(db: Database) -> list[OutgoingMail]:
    """The certificates' e-mails (results published are told too: app.notifications)."""
    async with db.read() as session:
        found = await session.execute(
            select(OutgoingMail).where(col(OutgoingMail.key).startswith("n:certificate_ready:"))
        )
        return list(found.scalars())


def _certificate_mails(sink: SmtpSink, address: str | None = None) -> list[EmailMessage]:
    return [
        m
        for m in (sink.to(address) if address else sink.messages)
        if m["Subject"].startswith("Attestato")
    ]


async def _events(db: Database, event_type: str) -> list[OutboxEvent]:
    async with db.read() as session:
        result = await session.execute(
            select(OutboxEvent).where(col(OutboxEvent.type) == event_type)
        )
        return list(result.scalars())


async def test_issued_certificates_are_emailed_to_coach_judge_and_company(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)

    with smtp_server() as sink:
        app.state.settings = sink.settings(app.state.settings)
        await publish_results(db, results.challenge)
        await work(app)

    issued = {c.kind: c for c in await certificates(db) if c.recipient_key.startswith("user:")}
    judge_certificate = issued[CertificateKind.JUDGE]
    assert len(_certificate_mails(sink, results.coach.email)) == 3  # participation, award, adoption
    assert len(_certificate_mails(sink, results.representative.email)) == 1
    (judge_mail,) = _certificate_mails(sink, results.judge.email)
    assert len(_certificate_mails(sink)) == 5
    assert judge_mail["Subject"] == "Attestato per Andrea Lodi \u2013 Climathon Mantova 2026"
    body = judge_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith("Buongiorno Andrea Lodi,\n")
    assert f"http://testserver/verify/{judge_certificate.code}" in body
    assert f"http://testserver/certificates/{judge_certificate.code}.pdf" in body
    coach_bodies = [
        m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        for m in _certificate_mails(sink, results.coach.email)
    ]
    assert all("Giulia Bianchi" in b for b in coach_bodies)
    # Plain text, not HTML: an apostrophe stays an apostrophe.
    assert any("Per: Sensori per l'acqua piovana" in b for b in coach_bodies)


async def test_smtp_down_keeps_the_mail_queued_and_a_retry_sends_without_duplicates(
    app: Starlette, db: Database, actors: Actors
) -> None:
    results = await make_results(actors, db)
    port = unused_port()  # nobody listens: connection refused
    base = app.state.settings
    app.state.settings = base.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})

    await publish_results(db, results.challenge)
    await work(app)

    before = [(c.id, c.code, c.sha256, c.status) for c in await certificates(db)]
    assert len(before) == 5
    assert {status for *_rest, status in before} == {CertificateStatus.ISSUED}
    # The events were handled (each queued its e-mail); the e-mails wait for the server.
    assert all(e.dispatched_at is not None for e in await _events(db, "CertificateIssued"))
    waiting = await _mail(db)
    assert [(m.sent_at, m.attempts) for m in waiting] == [(None, 1)] * 5

    with smtp_server(port) as sink:  # the mail server is back
        async with db.transaction() as session:
            await session.execute(
                update(OutgoingMail).values(
                    created_at=utcnow() - timedelta(minutes=5), claimed_until=None
                )
            )
        await work(app)  # the outbox reconciler runs at worker start-up

    assert len(_certificate_mails(sink)) == 5  # the coach's three, the judge's, the company's
    assert [(c.id, c.code, c.sha256, c.status) for c in await certificates(db)] == before
    assert all(m.sent_at is not None for m in await _mail(db))
