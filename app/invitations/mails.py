"""The invitation e-mail: subject, plain text and HTML, in the invitee's language (their
account's, else the inviter's when they invited), with the absolute link (BASE_URL)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from app import i18n
from app.challenges.models import Challenge
from app.config import Settings
from app.i18n import gettext as _
from app.invitations import links
from app.invitations.models import Invitation
from app.templating import render_string

ACCEPT_PATH = "/invitations/"  # followed by the token


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def accept_link(settings: Settings, invitation: Invitation) -> str:
    assert invitation.id is not None
    token = links.make(
        settings.secret_key,
        links.InvitationClaim(
            invitation.id, invitation.challenge_id, str(invitation.kind), invitation.nonce
        ),
    )
    return f"{settings.base_url}{ACCEPT_PATH}{quote(token)}"


def invitation_letter(
    settings: Settings,
    *,
    invitation: Invitation,
    challenge: Challenge,
    inviter_name: str,
    sponsor_name: str,
    locale: str,
) -> Letter:
    context = {
        "challenge": challenge,
        "kind": str(invitation.kind),
        "inviter": inviter_name,
        "sponsor": sponsor_name,
        "email": invitation.email,
        "expires_at": invitation.expires_at,
        "link": accept_link(settings, invitation),
    }
    with i18n.use_locale(locale):
        return Letter(
            subject=_("Invitation to %(challenge)s on Madrina") % {"challenge": challenge.title},
            text=render_string("emails/invitations/invitation.txt", context),
            html=render_string("emails/invitations/invitation.html", context),
        )
