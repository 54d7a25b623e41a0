"""What happens to programmes, challenges, their phases, tracks and institutions."""

from __future__ import annotations

from app.events.schemas import DomainEvent, action


class ChallengePublished(DomainEvent):
    """An organiser made a draft challenge public."""

    challenge_id: int


class PhasesMoved(DomainEvent):
    """An organiser moved the phase windows of a published challenge, saying why."""

    challenge_id: int
    reason: str


class PhaseStarted(DomainEvent):
    """The clock moved a published challenge into a phase ("closed" after the last one)."""

    challenge_id: int
    phase: str


CHALLENGE_CREATED = action("challenge.created")
CHALLENGE_UPDATED = action("challenge.updated")
CHALLENGE_PUBLISHED = action("challenge.published")
CHALLENGE_UNPUBLISHED = action("challenge.unpublished")
PHASES_SET = action("challenge.phases_set")
PHASES_MOVED = action("challenge.phases_moved")
EDITION_CLONED = action("challenge.edition_cloned")
CHALLENGE_ARCHIVED = action("challenge.archived")
CHALLENGE_RESTORED = action("challenge.restored")
COVER_SET = action("challenge.cover_set")
COVER_REMOVED = action("challenge.cover_removed")
PHASE_CHANGED = action("challenge.phase_changed")
RESULTS_PUBLISHED_AT = action("challenge.results_published")
TRACK_ADDED = action("track.added")
TRACK_UPDATED = action("track.updated")
TRACK_DELETED = action("track.deleted")
PROGRAMME_CREATED = action("programme.created")
STAGE_ATTACHED = action("programme.stage_attached")
STAGE_DETACHED = action("programme.stage_detached")
INSTITUTION_CREATED = action("institution.created")
