"""Login brute-force protection: failures counted in Redis per account and per address."""

from __future__ import annotations

import hashlib

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from app.errors import TooManyRequests
from app.i18n import gettext as _

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 50


def _keys(email: str, address: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"madrina:login-fail:acct:{account}", f"madrina:login-fail:addr:{address}"


async def check_login(redis: ArqRedis | None, *, email: str, address: str) -> None:
    if redis is None:
        return  # without Redis we cannot count; argon2's cost still slows guessing
    account_key, address_key = _keys(email, address)
    try:
        account, addr = await redis.mget(account_key, address_key)
    except (RedisError, OSError):
        return
    if int(account or 0) >= MAX_PER_ACCOUNT or int(addr or 0) >= MAX_PER_ADDRESS:
        raise TooManyRequests(_("Too many failed log-ins. Please wait 15 minutes and try again."))


async def record_failure(redis: ArqRedis | None, *, email: str, address: str) -> None:
    if redis is None:
        return
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for key in _keys(email, address):
                pipe.incr(key)
                pipe.expire(key, WINDOW_SECONDS)
            await pipe.execute()
    except (RedisError, OSError):
        return
