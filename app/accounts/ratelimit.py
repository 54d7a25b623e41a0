"""Limits on guessing passwords and on what sends e-mail, counted in Redis.

An attempt is counted *before* it is checked (INCR, then compare), so forty wrong passwords
sent at once check at most the limit, never forty. A login that succeeds gives its count
back. Log-ins are counted:

- per client address (an IPv6 client's /64), 50 in 15 minutes, across accounts;
- per account, 10 in 15 minutes, for browsers the account has not logged in from;
- per account and browser, 10 in 15 minutes, for a browser it has logged in from (the
  signed device cookie app.accounts.auth sets at every login).

So a stranger's failures lock out strangers, not the owner: on a device they used before
they log in as usual, and on a new one a password reset (the e-mail link proves the
address) lifts the account's lock and lets that browser in.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

from arq.connections import ArqRedis
from redis.exceptions import RedisError

from app.errors import TooManyRequests
from app.fields import normalise_email
from app.i18n import gettext as _

WINDOW_SECONDS = 15 * 60
MAX_PER_ACCOUNT = 10
MAX_PER_ADDRESS = 50
MAX_PER_DEVICE = 10
HOUR = 3600
MAX_SIGNUPS_PER_ADDRESS = 20  # a school's teachers may share one public address
MAX_MAIL_PER_RECIPIENT = 3  # sign-ups, reset links or confirmation links to one address
MAX_RESETS_PER_ADDRESS = 20
DAY = 24 * HOUR
# Invitations are e-mails an organiser makes us send to strangers: a whole school network
# (two full lists of 500) a day, and the same invitation again three times an hour.
MAX_INVITATIONS_PER_INVITER = 1000
MAX_RESENDS_PER_INVITATION = 3
_PREFIX = "madrina:limit:"


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


def account_key(email: str) -> str:
    """What an address is counted (and a device trusted) by: existing account or not."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Reservation:
    """The counters one attempt was counted in (given back if it succeeds)."""

    keys: tuple[str, ...] = ()


async def _reserve(
    redis: ArqRedis | None, limits: list[tuple[str, int, int]], amount: int = 1
) -> list[bool]:
    """Count `amount` attempts in each (key, limit, window); which counts went past their
    limit. Without Redis nothing can be counted: argon2's cost still slows guessing."""
    if redis is None:
        return [False] * len(limits)
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for key, _limit, window in limits:
                pipe.set(key, 0, ex=window, nx=True)  # a fixed window from the first attempt
                pipe.incrby(key, amount)
            results = await pipe.execute()
    except (RedisError, OSError):
        return [False] * len(limits)
    counts = results[1::2]
    return [int(n) > limit for (_key, limit, _window), n in zip(limits, counts, strict=True)]


def _login_limits(email: str, address: str, device: str | None) -> list[tuple[str, int, int]]:
    account = account_key(email)
    if device is not None:
        return [(f"{_PREFIX}login:dev:{account}:{device}", MAX_PER_DEVICE, WINDOW_SECONDS)]
    return [
        (f"{_PREFIX}login:acct:{account}", MAX_PER_ACCOUNT, WINDOW_SECONDS),
        (f"{_PREFIX}login:addr:{_network(address)}", MAX_PER_ADDRESS, WINDOW_SECONDS),
    ]


def login_reservation(*, email: str, address: str, device: str | None) -> Reservation:
    """The counters an attempt of this address, from this client and browser, was counted
    in (to give them back after a login's second step)."""
    return Reservation(tuple(key for key, _l, _w in _login_limits(email, address, device)))


async def reserve_login(
    redis: ArqRedis | None, *, email: str, address: str, device: str | None
) -> Reservation:
    """Count a log-in attempt before its password is checked; 429 past a limit."""
    limits = _login_limits(email, address, device)
    over = await _reserve(redis, limits)
    if device is None and over[0]:
        raise TooManyRequests(
            _(
                "Too many failed log-ins to this account. Please wait 15 minutes. If it is "
                "your account, you can log in now from a device you have used before, or "
                "reset your password: the e-mail link lets this browser in."
            ),
            retry_after=WINDOW_SECONDS,
        )
    if any(over):
        raise TooManyRequests(
            _("Too many failed log-ins. Please wait 15 minutes and try again."),
            retry_after=WINDOW_SECONDS,
        )
    return login_reservation(email=email, address=address, device=device)


