"""Signed links: what an e-mailed link carries.

Each kind has its own salt, so one kind never passes for another. A link names the user
and their `link_nonce`, which changes when a link is used (and when the password changes):
a link works once, and an older one stops working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

VERIFY_EMAIL = "madrina.verify-email"
RESET_PASSWORD = "madrina.reset-password"  # noqa: S105 - a salt, not a secret

VERIFY_MAX_AGE = 2 * 24 * 3600  # two days: people open sign-up mail later
RESET_MAX_AGE = 3600  # one hour: a reset link is a key to the account
MAX_TOKEN_LENGTH = 500  # anything longer is no token of ours: refused before any work


@dataclass(frozen=True)
class Claim:
    user_id: int
    nonce: str
    email: str = ""


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def make(secret_key: str, salt: str, claim: Claim) -> str:
    payload = {"u": claim.user_id, "n": claim.nonce, "e": claim.email}
    return str(_serializer(secret_key, salt).dumps(payload))


def read(secret_key: str, salt: str, token: str, *, max_age: int) -> Claim | None:
    """The claim of a token we signed for `salt` less than `max_age` seconds ago, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload: Any = _serializer(secret_key, salt).loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    user_id, nonce = payload.get("u"), payload.get("n")
    email = payload.get("e", "")
    if not isinstance(user_id, int) or not isinstance(nonce, str) or not isinstance(email, str):
        return None
    return Claim(user_id=user_id, nonce=nonce, email=email)
