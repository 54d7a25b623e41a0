"""Building and sending one e-mail over SMTP (aiosmtplib: the worker never blocks on it).

Messages are queued with app.events.service.queue_mail and delivered by the
`mail.deliver` job; this module only knows how to make and hand over one message.
"""

from __future__ import annotations

import logging
import re
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib

from app.config import Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15
# One plain address and nothing else: no display name, list, comment or line break that
# would let text from a form add a recipient or a header.
_ADDRESS = re.compile(r"[^\s@,;<>()\"\\]+@[^\s@,;<>()\"\\]+")


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; try again later."""


def new_message_id(settings: Settings) -> str:
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "madrina.localhost"
    return make_msgid(domain=domain)


def one_line(text: str) -> str:
    """A header value: runs of spaces, tabs and line breaks (of any kind) become one space."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def build_message(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    message_id: str = "",
) -> EmailMessage:
    """Plain text, with an HTML alternative when `html` is given (already escaped by its
    template). User text never reaches a header but as one line of the subject."""
    if not _ADDRESS.fullmatch(to):
        raise ValueError(f"not a single plain address: {to!r}")
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id or new_message_id(settings)
    message.set_content(body, subtype="plain", charset="utf-8")
    if html:
        message.add_alternative(html, subtype="html", charset="utf-8")
    return message


async def _deliver(settings: Settings, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        timeout=SMTP_TIMEOUT_SECONDS,
        # STARTTLS only when asked (aiosmtplib would otherwise try it whenever offered).
        start_tls=settings.smtp_starttls,
        tls_context=ssl.create_default_context() if settings.smtp_starttls else None,
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
    )


async def send(
    settings: Settings,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    message_id: str = "",
) -> bool:
    """Send one e-mail; False when no SMTP server is configured, MailError when it fails."""
    message = build_message(
        settings, to=to, subject=subject, body=body, html=html, message_id=message_id
    )
    if not settings.smtp_host:
        log.info("SMTP_HOST is not set; not sending %r to %s", message["Subject"], to)
        return False
    try:
        await _deliver(settings, message)
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send e-mail to {to}: {exc}") from exc
    log.info("sent %r to %s", message["Subject"], to)
    return True
