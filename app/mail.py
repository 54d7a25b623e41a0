"""Sending plain-text e-mail over SMTP (blocking smtplib, run in a thread)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from app.config import Settings

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 15


class MailError(Exception):
    """The SMTP server could not be reached or refused the message; try again later."""


def build_message(settings: Settings, *, to: str, subject: str, body: str) -> EmailMessage:
    """A text/plain message: nothing in it is ever interpreted as HTML."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    # A header must be one line: user text in a subject must not add headers.
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or "madrina.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, subtype="plain", charset="utf-8")
    return message


def _deliver(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


async def send(settings: Settings, *, to: str, subject: str, body: str) -> bool:
    """Send one e-mail; False when no SMTP server is configured, MailError when it fails."""
    message = build_message(settings, to=to, subject=subject, body=body)
    if not settings.smtp_host:
        log.info("SMTP_HOST is not set; not sending %r to %s", message["Subject"], to)
        return False
    try:
        await asyncio.to_thread(_deliver, settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"could not send e-mail to {to}: {exc}") from exc
    log.info("sent %r to %s", message["Subject"], to)
    return True
