"""Login brute-force protection: failures counted in Redis per account and per address."""

from __future__ import annotations

import hashlib
import ipaddress

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from app.errors import TooManyRequests
from app.i18n import gettext as _

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 50


def _network(address: str) -> str:
    """The address the limit counts: an IPv6 client's /64, since anyone with an IPv6 line
    holds a whole /64 and could otherwise take a fresh address for every try."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(email: str, address: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"madrina:login-fail:acct:{account}", f"madrina:login-fail:addr:{_network(address)}"


async def check_login(redis: ArqRedis | None, *, email: str, address: str) -> None:
    if redis is None:
        return  # without Redis we cannot count; argon2's cost still slows guessing
    account_key, address_key = _keys(email, address)
    try:
        account, addr = await redis.mget(account_key, address_key)
    except (RedisError, OSError):
        return
    if int(account or 0) >= MAX_PER_ACCOUNT or int(addr or 0) >= MAX_PER_ADDRESS:
        raise TooManyRequests(
            _("Too many failed log-ins. Please wait 15 minutes and try again."),
            retry_after=WINDOW_SECONDS,
        )


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
