"""A real SMTP server on loopback for the accounts' e-mails, and reading links out of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from starlette.applications import Starlette

from tests.certificates.smtp import SmtpSink, smtp_server
from tests.factories import run_jobs

_LINK = re.compile(r"http://testserver\S+")


@pytest.fixture
def sink(app: Starlette) -> Iterator[SmtpSink]:
    """Mail sent by the worker (run_jobs) arrives here."""
    base = app.state.settings
    with smtp_server() as server:
        app.state.settings = server.settings(base)
        yield server
    app.state.settings = base


async def mail_to(app: Starlette, sink: SmtpSink, address: str) -> list[EmailMessage]:
    """Run the worker until the queue is empty; what the address received."""
    await run_jobs(app)
    return sink.to(address)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def links(message: EmailMessage) -> list[str]:
    return _LINK.findall(text_of(message))


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")
