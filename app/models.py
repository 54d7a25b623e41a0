"""Imports every table so metadata is complete (Alembic, tests, create_all)."""

from app.accounts.models import ApiToken, RecoveryCode, Role, User, UserSession
from app.certificates.models import Certificate
from app.challenges.models import Challenge, Institution, Phase, Programme, Track
from app.events.models import AuditEntry, HandledEvent, OutboxEvent, OutgoingMail
from app.invitations.models import Invitation
from app.judging.models import (
    Assignment,
    Award,
    Criterion,
    JudgeConflict,
    PairwiseItem,
    PairwiseJudge,
    PairwiseSkip,
    PairwiseVote,
    PublicVote,
    Round,
    Rubric,
    Score,
)
from app.notifications.models import Notification, NotificationOptOut
from app.sponsors.models import Adoption, Sponsor, SponsorRepresentative
from app.teams.models import Project, ProjectFile, Team, TeamMember

__all__ = [
    "Adoption",
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Award",
    "Certificate",
    "Challenge",
    "Criterion",
    "HandledEvent",
    "Institution",
    "Invitation",
    "JudgeConflict",
    "Notification",
    "NotificationOptOut",
    "OutboxEvent",
    "OutgoingMail",
    "PairwiseItem",
    "PairwiseJudge",
    "PairwiseSkip",
    "PairwiseVote",
    "Phase",
    "Programme",
    "Project",
    "ProjectFile",
    "PublicVote",
    "RecoveryCode",
    "Role",
    "Round",
    "Rubric",
    "Score",
    "Sponsor",
    "SponsorRepresentative",
    "Team",
    "TeamMember",
    "Track",
    "User",
    "UserSession",
]
