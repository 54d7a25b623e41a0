"""What happens to invitations: the e-mail is sent by app/invitations/tasks.py."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class InvitationSent(DomainEvent):
    """An invitation was made or sent again: its address gets the link (`round` is the
    invitation's `sent_count` then; an older round's e-mail is not sent)."""

    invitation_id: int
    round: int


INVITATION_SENT = action("invitation.sent")
INVITATION_RESENT = action("invitation.resent")
INVITATION_REVOKED = action("invitation.revoked")
INVITATION_ACCEPTED = action("invitation.accepted")
