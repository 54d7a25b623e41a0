"""A notification's e-mail: subject, plain text and HTML, in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from app import i18n
from app.accounts.models import User
from app.config import Settings
from app.i18n import gettext as _
from app.notifications.schemas import OPTIONAL, SUBJECTS, TEXTS, Kind, Letter
from app.templating import render_string

PREFERENCES_PATH = "/account/notifications"


def phase_name(kind: str) -> str:
    names = {
        "registration": _("Registration"),
        "submission": _("Submission"),
        "judging": _("Judging"),
        "adoption": _("Adoption"),
    }
    return names.get(kind, kind)


def when(value: datetime, timezone: str) -> str:
    """A date and time as the recipient reads it, in the challenge's time zone."""
    local = value.astimezone(ZoneInfo(timezone))
    return (
        format_datetime(local, "EEEE d MMMM y, HH:mm", locale=i18n.get_locale()) + f" ({timezone})"
    )


def letter(
    settings: Settings,
    *,
    kind: Kind,
    user: User,
    values: Callable[[], dict[str, str]],
    path: str = "",
    subject: Callable[[], str] | None = None,
    body: Callable[[], str] | None = None,
) -> Letter:
    """Render the one notification template in the person's language; `values` (and a
    given `subject` or whole plain `body`, greeting included) are called in that language."""
    with i18n.use_locale(user.locale):
        found = values()
        whole = body() if body else ""
        paragraphs = [
            p.strip() for p in whole.split("\n\n") if p.strip() and not p.startswith("--")
        ]
        context = {
            "name": user.name,
            "greet": not whole,
            "paragraphs": paragraphs or [_(TEXTS[kind]) % found],
            "link": f"{settings.base_url}{path}" if path else "",
            "optional": kind in OPTIONAL,
            "preferences": f"{settings.base_url}{PREFERENCES_PATH}",
        }
        return Letter(
            subject=subject() if subject else _(SUBJECTS[kind]) % found,
            text=whole or render_string("emails/notifications/notification.txt", context),
            html=render_string("emails/notifications/notification.html", context),
        )
