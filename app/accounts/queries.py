"""Reusable reads of people, their logins, API tokens and roles (other domains use these)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts.models import ApiToken, Role, RoleKind, User, UserSession
from app.db import utcnow
from app.errors import NotFound
from app.fields import normalise_email as _normalise_email


def token_hash(token: str) -> str:
    """Tokens (login cookies, API tokens) are stored as their SHA-256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """The form addresses are stored and compared in: NFKC, case-folded, trimmed, the
    domain in ASCII (see app.fields)."""
    return _normalise_email(email)


async def user_by_id(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == normalise_email(email)))
    return result.scalar_one_or_none()


# Built once: every logged-in page looks its person up (building it each time cost more
# than sending it); the token's hash and the time are bound parameters.
_USER_FOR_SESSION = (
    select(User, col(UserSession.expires_at))
    .join(UserSession, col(UserSession.user_id) == col(User.id))
    .where(
        col(UserSession.token_hash) == bindparam("token_hash"),
        col(UserSession.revoked_at).is_(None),
        col(UserSession.expires_at) > bindparam("now"),
        col(User.is_active).is_(True),
    )
)


async def session_owner(session: AsyncSession, token: str) -> tuple[User, datetime] | None:
    """The person logged in with this session token, and when the login ends."""
    result = await session.execute(
        _USER_FOR_SESSION, {"token_hash": token_hash(token), "now": utcnow()}
    )
    row = result.one_or_none()
    return None if row is None else (row[0], row[1])


async def user_for_session_token(session: AsyncSession, token: str) -> User | None:
    owner = await session_owner(session, token)
    return None if owner is None else owner[0]


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


async def api_tokens(session: AsyncSession, *, user_id: int) -> list[ApiToken]:
    result = await session.execute(
        select(ApiToken)
        .where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at).desc())
    )
    return list(result.scalars())


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


async def people_in(session: AsyncSession, *, challenge_id: int) -> list[tuple[Role, User]]:
    """Everyone holding a role in the challenge, with the role (one row per role)."""
    result = await session.execute(
        select(Role, User)
        .join(User, col(User.id) == col(Role.user_id))
        .where(col(Role.challenge_id) == challenge_id)
        .order_by(col(Role.kind), col(User.name))
    )
    return [(role, user) for role, user in result.all()]


async def challenge_creators(session: AsyncSession) -> list[User]:
    """The people allowed to create challenges (administrators may anyway)."""
    result = await session.execute(
        select(User).where(col(User.may_create_challenges).is_(True)).order_by(col(User.name))
    )
    return list(result.scalars())


async def holds_role(session: AsyncSession, *, user_id: int, kind: RoleKind) -> bool:
    """Whether the person holds this role in any challenge."""
    result = await session.execute(
        select(Role.id).where(col(Role.user_id) == user_id, col(Role.kind) == kind).limit(1)
    )
    return result.first() is not None
