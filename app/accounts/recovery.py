"""Changing the password, and resetting it with a link sent by e-mail.

Passwords are hashed (and the current one checked) by the caller before the transaction:
argon2 is slow on purpose and must not hold a database connection.
"""

from __future__ import annotations

from sqlalchemy import func, literal, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts import events
from app.accounts.models import User, new_nonce
from app.accounts.queries import normalise_email
from app.accounts.service import end_other_sessions, revoke_logins
from app.accounts.signup import LinkNotValid
from app.accounts.tokens import Claim
from app.db import UTCDateTime, utcnow
from app.errors import Conflict
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy


class PasswordChangedMeanwhile(Conflict):
    code = "password_changed_meanwhile"
    message = lazy("Your password was changed in the meantime. Please log in again.")


async def change_password(
    session: AsyncSession, *, user: User, old_hash: str, new_hash: str, keep_token: str
) -> None:
    """Set a new password (the current one was checked against `old_hash`); every other
    login of the person ends. API tokens stay: they are separate keys, each named and
    revocable on the same page, and a routine change should not break an integration."""
    assert user.id is not None
    changed = await session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.password_hash) == old_hash)
        .values(password_hash=new_hash, link_nonce=new_nonce())
        .returning(col(User.id))
    )
    if changed.first() is None:
        raise PasswordChangedMeanwhile(_(PasswordChangedMeanwhile.message))
    await end_other_sessions(session, user_id=user.id, keep_token=keep_token)
    log_action(
        session,
        actor_id=user.id,
        action=events.PASSWORD_CHANGED,
        subject_type="user",
        subject_id=user.id,
    )
    emit(session, events.PasswordChanged(user_id=user.id))


def request_reset(session: AsyncSession, *, email: str) -> None:
    """Ask for a reset link. The same whether or not an account has the address (the
    worker looks it up and sends only to an account), so the request takes as long and
    writes the same."""
    emit(session, events.PasswordResetRequested(email=normalise_email(email)))


async def reset_password(session: AsyncSession, *, claim: Claim, new_hash: str) -> User:
    """Set a new password with a reset link: once (the update is conditional on the link's
    nonce), and every login and API token of the account ends, since a reset is how an
    account is taken back. The link also proves the address is the person's."""
    reset = await session.execute(
        update(User)
        .where(
            col(User.id) == claim.user_id,
            col(User.link_nonce) == claim.nonce,
            col(User.is_active).is_(True),
        )
        .values(
            password_hash=new_hash,
            link_nonce=new_nonce(),
            email_verified_at=func.coalesce(
                col(User.email_verified_at), literal(utcnow(), UTCDateTime())
            ),
        )
        .returning(col(User.id))
    )
    if reset.first() is None:
        raise LinkNotValid(_(LinkNotValid.message))
    await revoke_logins(session, user_id=claim.user_id)
    log_action(
        session,
        actor_id=claim.user_id,
        action=events.PASSWORD_RESET,
        subject_type="user",
        subject_id=claim.user_id,
    )
    emit(session, events.PasswordChanged(user_id=claim.user_id))
    user = await session.get(User, claim.user_id, populate_existing=True)
    assert user is not None
    return user