async def release(redis: ArqRedis | None, reservation: Reservation) -> None:
    """The attempt succeeded: it does not count against anyone."""
    if redis is None or not reservation.keys:
        return
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for key in reservation.keys:
                pipe.decr(key)
            await pipe.execute()
    except (RedisError, OSError):
        return


async def forgive_account(redis: ArqRedis | None, *, email: str) -> None:
    """The owner proved the address (a reset link): the account's lock on new browsers ends."""
    if redis is None:
        return
    try:
        await redis.delete(f"{_PREFIX}login:acct:{account_key(email)}")
    except (RedisError, OSError):
        return


async def _limit_mail(
    redis: ArqRedis | None, *, kind: str, email: str, address: str, per_address: int
) -> None:
    over = await _reserve(
        redis,
        [
            (f"{_PREFIX}{kind}:to:{account_key(email)}", MAX_MAIL_PER_RECIPIENT, HOUR),
            (f"{_PREFIX}{kind}:addr:{_network(address)}", per_address, HOUR),
        ],
    )
    if any(over):
        raise TooManyRequests(
            _("Too many requests. Please wait an hour and try again."), retry_after=HOUR
        )


async def limit_signup(redis: ArqRedis | None, *, email: str, address: str) -> None:
    """Sign-ups send e-mail: 3 an hour to one address, 20 an hour from one client."""
    await _limit_mail(
        redis, kind="signup", email=email, address=address, per_address=MAX_SIGNUPS_PER_ADDRESS
    )


async def limit_reset(redis: ArqRedis | None, *, email: str, address: str) -> None:
    """Reset links: 3 an hour to one address, 20 an hour from one client."""
    await _limit_mail(
        redis, kind="reset", email=email, address=address, per_address=MAX_RESETS_PER_ADDRESS
    )


async def limit_resend(redis: ArqRedis | None, *, email: str, address: str) -> None:
    """Confirmation links asked for again: 3 an hour to one address."""
    await _limit_mail(
        redis, kind="verify", email=email, address=address, per_address=MAX_RESETS_PER_ADDRESS
    )


async def limit_invitations(redis: ArqRedis | None, *, inviter_id: int, count: int) -> None:
    """`count` invitations about to be e-mailed by one organiser: 1,000 a day in all."""
    key = f"{_PREFIX}invite:by:{inviter_id}"
    if (await _reserve(redis, [(key, MAX_INVITATIONS_PER_INVITER, DAY)], count))[0]:
        await _give_back(redis, key, count)  # refused: these were not sent
        raise TooManyRequests(
            _(
                "You have sent too many invitations today (at most %(n)s a day). Please "
                "try again tomorrow."
            )
            % {"n": MAX_INVITATIONS_PER_INVITER},
            retry_after=DAY,
        )


async def limit_invitation_resend(redis: ArqRedis | None, *, invitation_id: int) -> None:
    """One invitation sent again: 3 times an hour."""
    key = f"{_PREFIX}invite:again:{invitation_id}"
    if (await _reserve(redis, [(key, MAX_RESENDS_PER_INVITATION, HOUR)]))[0]:
        raise TooManyRequests(
            _("This invitation was sent again several times already. Please wait an hour."),
            retry_after=HOUR,
        )


async def _give_back(redis: ArqRedis | None, key: str, amount: int) -> None:
    if redis is None:
        return
    try:
        await redis.decrby(key, amount)
    except (RedisError, OSError):
        return


MAX_VOTES_PER_VOTER = 5  # votes (and confirmation links) of one address in a public vote
MAX_VOTES_PER_NETWORK = 200  # a school's classes vote from one network: flagged, not stopped


async def limit_vote(redis: ArqRedis | None, *, email: str, network: str) -> None:
    """Public votes: 5 an hour for one address (each may send a link), 200 an hour from one
    network (an IPv4 /24 or IPv6 /64, which the caller names)."""
    over = await _reserve(
        redis,
        [
            (f"{_PREFIX}vote:to:{account_key(email)}", MAX_VOTES_PER_VOTER, HOUR),
            (f"{_PREFIX}vote:net:{network}", MAX_VOTES_PER_NETWORK, HOUR),
        ],
    )
    if any(over):
        raise TooManyRequests(
            _("Too many votes. Please wait an hour and try again."), retry_after=HOUR
        )
