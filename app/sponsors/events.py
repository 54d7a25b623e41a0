"""What happens to sponsors, their representatives and their adoptions of projects."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class AdoptionEvent(DomainEvent):
    """An adoption changed state; everyone concerned is found from these ids."""

    challenge_id: int
    adoption_id: int
    sponsor_id: int
    project_id: int
    team_id: int


class AdoptionProposed(AdoptionEvent):
    """A sponsor offered commitments to a project."""


class AdoptionAccepted(AdoptionEvent):
    """The team's coach accepted an offer."""


class AdoptionDeclined(AdoptionEvent):
    """The team's coach declined an offer."""


class AdoptionWithdrawn(AdoptionEvent):
    """The sponsor took an offer back before the team answered."""


class AdoptionAwaitingConfirmation(AdoptionEvent):
    """The team accepted an offer; the challenge's rules ask an organiser to confirm."""


class AdoptionAutoDeclined(AdoptionEvent):
    """An offer declined by the platform: the team accepted another company's offer for a
    project that may have one godmother only."""

    accepted_adoption_id: int


class AdoptionRefused(AdoptionEvent):
    """An organiser did not confirm the team's acceptance."""


class AdoptionAmended(AdoptionEvent):
    """The sponsor changed its offer before the team accepted it (a new version)."""

    version: int


class AdoptionReplied(AdoptionEvent):
    """The team answered the company with a message."""


class MilestoneProposed(AdoptionEvent):
    """One side recorded a step of the follow-up; the other side is asked to confirm it."""

    milestone_id: int


class MilestoneConfirmed(AdoptionEvent):
    """The other side confirmed a step of the follow-up."""

    milestone_id: int


class AdoptionClosed(AdoptionEvent):
    """An adoption was closed, as completed or ended early."""

    outcome: str


SPONSOR_ADDED = action("sponsor.added")
REPRESENTATIVE_ADDED = action("sponsor.representative_added")
ADOPTION_PROPOSED = action("adoption.proposed")
ADOPTION_ACCEPTED = action("adoption.accepted")
ADOPTION_DECLINED = action("adoption.declined")
ADOPTION_WITHDRAWN = action("adoption.withdrawn")
ADOPTION_TEAM_ACCEPTED = action("adoption.team_accepted")
ADOPTION_AUTO_DECLINED = action("adoption.auto_declined")
ADOPTION_CONFIRMED = action("adoption.confirmed")
ADOPTION_REFUSED = action("adoption.refused")
ADOPTION_RULES_CHANGED = action("adoption.rules_changed")
ADOPTION_AMENDED = action("adoption.amended")
ADOPTION_REPLIED = action("adoption.replied")
MILESTONE_PROPOSED = action("adoption.milestone_proposed")
MILESTONE_CONFIRMED = action("adoption.milestone_confirmed")
ADOPTION_CLOSED = action("adoption.closed")
# A company's shortlist and notes are private to it: these go to the platform's audit log
# (administrators), never to the challenge's, which its organisers read.
SHORTLIST_ADDED = action("sponsor.shortlist_added")
SHORTLIST_REMOVED = action("sponsor.shortlist_removed")
NOTE_ADDED = action("sponsor.note_added")
NOTE_DELETED = action("sponsor.note_deleted")
MEMBER_NAMES_SHOWN = action("sponsor.member_names_shown")
MILESTONE_FILE_ATTACHED = action("adoption.milestone_file_attached")
ADOPTION_RECOGNITION_CHANGED = action("adoption.recognition_changed")
COMPANY_CREATED = action("company.created")
COMPANY_UPDATED = action("company.updated")
COMPANY_LOGO_SET = action("company.logo_set")
COMPANY_LOGO_REMOVED = action("company.logo_removed")
COMPANY_REPRESENTATIVE_ADDED = action("company.representative_added")
SPONSOR_TRACK_PROPOSED = action("sponsor.track_proposed")
SPONSOR_TRACK_ACCEPTED = action("sponsor.track_accepted")
