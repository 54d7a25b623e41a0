"""Two-factor login with an authenticator app (TOTP, RFC 6238), for organisers and
administrators, with ten single-use recovery codes.

At login the code is asked after the password, for every attempt on an account that has
two-factor on, whether the password was right or not: what the password step decided is
kept on the server (Redis) under a random ticket, and only the code step answers, with one
message for a wrong password and a wrong code alike. So the page never confirms a password
by itself; what it shows is only that the account uses two-factor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from arq.connections import ArqRedis
from redis.exceptions import RedisError
from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from app.accounts import events
from app.accounts.models import RecoveryCode, RoleKind, User
from app.accounts.queries import holds_role
from app.db import utcnow
from app.errors import AppError, Conflict, Forbidden, ValidationFailed
from app.events.service import log_action, session_settings
from app.i18n import gettext as _
from app.i18n import lazy

ISSUER = "Madrina"
RECOVERY_CODES = 10
PENDING_SECONDS = 5 * 60
_PENDING_KEY = "madrina:login-2fa:"


class TwoFactorUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    message = lazy("Logging in with two-factor is not possible right now. Please try again soon.")


class TwoFactorAlreadyOn(Conflict):
    code = "two_factor_on"
    message = lazy("Two-factor login is already on for your account.")


def code_not_right() -> ValidationFailed:
    return ValidationFailed(
        {"code": _("This code is not right. Check the time on your phone and try a new code.")}
    )


async def may_enrol(session: AsyncSession, *, user: User) -> bool:
    """Offered to those who run things: platform admins and organisers of a challenge."""
    if user.is_admin:
        return True
    return await holds_role(session, user_id=user.id or 0, kind=RoleKind.ORGANISER)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The QR code of the enrolment URI, as an SVG data URI (the page's CSP allows data:)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, allowing one step of clock drift either way."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // totp.interval
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _cleaned(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_hash(secret_key: str, code: str) -> str:
    """Recovery codes are random (50 bits); keyed with SECRET_KEY, a copy of the database
    alone does not let anyone test guesses against them."""
    return hmac.new(secret_key.encode(), _cleaned(code).encode(), hashlib.sha256).hexdigest()


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)
    return f"{raw[:5]}-{raw[5:]}"


async def enable(session: AsyncSession, *, user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the app shows a right code; returns the recovery codes,
    which are shown this once (only their hashes are kept)."""
    assert user.id is not None
    if not await may_enrol(session, user=user):
        raise Forbidden(_("Two-factor login is for organisers and administrators."))
    step = _matching_step(secret, _cleaned(code), utcnow())
    if step is None:
        raise code_not_right()
    turned_on = await session.execute(
        update(User)
        .where(col(User.id) == user.id, col(User.totp_secret).is_(None))
        .values(totp_secret=secret, totp_enabled_at=utcnow(), totp_last_step=step)
        .returning(col(User.id))
    )
    if turned_on.first() is None:
        raise TwoFactorAlreadyOn(_(TwoFactorAlreadyOn.message))
    secret_key = session_settings(session).secret_key
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_recovery_hash(secret_key, c)) for c in codes
    )
    log_action(
        session,
        actor_id=user.id,
        action=events.TWO_FACTOR_ENABLED,
        subject_type="user",
        subject_id=user.id,
    )
    return codes


async def use_code(session: AsyncSession, *, user_id: int, code: str) -> bool:
    """A right code from the app, or an unused recovery code: each accepted once, also when
    two requests bring it at the same moment (conditional updates)."""
    user = await session.get(User, user_id)
    if user is None or user.totp_secret is None:
        return False
    cleaned = _cleaned(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        step = _matching_step(user.totp_secret, cleaned, utcnow())
        if step is None:
            return False
        used = await session.execute(
            update(User)
            .where(col(User.id) == user_id, col(User.totp_last_step) < step)
            .values(totp_last_step=step)
            .returning(col(User.id))
        )
        return used.first() is not None
    if len(cleaned) > 20:
        return False
    used = await session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user_id,
            col(RecoveryCode.code_hash)
            == _recovery_hash(session_settings(session).secret_key, cleaned),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
        .returning(col(RecoveryCode.id))
    )
    if used.first() is None:
        return False
    log_action(
        session,
        actor_id=user_id,
        action=events.RECOVERY_CODE_USED,
        subject_type="user",
        subject_id=user_id,
    )
    return True


