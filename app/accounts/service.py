"""People, logins, API tokens and roles."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import events
from app.accounts.models import ApiToken, Role, RoleKind, User, UserSession, new_nonce
from app.accounts.passwords import verify_password
from app.accounts.queries import normalise_email, token_hash, user_by_email, user_by_id
from app.db import Database, insert_or_get, utcnow
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.events.service import log_action
from app.i18n import gettext as _
from app.i18n import lazy


class EmailNotVerified(Conflict):
    code = "email_not_verified"
    message = lazy(
        "Please confirm your e-mail address first: open the link we sent you, or send it "
        "again from your account page."
    )


class AccountExists(Conflict):
    code = "account_exists"
    message = lazy(
        "An account with this e-mail already exists; someone else may have registered it. "
        "Use --promote-existing to make it an administrator with the password given now."
    )


async def make_admin(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password_hash: str,
    promote_existing: bool = False,
) -> User:
    """A platform administrator with the operator's password (hashed before the transaction).

    An address someone already registered is refused unless `promote_existing`: then the
    account gets the operator's password and loses its logins, so nobody who registered it
    first keeps a way into an administrator's account.
    """
    user = await user_by_email(session, email)
    if user is not None and not promote_existing:
        raise AccountExists(_(AccountExists.message))
    if user is None:
        # The operator vouches for the address they type.
        user = User(
            name=name,
            email=normalise_email(email),
            password_hash=password_hash,
            email_verified_at=utcnow(),
        )
        session.add(user)
        await session.flush()
        assert user.id is not None
        log_action(
            session,
            actor_id=None,
            action=events.USER_REGISTERED,
            subject_type="user",
            subject_id=user.id,
        )
    else:
        user.password_hash = password_hash
        user.link_nonce = new_nonce()  # links already e-mailed to the address stop working
        user.email_verified_at = user.email_verified_at or utcnow()
        await revoke_logins(session, user_id=user.id or 0)
    user.is_admin = True
    assert user.id is not None
    log_action(
        session,
        actor_id=None,
        action=events.USER_MADE_ADMIN,
        subject_type="user",
        subject_id=user.id,
        data={"promoted_existing": promote_existing},
    )
    return user


async def revoke_logins(session: AsyncSession, *, user_id: int) -> None:
    """End every login and API token of the person (their password changed hands)."""
    now = utcnow()
    await end_other_sessions(session, user_id=user_id, keep_token=None)
    await session.execute(
        update(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )


async def end_other_sessions(
    session: AsyncSession, *, user_id: int, keep_token: str | None
) -> None:
    """End the person's logins but the one whose cookie is `keep_token` (None: all)."""
    query = update(UserSession).where(
        col(UserSession.user_id) == user_id, col(UserSession.revoked_at).is_(None)
    )
    if keep_token is not None:
        query = query.where(col(UserSession.token_hash) != token_hash(keep_token))
    await session.execute(query.values(revoked_at=utcnow()))


async def authenticate(db: Database, *, email: str, password: str) -> tuple[User | None, bool]:
    """The account of this address (None if none) and whether the password is right for it
    (False for an inactive account), at the same cost either way. The account is read and
    the session closed before argon2 runs: a slow check must not hold a transaction."""
    async with db.read() as session:
        user = await user_by_email(session, email)
    ok = await verify_password(user.password_hash if user else None, password)
    return user, ok and user is not None and user.is_active


async def start_session(
    session: AsyncSession, *, user: User, days: int, user_agent: str = ""
) -> str:
    """A new login; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(days=days),
            user_agent=user_agent[:300],
        )
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.USER_LOGGED_IN,
        subject_type="user",
        subject_id=user.id,
    )
    return token


async def end_session(session: AsyncSession, *, token: str) -> None:
    """Log out: the login's token stops working at once."""
    ended = await session.execute(
        update(UserSession)
        .where(
            col(UserSession.token_hash) == token_hash(token),
            col(UserSession.revoked_at).is_(None),
        )
        .values(revoked_at=utcnow())
        .returning(col(UserSession.id), col(UserSession.user_id))
    )
    for session_id, user_id in ended.all():
        assert session_id is not None
        log_action(
            session,
            actor_id=user_id,
            action=events.SESSION_ENDED,
            subject_type="session",
            subject_id=session_id,
        )


async def revoke_session(session: AsyncSession, *, user: User, session_id: int) -> None:
    """End one of the person's own logins (e.g. a lost phone)."""
    found = await session.get(UserSession, session_id)
    if found is None or found.user_id != user.id:
        raise NotFound()
    found.revoked_at = utcnow()
    log_action(
        session,
        actor_id=user.id,
        action=events.SESSION_REVOKED,
        subject_type="session",
        subject_id=session_id,
    )


