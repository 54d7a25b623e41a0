"""People, logins, API tokens and roles."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import ApiToken, Role, RoleKind, User, UserSession
from app.accounts.passwords import hash_password, verify_password
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.events.service import log_action
from app.i18n import gettext as _


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this e-mail already exists."


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == normalise_email(email)))
    return result.scalar_one_or_none()


async def register_user(
    session: AsyncSession,
    *,
    name: str,
    email: str,
    password: str,
    is_admin: bool = False,
    locale: str = "it",
) -> User:
    """Create an account; the e-mail must be new."""
    if await user_by_email(session, email) is not None:
        raise EmailTaken(_(EmailTaken.message))
    user = User(
        name=name,
        email=normalise_email(email),
        password_hash=await hash_password(password),
        is_admin=is_admin,
        locale=locale,
    )
    session.add(user)
    await session.flush()
    assert user.id is not None
    log_action(
        session, actor_id=user.id, action="user.registered", subject_type="user", subject_id=user.id
    )
    return user


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = await user_by_email(session, email)
    ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        return None
    return user


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
        session, actor_id=user.id, action="user.logged_in", subject_type="user", subject_id=user.id
    )
    return token


async def user_for_session_token(session: AsyncSession, token: str) -> User | None:
    result = await session.execute(
        select(User)
        .join(UserSession, col(UserSession.user_id) == col(User.id))
        .where(
            col(UserSession.token_hash) == token_hash(token),
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > utcnow(),
            col(User.is_active).is_(True),
        )
    )
    return result.scalar_one_or_none()


async def end_session(session: AsyncSession, *, token: str) -> None:
    await session.execute(
        update(UserSession)
        .where(col(UserSession.token_hash) == token_hash(token))
        .values(revoked_at=utcnow())
    )


async def active_sessions(session: AsyncSession, *, user_id: int) -> list[UserSession]:
    result = await session.execute(
        select(UserSession)
        .where(
            col(UserSession.user_id) == user_id,
            col(UserSession.revoked_at).is_(None),
            col(UserSession.expires_at) > utcnow(),
        )
        .order_by(col(UserSession.created_at).desc())
    )
    return list(result.scalars())


async def revoke_session(session: AsyncSession, *, user: User, session_id: int) -> None:
    """End one of the person's own logins (e.g. a lost phone)."""
    found = await session.get(UserSession, session_id)
    if found is None or found.user_id != user.id:
        raise NotFound()
    found.revoked_at = utcnow()
    log_action(
        session,
        actor_id=user.id,
        action="session.revoked",
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
        action="api_token.created",
        subject_type="api_token",
        subject_id=api_token.id or 0,
    )
    return api_token, token


async def api_tokens(session: AsyncSession, *, user_id: int) -> list[ApiToken]:
    result = await session.execute(
        select(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return list(result.scalars())


async def revoke_api_token(session: AsyncSession, *, user: User, token_id: int) -> None:
    found = await session.get(ApiToken, token_id)
    if found is None or found.user_id != user.id or found.revoked_at is not None:
        raise NotFound()
    found.revoked_at = utcnow()
    log_action(
        session,
        actor_id=user.id,
        action="api_token.revoked",
        subject_type="api_token",
        subject_id=token_id,
    )


async def user_for_api_token(session: AsyncSession, token: str) -> User | None:
    result = await session.execute(
        select(User)
        .join(ApiToken, col(ApiToken.user_id) == col(User.id))
        .where(
            col(ApiToken.token_hash) == token_hash(token),
            col(ApiToken.revoked_at).is_(None),
            col(User.is_active).is_(True),
        )
    )
    return result.scalar_one_or_none()


async def roles_in(session: AsyncSession, *, user_id: int, challenge_id: int) -> set[RoleKind]:
    result = await session.execute(
        select(Role.kind).where(
            col(Role.user_id) == user_id, col(Role.challenge_id) == challenge_id
        )
    )
    return {RoleKind(kind) for kind in result.scalars()}


async def grant_role(
    session: AsyncSession,
    *,
    user_id: int,
    challenge_id: int,
    kind: RoleKind,
    actor_id: int | None,
) -> Role:
    """Give a person a role in a challenge; granting it twice is harmless."""
    existing = await session.execute(
        select(Role).where(
            col(Role.user_id) == user_id,
            col(Role.challenge_id) == challenge_id,
            col(Role.kind) == kind,
        )
    )
    role = existing.scalar_one_or_none()
    if role is not None:
        return role
    role = Role(user_id=user_id, challenge_id=challenge_id, kind=kind)
    session.add(role)
    await session.flush()
    log_action(
        session,
        actor_id=actor_id,
        action="role.granted",
        subject_type="user",
        subject_id=user_id,
        challenge_id=challenge_id,
        data={"kind": kind.value},
    )
    return role


async def people_in(session: AsyncSession, *, challenge_id: int) -> list[tuple[Role, User]]:
    """Everyone holding a role in the challenge, with the role (one row per role)."""
    result = await session.execute(
        select(Role, User)
        .join(User, col(User.id) == col(Role.user_id))
        .where(col(Role.challenge_id) == challenge_id)
        .order_by(col(Role.kind), col(User.name))
    )
    return [(role, user) for role, user in result.all()]


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
        action="role.revoked",
        subject_type="user",
        subject_id=role.user_id,
        challenge_id=challenge_id,
        data={"kind": str(role.kind)},
    )
    return role
