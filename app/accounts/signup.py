"""Signing up and confirming the address: what a sign-up says is the same whether the address
is new or has an account, so the page cannot be used to find out who has one."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.accounts import events
from app.accounts.models import User, new_nonce
from app.accounts.queries import normalise_email, user_by_email
from app.accounts.tokens import Claim
from app.db import insert_or_get, utcnow
from app.errors import Conflict
from app.events.service import emit, log_action
from app.i18n import gettext as _
from app.i18n import lazy


class LinkNotValid(Conflict):
    code = "link_not_valid"
    message = lazy(
        "This link does not work any more: it was used already, it is too old, or a newer "
        "one was sent. Ask for a new one."
    )


async def register(
    session: AsyncSession, *, name: str, email: str, password_hash: str, locale: str
) -> None:
    """Sign up: a new account is sent a confirmation link; an address that has an account
    gets a note telling its owner how to log in or reset the password. The caller learns
    nothing of which it was (no return value): it answers "check your e-mail" either way.
    The password is hashed before the transaction, in both cases, so both take as long."""
    address = normalise_email(email)

    async def existing() -> User | None:
        return await user_by_email(session, address)

    user, created = await insert_or_get(
        session,
        User(name=name, email=address, password_hash=password_hash, locale=locale),
        find=existing,
    )
    assert user.id is not None
    if not created:
        emit(session, events.RegistrationRepeated(user_id=user.id))
        return
    log_action(
        session,
        actor_id=user.id,
        action=events.USER_REGISTERED,
        subject_type="user",
        subject_id=user.id,
    )
    emit(session, events.UserRegistered(user_id=user.id))


async def request_verification(session: AsyncSession, *, user: User) -> bool:
    """Send the confirmation link again; False when the address is confirmed already."""
    assert user.id is not None
    if user.email_verified_at is not None:
        return False
    log_action(
        session,
        actor_id=user.id,
        action=events.VERIFICATION_REQUESTED,
        subject_type="user",
        subject_id=user.id,
    )
    emit(session, events.VerificationRequested(user_id=user.id))
    return True


async def verify_email(session: AsyncSession, *, user: User, claim: Claim) -> None:
    """Confirm the address with the link sent to it, by the person logged in to the account
    it was sent for (the link alone is not enough: whoever signed up with someone else's
    address cannot have its owner confirm it for them by a click). Once only: the update
    is conditional on the link's nonce, so two clicks at once confirm once."""
    if claim.user_id != user.id or claim.email != user.email:
        raise LinkNotValid(_(LinkNotValid.message))
    if user.email_verified_at is not None:
        return
    confirmed = await session.execute(
        update(User)
        .where(
            col(User.id) == user.id,
            col(User.email) == claim.email,
            col(User.link_nonce) == claim.nonce,
            col(User.email_verified_at).is_(None),
        )
        .values(email_verified_at=utcnow(), link_nonce=new_nonce())
        .returning(col(User.id))
    )
    if confirmed.first() is None:
        raise LinkNotValid(_(LinkNotValid.message))
    log_action(
        session,
        actor_id=user.id,
        action=events.EMAIL_VERIFIED,
        subject_type="user",
        subject_id=user.id or 0,
    )


class AccountExistsForInvitation(Conflict):
    code = "account_exists"
    message = lazy("An account has this address already: log in to accept the invitation.")


async def register_confirmed(
    session: AsyncSession, *, name: str, email: str, password_hash: str, locale: str
) -> User:
    """An account for an address the person proved to be theirs by opening a link sent to it
    (an invitation): confirmed from the start. An address that has an account is refused,
    also when it was registered a moment ago."""
    address = normalise_email(email)

    async def existing() -> User | None:
        return await user_by_email(session, address)

    user, created = await insert_or_get(
        session,
        User(
            name=name,
            email=address,
            password_hash=password_hash,
            locale=locale,
            email_verified_at=utcnow(),
        ),
        find=existing,
    )
    if not created:
        raise AccountExistsForInvitation(_(AccountExistsForInvitation.message))
    assert user.id is not None
    log_action(
        session,
        actor_id=user.id,
        action=events.USER_REGISTERED,
        subject_type="user",
        subject_id=user.id,
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.EMAIL_VERIFIED,
        subject_type="user",
        subject_id=user.id,
    )
    return user


async def confirm_by_link(session: AsyncSession, *, user_id: int, email: str) -> User:
    """The person opened a link sent to their address while logged in (an invitation): the
    address is theirs. The account is read in the caller's session, confirmed if it was not."""
    user = await session.get(User, user_id, populate_existing=True)
    if user is None or user.email != email:
        raise LinkNotValid(_(LinkNotValid.message))
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await session.flush()
        log_action(
            session,
            actor_id=user_id,
            action=events.EMAIL_VERIFIED,
            subject_type="user",
            subject_id=user_id,
        )
    return user
