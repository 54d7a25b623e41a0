"""The e-mail that confirms a vote in a public-vote round, and the signed link it carries.

The link names the ballot, the project chosen and the ballot's nonce (replaced by every
new link and by the confirmation): it works once, only the latest one works, and for two
days at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import i18n
from app.accounts.tokens import MAX_TOKEN_LENGTH
from app.challenges.models import Challenge
from app.config import Settings
from app.i18n import gettext as _
from app.judging.models import PublicVote, Round
from app.teams.models import Project
from app.templating import render_string

SALT = "madrina.public-vote"
MAX_AGE = 2 * 24 * 3600
CONFIRM_PATH = "/votes/confirm"  # ?token=...


@dataclass(frozen=True)
class VoteClaim:
    vote_id: int
    project_id: int
    nonce: str


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def make_token(secret_key: str, claim: VoteClaim) -> str:
    payload = {"v": claim.vote_id, "p": claim.project_id, "n": claim.nonce}
    return str(URLSafeTimedSerializer(secret_key, salt=SALT).dumps(payload))


def read_token(secret_key: str, token: str) -> VoteClaim | None:
    """The claim of a link we signed less than two days ago, else None (tampered, foreign,
    too old, too long)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload: Any = URLSafeTimedSerializer(secret_key, salt=SALT).loads(token, max_age=MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(payload, dict):
        return None
    vote_id, project_id, nonce = payload.get("v"), payload.get("p"), payload.get("n")
    if not (isinstance(vote_id, int) and isinstance(project_id, int) and isinstance(nonce, str)):
        return None
    return VoteClaim(vote_id, project_id, nonce)


def confirm_link(settings: Settings, vote: PublicVote) -> str:
    assert vote.id is not None and vote.pending_project_id is not None
    token = make_token(settings.secret_key, VoteClaim(vote.id, vote.pending_project_id, vote.nonce))
    return f"{settings.base_url}{CONFIRM_PATH}?token={quote(token)}"


def vote_letter(
    settings: Settings,
    *,
    vote: PublicVote,
    judging_round: Round,
    challenge: Challenge,
    project: Project,
    locale: str,
) -> Letter:
    context = {
        "challenge": challenge,
        "round": judging_round,
        "project": project,
        "link": confirm_link(settings, vote),
    }
    with i18n.use_locale(locale):
        return Letter(
            subject=_("Confirm your vote in %(challenge)s") % {"challenge": challenge.title},
            text=render_string("emails/judging/vote.txt", context),
            html=render_string("emails/judging/vote.html", context),
        )
