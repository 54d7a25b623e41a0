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


SPONSOR_ADDED = action("sponsor.added")
REPRESENTATIVE_ADDED = action("sponsor.representative_added")
ADOPTION_PROPOSED = action("adoption.proposed")
ADOPTION_ACCEPTED = action("adoption.accepted")
ADOPTION_DECLINED = action("adoption.declined")
ADOPTION_WITHDRAWN = action("adoption.withdrawn")
