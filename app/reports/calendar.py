"""A challenge's phases as an iCalendar feed, for calendar apps to subscribe to."""

from __future__ import annotations

from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts.models import User
from app.challenges import views as challenges_views
from app.db import utcnow
from app.i18n import gettext as _


def _phase_name(kind: str) -> str:
    names = {
        "registration": _("Registration"),
        "submission": _("Submission"),
        "judging": _("Judging"),
        "adoption": _("Adoption"),
    }
    return names.get(kind, kind)


async def challenge_calendar(
    session: AsyncSession, *, user: User | None, challenge_id: int, site: str
) -> bytes:
    """Each phase window as an event, and its end as a deadline of its own (so a reminder
    can be set on it); for everyone who may see the challenge."""
    detail = await challenges_views.challenge_detail(session, user=user, challenge_id=challenge_id)
    challenge = detail.challenge
    host = urlsplit(site).hostname or "madrina"
    page = f"{site}/challenges/{challenge.id}"
    calendar = Calendar()
    calendar.add("prodid", "-//Madrina//Challenge phases//IT")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", challenge.title)
    calendar.add("x-wr-timezone", challenge.timezone)
    stamp = utcnow()
    for phase in detail.phases:
        name = _phase_name(str(phase.kind))
        window = Event()
        window.add("uid", f"phase-{phase.id}@{host}")
        window.add("dtstamp", stamp)
        window.add("dtstart", phase.starts_at)
        window.add("dtend", phase.ends_at)
        window.add("summary", f"{challenge.title}: {name}")
        window.add("url", page)
        calendar.add_component(window)
        deadline = Event()
        deadline.add("uid", f"phase-{phase.id}-end@{host}")
        deadline.add("dtstamp", stamp)
        deadline.add("dtstart", phase.ends_at)
        deadline.add("dtend", phase.ends_at)
        deadline.add(
            "summary",
            _("%(challenge)s: %(phase)s closes")
            % {
                "challenge": challenge.title,
                "phase": name,
            },
        )
        deadline.add("url", page)
        calendar.add_component(deadline)
    ical: bytes = calendar.to_ical()
    return ical
