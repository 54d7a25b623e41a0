"""Telling people, once each: a Notification row and its queued e-mail in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts.models import User
from app.db import insert_or_get, is_unique_violation
from app.events.models import OutgoingMail
from app.events.service import deliver_after_commit, log_action, new_mail, queue_mail
from app.notifications import queries
from app.notifications.events import PREFERENCES_SAVED
from app.notifications.models import Notification, NotificationOptOut
from app.notifications.schemas import OPTIONAL, Kind, Letter

LetterFor = Callable[[User], Letter]


def mail_key(kind: Kind, subject_id: str, user_id: int) -> str:
    return f"n:{kind}:{subject_id}:{user_id}"


async def notify(
    session: AsyncSession,
    *,
    kind: Kind,
    subject_id: str,
    user_ids: Sequence[int],
    challenge_id: int | None,
    letter_for: LetterFor,
) -> int:
    """Tell each (active) person once about `subject_id`: whoever was told already, by an
    earlier run of the same handler or cron, is skipped; whoever opted out of an optional
    kind gets a row without an e-mail. Returns how many e-mails were queued."""
    people = await queries.users(session, user_ids)
    ids = [u.id for u in people if u.id is not None]
    done = await queries.notified(session, kind=kind, subject_id=subject_id, user_ids=ids)
    skip = await queries.opted_out(session, kind=kind, user_ids=ids) if kind in OPTIONAL else set()
    fresh = [user for user in people if user.id not in done]
    letters = {u.id: letter_for(u) for u in fresh if u.id is not None and u.id not in skip}
    pairs: list[tuple[Notification, OutgoingMail]] = []
    try:
        # Everyone in one flush; a unique violation means another run is telling the same
        # people right now: then one by one, each finding the other run's row.
        async with session.begin_nested():
            for user in fresh:
                assert user.id is not None
                row = Notification(
                    kind=str(kind),
                    subject_id=subject_id,
                    user_id=user.id,
                    challenge_id=challenge_id,
                )
                session.add(row)
                made = letters.get(user.id)
                if made is not None:
                    mail = new_mail(
                        session,
                        key=mail_key(kind, subject_id, user.id),
                        to=user.email,
                        subject=made.subject,
                        text=made.text,
                        html=made.html,
                    )
                    session.add(mail)
                    pairs.append((row, mail))
            await session.flush()
            for row, mail in pairs:
                row.mail_id = mail.id
            await session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return await _one_by_one(
            session,
            kind=kind,
            subject_id=subject_id,
            people=fresh,
            skip=skip,
            challenge_id=challenge_id,
            letters=letters,
        )
    for _row, mail in pairs:
        deliver_after_commit(session, mail)
    return len(pairs)


async def _one_by_one(
    session: AsyncSession,
    *,
    kind: Kind,
    subject_id: str,
    people: Sequence[User],
    skip: set[int],
    challenge_id: int | None,
    letters: dict[int, Letter],
) -> int:
    queued = 0
    for user in people:
        assert user.id is not None
        user_id = user.id

        async def existing(user_id: int = user_id) -> Notification | None:
            return await queries.find(session, kind=kind, subject_id=subject_id, user_id=user_id)

        row, created = await insert_or_get(
            session,
            Notification(
                kind=str(kind), subject_id=subject_id, user_id=user_id, challenge_id=challenge_id
            ),
            find=existing,
        )
        if not created or user_id in skip:
            continue
        made = letters[user_id]
        mail = await queue_mail(
            session,
            key=mail_key(kind, subject_id, user_id),
            to=user.email,
            subject=made.subject,
            text=made.text,
            html=made.html,
        )
        row.mail_id = mail.id
        queued += 1
    await session.flush()
    return queued


async def save_preferences(session: AsyncSession, *, user: User, keep: set[Kind]) -> set[Kind]:
    """Opt the person out of every optional kind not in `keep` (mandatory ones stay on)."""
    assert user.id is not None
    out = {kind for kind in OPTIONAL if kind not in keep}
    await session.execute(
        delete(NotificationOptOut).where(col(NotificationOptOut.user_id) == user.id)
    )
    for kind in sorted(out):
        session.add(NotificationOptOut(user_id=user.id, kind=str(kind)))
    log_action(
        session,
        actor_id=user.id,
        action=PREFERENCES_SAVED,
        subject_type="user",
        subject_id=user.id,
        data={"opted_out": sorted(str(k) for k in out)},
    )
    await session.flush()
    return out
