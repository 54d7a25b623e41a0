"""The signed link of an invitation: it names the invitation, its challenge and role, and
its nonce (replaced at every resend, so only the latest link works, and once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.accounts.tokens import MAX_TOKEN_LENGTH

SALT = "madrina.invitation"
# The signature's own limit; the invitation's `expires_at` (7 days by default) is the one
# that counts, and the organiser sees it.
MAX_AGE = 31 * 24 * 3600


@dataclass(frozen=True)
class InvitationClaim:
    invitation_id: int
    challenge_id: int
    kind: str
    nonce: str


def make(secret_key: str, claim: InvitationClaim) -> str:
    payload = {"i": claim.invitation_id, "c": claim.challenge_id, "k": claim.kind, "n": claim.nonce}
    return str(URLSafeTimedSerializer(secret_key, salt=SALT).dumps(payload))


def read(secret_key: str, token: str) -> InvitationClaim | None:
    """The claim of a link we signed, else None (tampered, foreign, too old, too long)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload: Any = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    found = (payload.get("i"), payload.get("c"), payload.get("k"), payload.get("n"))
    invitation_id, challenge_id, kind, nonce = found
    if not (
        isinstance(invitation_id, int)
        and isinstance(challenge_id, int)
        and isinstance(kind, str)
        and isinstance(nonce, str)
    ):
        return None
    return InvitationClaim(invitation_id, challenge_id, kind, nonce)
