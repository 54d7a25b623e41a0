"""Event handlers of this domain (collected by workers.main): the invitation e-mail.

The e-mail is queued under a key made of the event's id, so a handler that runs twice
queues one e-mail; an event of an older round (the invitation was sent again since, or
accepted or revoked) sends nothing, since its link would not work.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.accounts import queries as accounts_queries
from app.accounts.models import User
from app.challenges import queries as challenge_queries
from app.events.service import handles, queue_mail, session_settings
from app.invitations import mails
from app.invitations.events import InvitationSent
from app.invitations.models import Invitation, InvitationStatus
from app.sponsors import queries as sponsors_queries


@handles(InvitationSent)
async def send_invitation(session: AsyncSession, event: InvitationSent) -> None:
    invitation = await session.get(Invitation, event.invitation_id)
    if (
        invitation is None
        or invitation.status != InvitationStatus.PENDING
        or invitation.sent_count != event.round
    ):
        return
    challenge = await challenge_queries.get_challenge(session, invitation.challenge_id)
    inviter = await session.get(User, invitation.invited_by)
    account = await accounts_queries.user_by_email(session, invitation.email)
    sponsor_name = ""
    if invitation.sponsor_id is not None:
        sponsor = await sponsors_queries.get_sponsor(
            session, invitation.sponsor_id, challenge_id=invitation.challenge_id
        )
        sponsor_name = sponsor.name
    letter = mails.invitation_letter(
        session_settings(session),
        invitation=invitation,
        challenge=challenge,
        inviter_name=inviter.name if inviter else "",
        sponsor_name=sponsor_name,
        locale=account.locale if account else invitation.locale,
    )
    await queue_mail(
        session,
        key=f"{event.event_id}:invitation:{invitation.id}",
        to=invitation.email,
        subject=letter.subject,
        text=letter.text,
        html=letter.html,
    )


functions: list[Any] = []
cron_jobs: list[Any] = []
