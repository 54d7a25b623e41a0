"""Worlds for the query-count tests: what a challenge's notifications did."""

from __future__ import annotations

from app.db import Database
from app.events.models import OutgoingMail
from app.notifications.models import Notification
from app.notifications.schemas import Kind
from tests.factories import Actors, make_challenge
from tests.listings import Visit, item


async def notification_log(db: Database, actors: Actors, n: int) -> Visit:
    """n people (named Item-0 ...) told that results are published, half of them sent."""
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    people = [await actors.user(item(k)) for k in range(n)]
    async with db.transaction() as session:
        for k, person in enumerate(people):
            mail = OutgoingMail(
                key=f"n:results_published:{challenge.id}:{person.id}",
                to_address=person.email,
                subject="Risultati",
                message_id=f"<{k}@madrina.localhost>",
                last_error="" if k % 2 else "550 Mailbox unavailable",
            )
            session.add(mail)
            await session.flush()
            session.add(
                Notification(
                    kind=str(Kind.RESULTS_PUBLISHED),
                    subject_id=str(challenge.id),
                    user_id=person.id or 0,
                    challenge_id=challenge.id,
                    mail_id=mail.id,
                )
            )
    return Visit(await actors.client(organiser), f"/challenges/{challenge.id}/notifications")