async def disable(session: AsyncSession, *, user: User, code: str) -> None:
    """Turn two-factor off (the password was checked by the caller) with a code."""
    assert user.id is not None
    if not await use_code(session, user_id=user.id, code=code):
        raise code_not_right()
    await session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(totp_secret=None, totp_enabled_at=None, totp_last_step=0)
    )
    await session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    log_action(
        session,
        actor_id=user.id,
        action=events.TWO_FACTOR_DISABLED,
        subject_type="user",
        subject_id=user.id,
    )


async def unused_recovery_codes(session: AsyncSession, *, user_id: int) -> int:
    found = await session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(col(RecoveryCode.user_id) == user_id, col(RecoveryCode.used_at).is_(None))
    )
    return int(found.scalar_one())


# --- Enrolment: the secret shown as a QR code, kept on the server until it is confirmed ---

_SETUP_KEY = "madrina:totp-setup:"
SETUP_SECONDS = 15 * 60


async def setup_secret(redis: ArqRedis | None, *, user_id: int, fresh: bool = False) -> str:
    """The secret the person is being shown (the same on a reload), or a new one."""
    if redis is None:
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message))
    key = f"{_SETUP_KEY}{user_id}"
    try:
        found = None if fresh else await redis.get(key)
        if found is not None:
            return str(found.decode() if isinstance(found, bytes) else found)
        secret = new_secret()
        await redis.set(key, secret, ex=SETUP_SECONDS)
    except (RedisError, OSError):
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message)) from None
    return secret


async def pending_secret(redis: ArqRedis | None, *, user_id: int) -> str | None:
    if redis is None:
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message))
    try:
        found = await redis.get(f"{_SETUP_KEY}{user_id}")
    except (RedisError, OSError):
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message)) from None
    if found is None:
        return None
    return str(found.decode() if isinstance(found, bytes) else found)


async def end_setup(redis: ArqRedis | None, *, user_id: int) -> None:
    if redis is None:
        return
    try:
        await redis.delete(f"{_SETUP_KEY}{user_id}")
    except (RedisError, OSError):
        return


# --- The login's second step: what the password step decided, kept on the server ---


@dataclass(frozen=True)
class PendingLogin:
    user_id: int
    password_ok: bool
    email: str


async def park_login(redis: ArqRedis | None, pending: PendingLogin) -> str:
    """Keep the password step's outcome for the code step; returns the ticket for the form."""
    if redis is None:
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message))
    ticket = secrets.token_urlsafe(24)
    value = json.dumps({"u": pending.user_id, "ok": pending.password_ok, "e": pending.email})
    try:
        await redis.set(_PENDING_KEY + ticket, value, ex=PENDING_SECONDS)
    except (RedisError, OSError):
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message)) from None
    return ticket


async def take_login(redis: ArqRedis | None, ticket: str) -> PendingLogin | None:
    """The pending login of a ticket, once (a second try with the same ticket finds none)."""
    if redis is None:
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message))
    if not ticket or len(ticket) > 64:
        return None
    try:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.get(_PENDING_KEY + ticket)
            pipe.delete(_PENDING_KEY + ticket)
            raw, _deleted = await pipe.execute()
    except (RedisError, OSError):
        raise TwoFactorUnavailable(_(TwoFactorUnavailable.message)) from None
    if raw is None:
        return None
    data = json.loads(raw)
    return PendingLogin(user_id=int(data["u"]), password_ok=bool(data["ok"]), email=str(data["e"]))
