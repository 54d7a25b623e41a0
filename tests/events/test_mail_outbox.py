"""E-mails go through the outbox: queued once per event and recipient, delivered once, also
when a handler or a delivery runs again or fails half-way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import update
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts import tasks as accounts_tasks
from app.accounts.events import UserRegistered
from app.config import Settings
from app.db import Database, utcnow
from app.events.models import OutboxEvent, OutgoingMail
from app.events.service import parse_event
from app.events.tasks import deliver_mail
from app.mail import build_message
from tests.certificates.smtp import smtp_server, unused_port
from tests.factories import csrf, run_jobs


async def _sign_up(app: Starlette, email: str) -> None:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        token = await csrf(http, "/register")
        data = {"csrf_token": token, "name": "Anna", "email": email, "password": "long enough"}
        assert (await http.post("/register", data=data)).status_code == 200


async def _mail(db: Database) -> list[OutgoingMail]:
    async with db.read() as session:
        found = await session.execute(select(OutgoingMail).order_by(col(OutgoingMail.id)))
        return list(found.scalars())


async def test_a_handler_that_runs_twice_queues_one_mail(app: Starlette, db: Database) -> None:
    await _sign_up(app, "anna@example.org")
    async with db.read() as session:
        row = (await session.execute(select(OutboxEvent))).scalar_one()
    event = parse_event(row)
    assert isinstance(event, UserRegistered)

    for _ in range(2):  # as a worker that died before marking the event handled would
        async with db.transaction() as session:
            await accounts_tasks.send_verification(session, event)
    with smtp_server() as sink:
        app.state.settings = sink.settings(app.state.settings)
        await run_jobs(app)

    assert len(await _mail(db)) == 1
    assert len(sink.to("anna@example.org")) == 1


async def test_a_delivery_that_fails_half_way_resends_only_what_did_not_go(
    app: Starlette, db: Database
) -> None:
    base = app.state.settings
    port = unused_port()
    with smtp_server(port) as sink:
        app.state.settings = sink.settings(base)
        await _sign_up(app, "first@example.org")
        await run_jobs(app)
    await _sign_up(app, "second@example.org")
    await run_jobs(app)  # the server is gone: this one fails and waits
    waiting = await _mail(db)
    assert [(m.to_address, m.sent_at is None, m.attempts) for m in waiting] == [
        ("first@example.org", False, 1),
        ("second@example.org", True, 1),
    ]
    assert waiting[1].claimed_until is not None  # tried again once a short wait is over

    with smtp_server(port) as back:
        async with db.transaction() as session:  # time passes: the retry's wait is over
            await session.execute(
                update(OutgoingMail).values(
                    created_at=utcnow() - timedelta(minutes=5), claimed_until=None
                )
            )
        await run_jobs(app)  # the reconciler runs at the worker's start
        ctx = {"db": Database(app.state.settings), "settings": app.state.settings}
        again = [await deliver_mail(ctx, m.id or 0) for m in waiting]
        await ctx["db"].dispose()

    assert [m["To"] for m in sink.messages] == ["first@example.org"]
    assert [m["To"] for m in back.messages] == ["second@example.org"]
    assert again == ["sent already, or being sent"] * 2
    sent = await _mail(db)
    assert all(m.sent_at is not None and m.text == "" for m in sent)  # links kept nowhere


async def test_the_development_mailbox_keeps_what_would_have_been_sent(
    app: Starlette, db: Database
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"environment": "development", "smtp_host": ""}
    )
    await _sign_up(app, "anna@example.org")
    await run_jobs(app)

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        page = await http.get("/dev/mail")

    (kept,) = await _mail(db)
    assert kept.transport == "mailbox" and kept.text
    assert page.status_code == 200
    assert 'href="http://testserver/account/verify?token=' in page.text


def test_user_text_never_reaches_a_header(settings: Settings) -> None:
    message = build_message(
        settings, to="a@example.org", subject="Hi\r\nBcc: victim@example.org", body="x"
    )
    assert message["Subject"] == "Hi Bcc: victim@example.org" and message["Bcc"] is None
    for to in ("a@example.org\r\nBcc: v@example.org", "a@example.org, v@example.org"):
        with pytest.raises(ValueError, match="not a single plain address"):
            build_message(settings, to=to, subject="x", body="y")