async def create_api_token(session: AsyncSession, *, user: User, name: str) -> tuple[ApiToken, str]:
    token = "mdr_" + secrets.token_urlsafe(32)
    assert user.id is not None
    api_token = ApiToken(
        user_id=user.id, name=name, prefix=token[:10], token_hash=token_hash(token)
    )
    session.add(api_token)
    await session.flush()
    log_action(
        session,
        actor_id=user.id,
        action=events.API_TOKEN_CREATED,
        subject_type="api_token",
        subject_id=api_token.id or 0,
    )
    return api_token, token


async def revoke_api_token(session: AsyncSession, *, user: User, token_id: int) -> None:
    found = await session.get(ApiToken, token_id)
    if found is None or found.user_id != user.id or found.revoked_at is not None:
        raise NotFound()
    found.revoked_at = utcnow()
    log_action(
        session,
        actor_id=user.id,
        action=events.API_TOKEN_REVOKED,
        subject_type="api_token",
        subject_id=token_id,
    )


def require_confirmed(user: User) -> None:
    """The person's own address must be confirmed for what gives them a role (registering a
    team makes them its coach; creating a challenge, its organiser)."""
    if user.email_verified_at is None:
        raise EmailNotVerified(_(EmailNotVerified.message))


async def person_for_role(session: AsyncSession, *, email: str) -> User:
    """The account an organiser names by address to give it a role: it must exist, and its
    owner must have confirmed the address (else whoever signed up with it first would get
    the judge's assignments or the company's offers)."""
    person = await user_by_email(session, email)
    if person is None or person.id is None:
        raise ValidationFailed(
            {"email": _("No account has this e-mail. Ask the person to sign up first.")}
        )
    if person.email_verified_at is None:
        raise ValidationFailed(
            {
                "email": _(
                    "This person has not confirmed their e-mail address yet: ask them to open "
                    "the link we sent them when they signed up (they can have it sent again "
                    "from their account page), then try again."
                )
            }
        )
    return person


async def grant_role(
    session: AsyncSession,
    *,
    user_id: int,
    challenge_id: int,
    kind: RoleKind,
    actor_id: int | None,
) -> Role:
    """Give a person a role in a challenge; granting it twice, even at once, is harmless.
    Only to a confirmed address: whoever holds the role gets what is sent to it."""
    person = await session.get(User, user_id)
    if person is None:
        raise NotFound()
    if person.email_verified_at is None:
        raise EmailNotVerified(_(EmailNotVerified.message))

    async def existing() -> Role | None:
        found = await session.execute(
            select(Role).where(
                col(Role.user_id) == user_id,
                col(Role.challenge_id) == challenge_id,
                col(Role.kind) == kind,
            )
        )
        return found.scalar_one_or_none()

    role, created = await insert_or_get(
        session, Role(user_id=user_id, challenge_id=challenge_id, kind=kind), find=existing
    )
    if not created:
        return role
    log_action(
        session,
        actor_id=actor_id,
        action=events.ROLE_GRANTED,
        subject_type="user",
        subject_id=user_id,
        challenge_id=challenge_id,
        data={"kind": kind.value},
    )
    return role


async def revoke_role(
    session: AsyncSession, *, role_id: int, challenge_id: int, actor_id: int | None
) -> Role:
    """Take a role away; another challenge's role is 'not found'."""
    role = await session.get(Role, role_id)
    if role is None or role.challenge_id != challenge_id:
        raise NotFound()
    await session.delete(role)
    log_action(
        session,
        actor_id=actor_id,
        action=events.ROLE_REVOKED,
        subject_type="user",
        subject_id=role.user_id,
        challenge_id=challenge_id,
        data={"kind": str(role.kind)},
    )
    return role


class NoSuchAccount(ValidationFailed):
    def __init__(self) -> None:
        super().__init__({"email": _("There is no account with this e-mail.")})


def _ensure_admin(admin: User | None) -> None:
    """`admin` None is the operator at the command line."""
    if admin is not None and not admin.is_admin:
        raise Forbidden(_("Only platform administrators may do this."))


def _set_creation_right(
    session: AsyncSession, *, admin: User | None, person: User, allowed: bool
) -> None:
    assert person.id is not None
    if person.may_create_challenges != allowed:
        person.may_create_challenges = allowed
        log_action(
            session,
            actor_id=admin.id if admin else None,
            action=events.CREATION_ALLOWED if allowed else events.CREATION_REVOKED,
            subject_type="user",
            subject_id=person.id,
        )


async def allow_creating_challenges(
    session: AsyncSession, *, admin: User | None, email: str
) -> User:
    """Let a person create challenges and programmes (platform admins)."""
    _ensure_admin(admin)
    person = await user_by_email(session, email)
    if person is None:
        raise NoSuchAccount()
    _set_creation_right(session, admin=admin, person=person, allowed=True)
    return person


async def revoke_creating_challenges(
    session: AsyncSession, *, admin: User | None, user_id: int
) -> User:
    """Take the right to create challenges back; what they created stays theirs."""
    _ensure_admin(admin)
    person = await user_by_id(session, user_id)
    _set_creation_right(session, admin=admin, person=person, allowed=False)
    return person
