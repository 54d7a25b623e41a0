"""Jobs and event handlers of this domain (collected by workers.main): the e-mails that
confirm an address, reset a password, or warn the owner of an account.

Each handler queues its e-mail in its own transaction under a key made of the event's id,
so running it twice queues one e-mail; the delivery job sends it once (app.events.tasks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import mails, queries
from app.accounts.events import (
    PasswordChanged,
    PasswordResetRequested,
    RegistrationRepeated,
    UserRegistered,
    VerificationRequested,
)
from app.accounts.mails import Letter
from app.accounts.models import User
from app.events.service import handles, queue_mail, session_settings


async def _send(session: AsyncSession, *, key: str, user: User, letter: Letter) -> None:
    await queue_mail(
        session,
        key=f"{key}:{user.id}",
        to=user.email,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
    )


@handles(UserRegistered)
async def send_verification(session: AsyncSession, event: UserRegistered) -> None:
    await _send_verification(session, event_id=event.event_id, user_id=event.user_id)


@handles(VerificationRequested)
async def send_verification_again(session: AsyncSession, event: VerificationRequested) -> None:
    await _send_verification(session, event_id=event.event_id, user_id=event.user_id)


async def _send_verification(session: AsyncSession, *, event_id: str, user_id: int) -> None:
    user = await session.get(User, user_id)
    if user is None or user.email_verified_at is not None:
        return
    letter = mails.verification(session_settings(session), user)
    await _send(session, key=f"{event_id}:verify", user=user, letter=letter)


@handles(RegistrationRepeated)
async def warn_owner(session: AsyncSession, event: RegistrationRepeated) -> None:
    user = await session.get(User, event.user_id)
    if user is None or not user.is_active:
        return
    letter = mails.registration_repeated(session_settings(session), user)
    await _send(session, key=f"{event.event_id}:signup-again", user=user, letter=letter)


@handles(PasswordResetRequested)
async def send_reset_link(session: AsyncSession, event: PasswordResetRequested) -> None:
    """Only an account gets a link; an address without one gets nothing (no mail to whoever
    a stranger types in)."""
    user = await queries.user_by_email(session, event.email)
    if user is None or not user.is_active:
        return
    letter = mails.reset(session_settings(session), user)
    await _send(session, key=f"{event.event_id}:reset", user=user, letter=letter)


@handles(PasswordChanged)
async def tell_password_changed(session: AsyncSession, event: PasswordChanged) -> None:
    user = await session.get(User, event.user_id)
    if user is None:
        return
    letter = mails.password_changed(session_settings(session), user)
    await _send(session, key=f"{event.event_id}:password-changed", user=user, letter=letter)


functions: list[Any] = []
cron_jobs: list[Any] = []
