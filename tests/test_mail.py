"""app.mail against a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app import mail
from app.config import Settings
from tests.certificates.smtp import SmtpSink, smtp_server, unused_port


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_server() as server:
        yield server


async def test_send_delivers_a_plain_text_message(sink: SmtpSink, settings: Settings) -> None:
    sent = await mail.send(
        sink.settings(settings),
        to="elena@example.org",
        subject="Attestato per Giulia",
        body="Ciao Elena,\nl'attestato è pronto: http://testserver/verify/ABCD\n",
    )

    assert sent is True
    assert sink.envelopes == [("noreply@madrina.localhost", ["elena@example.org"])]
    message = sink.messages[0]
    assert message["Subject"] == "Attestato per Giulia"
    assert message["From"] == "Madrina <noreply@madrina.localhost>"
    assert message["Message-ID"].endswith("@madrina.localhost>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == (
        "Ciao Elena,\nl'attestato è pronto: http://testserver/verify/ABCD\n"
    )


async def test_send_keeps_user_text_out_of_the_headers(sink: SmtpSink, settings: Settings) -> None:
    await mail.send(
        sink.settings(settings),
        to="elena@example.org",
        subject="Attestato\r\nBcc: victim@example.org\nX-Evil: 1",
        body="<b>not html</b>",
    )

    message = sink.messages[0]
    assert message["Subject"] == "Attestato Bcc: victim@example.org X-Evil: 1"
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert sink.envelopes[0][1] == ["elena@example.org"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "<b>not html</b>"


async def test_send_without_smtp_host_skips(settings: Settings) -> None:
    unconfigured = settings.model_copy(update={"smtp_host": ""})

    sent = await mail.send(unconfigured, to="a@example.org", subject="x", body="y")

    assert sent is False


async def test_send_to_a_server_that_is_down_raises_mail_error(settings: Settings) -> None:
    down = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": unused_port()})

    with pytest.raises(mail.MailError):
        await mail.send(down, to="a@example.org", subject="x", body="y")
