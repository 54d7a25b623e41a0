"""The kinds of notification, which of them a person may turn off, and the preferences form."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from app import i18n


@dataclass(frozen=True)
class Letter:
    """One e-mail as rendered for its recipient."""

    subject: str
    text: str
    html: str


class Kind(StrEnum):
    TEAM_REGISTERED = "team_registered"
    PROJECT_SUBMITTED = "project_submitted"
    ADOPTION_PROPOSED = "adoption_proposed"
    ADOPTION_ACCEPTED = "adoption_accepted"
    ADOPTION_DECLINED = "adoption_declined"
    ADOPTION_WITHDRAWN = "adoption_withdrawn"
    ADOPTION_AMENDED = "adoption_amended"
    ADOPTION_REPLIED = "adoption_replied"
    ADOPTION_AUTO_DECLINED = "adoption_auto_declined"
    ADOPTION_AWAITING_CONFIRMATION = "adoption_awaiting_confirmation"
    ADOPTION_REFUSED = "adoption_refused"
    MILESTONE_PROPOSED = "milestone_proposed"
    MILESTONE_CONFIRMED = "milestone_confirmed"
    ADOPTION_CLOSED = "adoption_closed"
    ADOPTION_OVERDUE = "adoption_overdue"
    JUDGING_ASSIGNED = "judging_assigned"
    JUDGE_REMINDER = "judge_reminder"
    RESULTS_PUBLISHED = "results_published"
    CERTIFICATE_READY = "certificate_ready"
    PHASE_OPENING = "phase_opening"
    PHASE_CLOSING = "phase_closing"
    PHASES_MOVED = "phases_moved"
    ROUND_NOT_OPENED = "round_not_opened"


# What a person must get whatever they chose: an offer (or its new version) waits for the
# coach's answer, an acceptance for an organiser's confirmation and a milestone for the other
# side's, an overdue adoption is a promise not being kept, a judge cannot score what nobody
# told them about, and people planned around the dates an organiser moved (account e-mails,
# such as a password reset, do not go through here at all and are never optional).
MANDATORY: frozenset[Kind] = frozenset(
    {
        Kind.ADOPTION_PROPOSED,
        Kind.ADOPTION_AMENDED,
        Kind.ADOPTION_AWAITING_CONFIRMATION,
        Kind.MILESTONE_PROPOSED,
        Kind.ADOPTION_OVERDUE,
        Kind.JUDGING_ASSIGNED,
        Kind.PHASES_MOVED,
        Kind.ROUND_NOT_OPENED,
    }
)
OPTIONAL: tuple[Kind, ...] = tuple(kind for kind in Kind if kind not in MANDATORY)

# The preferences page's label of each optional kind (translated when shown).
LABELS: dict[Kind, str] = {
    Kind.TEAM_REGISTERED: i18n.lazy("A team I coach is registered"),
    Kind.PROJECT_SUBMITTED: i18n.lazy("A project of my team is submitted"),
    Kind.ADOPTION_ACCEPTED: i18n.lazy("An adoption offer is accepted"),
    Kind.ADOPTION_DECLINED: i18n.lazy("An adoption offer is declined"),
    Kind.ADOPTION_WITHDRAWN: i18n.lazy("An adoption offer is withdrawn"),
    Kind.ADOPTION_REPLIED: i18n.lazy("A team answers an adoption offer with a message"),
    Kind.ADOPTION_AUTO_DECLINED: i18n.lazy(
        "An offer is declined because the team chose another company"
    ),
    Kind.ADOPTION_REFUSED: i18n.lazy("The organisers do not confirm an adoption"),
    Kind.MILESTONE_CONFIRMED: i18n.lazy("A step of an adoption's follow-up is confirmed"),
    Kind.ADOPTION_CLOSED: i18n.lazy("An adoption is closed"),
    Kind.JUDGE_REMINDER: i18n.lazy("Daily reminder of projects I still have to score"),
    Kind.RESULTS_PUBLISHED: i18n.lazy("The results of a challenge are published"),
    Kind.CERTIFICATE_READY: i18n.lazy("A certificate is ready"),
    Kind.PHASE_OPENING: i18n.lazy("A phase opens soon (48 and 2 hours before)"),
    Kind.PHASE_CLOSING: i18n.lazy("A deadline is near (48 and 2 hours before)"),
}

# Subject and first paragraph of each kind's e-mail, with named values filled in (a
# certificate's e-mail is written by app.certificates.render, which knows its links).
SUBJECTS: dict[Kind, str] = {
    Kind.TEAM_REGISTERED: i18n.lazy("Team %(team)s is registered in %(challenge)s"),
    Kind.PROJECT_SUBMITTED: i18n.lazy("%(team)s submitted its project in %(challenge)s"),
    Kind.ADOPTION_PROPOSED: i18n.lazy("%(sponsor)s offers to adopt %(project)s"),
    Kind.ADOPTION_ACCEPTED: i18n.lazy("%(sponsor)s adopts %(project)s"),
    Kind.ADOPTION_DECLINED: i18n.lazy("The offer of %(sponsor)s for %(project)s was declined"),
    Kind.ADOPTION_WITHDRAWN: i18n.lazy("The offer of %(sponsor)s for %(project)s was withdrawn"),
    Kind.ADOPTION_AMENDED: i18n.lazy("%(sponsor)s changed its offer for %(project)s"),
    Kind.ADOPTION_REPLIED: i18n.lazy("%(team)s answered the offer of %(sponsor)s"),
    Kind.ADOPTION_AUTO_DECLINED: i18n.lazy("%(project)s chose another company's offer"),
    Kind.ADOPTION_AWAITING_CONFIRMATION: i18n.lazy(
        "The adoption of %(project)s by %(sponsor)s waits for your confirmation"
    ),
    Kind.ADOPTION_REFUSED: i18n.lazy(
        "The adoption of %(project)s by %(sponsor)s was not confirmed"
    ),
    Kind.MILESTONE_PROPOSED: i18n.lazy("A step of the adoption of %(project)s to confirm"),
    Kind.MILESTONE_CONFIRMED: i18n.lazy("A step of the adoption of %(project)s was confirmed"),
    Kind.ADOPTION_CLOSED: i18n.lazy("The adoption of %(project)s by %(sponsor)s is closed"),
    Kind.ADOPTION_OVERDUE: i18n.lazy("The adoption of %(project)s by %(sponsor)s is overdue"),
    Kind.JUDGING_ASSIGNED: i18n.lazy("Projects to score in %(challenge)s"),
    Kind.JUDGE_REMINDER: i18n.lazy("Reminder: projects left to score in %(challenge)s"),
    Kind.RESULTS_PUBLISHED: i18n.lazy("The results of %(challenge)s are published"),
    Kind.PHASE_OPENING: i18n.lazy("%(challenge)s: %(phase)s opens on %(when)s"),
    Kind.PHASE_CLOSING: i18n.lazy("%(challenge)s: %(phase)s closes on %(when)s"),
    Kind.PHASES_MOVED: i18n.lazy("%(challenge)s: the dates have changed"),
    Kind.ROUND_NOT_OPENED: i18n.lazy("%(challenge)s: the round %(round)s could not open"),
}
TEXTS: dict[Kind, str] = {
    Kind.TEAM_REGISTERED: i18n.lazy(
        "Your team %(team)s is registered in %(challenge)s. You can now add its members and "
        "write its project."
    ),
    Kind.PROJECT_SUBMITTED: i18n.lazy(
        "The project %(project)s of team %(team)s was submitted in %(challenge)s. The coach "
        "may take it back and submit it again until the submission deadline."
    ),
    Kind.ADOPTION_PROPOSED: i18n.lazy(
        "%(sponsor)s offered to adopt the project %(project)s of team %(team)s in "
        "%(challenge)s. The team's coach may accept or decline the offer."
    ),
    Kind.ADOPTION_ACCEPTED: i18n.lazy(
        "The offer of %(sponsor)s to adopt the project %(project)s of team %(team)s in "
        "%(challenge)s was accepted."
    ),
    Kind.ADOPTION_DECLINED: i18n.lazy(
        "The offer of %(sponsor)s to adopt the project %(project)s of team %(team)s in "
        "%(challenge)s was declined."
    ),
    Kind.ADOPTION_WITHDRAWN: i18n.lazy(
        "%(sponsor)s withdrew its offer to adopt the project %(project)s of team %(team)s in "
        "%(challenge)s."
    ),
    Kind.ADOPTION_AMENDED: i18n.lazy(
        "%(sponsor)s changed its offer to adopt the project %(project)s of team %(team)s in "
        "%(challenge)s (version %(version)s). The team's coach sees what changed and may "
        "accept or decline it."
    ),
    Kind.ADOPTION_REPLIED: i18n.lazy(
        "The team %(team)s answered the offer of %(sponsor)s to adopt the project %(project)s "
        "in %(challenge)s: \u201c%(message)s\u201d"
    ),
    Kind.ADOPTION_AUTO_DECLINED: i18n.lazy(
        "The team %(team)s accepted another company's offer for the project %(project)s in "
        "%(challenge)s. The challenge allows one godmother company per project, so the offer "
        "of %(sponsor)s was declined automatically."
    ),
    Kind.ADOPTION_AWAITING_CONFIRMATION: i18n.lazy(
        "The team %(team)s accepted the offer of %(sponsor)s to adopt the project %(project)s "
        "in %(challenge)s. The challenge's rules ask an organiser to confirm or refuse it."
    ),
    Kind.ADOPTION_REFUSED: i18n.lazy(
        "The organisers of %(challenge)s did not confirm the adoption of the project "
        "%(project)s of team %(team)s by %(sponsor)s, saying: \u201c%(reason)s\u201d."
    ),
    Kind.MILESTONE_PROPOSED: i18n.lazy(
        "A step of the follow-up of the adoption of the project %(project)s by %(sponsor)s in "
        "%(challenge)s, dated %(date)s, was recorded by the other side and waits for your "
        "confirmation."
    ),
    Kind.MILESTONE_CONFIRMED: i18n.lazy(
        "The step of the follow-up dated %(date)s of the adoption of the project %(project)s "
        "by %(sponsor)s in %(challenge)s was confirmed by the other side."
    ),
    Kind.ADOPTION_CLOSED: i18n.lazy(
        "The adoption of the project %(project)s of team %(team)s by %(sponsor)s in "
        "%(challenge)s was closed: %(outcome)s"
    ),
    Kind.ADOPTION_OVERDUE: i18n.lazy(
        "No milestone of the adoption of the project %(project)s of team %(team)s by "
        "%(sponsor)s in %(challenge)s has been confirmed since %(date)s (the rules of the "
        "challenge ask for one every %(weeks)s weeks). Record what happened, or confirm what "
        "the other side recorded."
    ),
    Kind.JUDGING_ASSIGNED: i18n.lazy(
        "The round %(round)s of %(challenge)s is open. Projects waiting for your scores: %(count)s."
    ),
    Kind.JUDGE_REMINDER: i18n.lazy(
        "Projects still waiting for your scores in the round %(round)s of %(challenge)s: %(count)s."
    ),
    Kind.RESULTS_PUBLISHED: i18n.lazy(
        "The results of %(challenge)s are published: the awards are on the challenge's page."
    ),
    Kind.PHASE_OPENING: i18n.lazy(
        "The phase \u201c%(phase)s\u201d of %(challenge)s opens on %(when)s, in about "
        "%(hours)s hours."
    ),
    Kind.PHASE_CLOSING: i18n.lazy(
        "The phase \u201c%(phase)s\u201d of %(challenge)s closes on %(when)s, in about "
        "%(hours)s hours."
    ),
    Kind.PHASES_MOVED: i18n.lazy(
        "The organisers of %(challenge)s moved its dates, saying: \u201c%(reason)s\u201d. "
        "The dates now are: %(dates)s."
    ),
    Kind.ROUND_NOT_OPENED: i18n.lazy(
        "The round %(round)s of %(challenge)s was due to open by itself, but it has no judges "
        "assigned yet. Assign the judges: it then opens at the next minute. You can also open "
        "it by hand or set a new date."
    ),
}


class PreferencesForm(BaseModel):
    """A ticked box per optional kind the person keeps; an unticked one is opted out."""

    model_config = ConfigDict(extra="forbid")

    team_registered: bool = False
    project_submitted: bool = False
    adoption_accepted: bool = False
    adoption_declined: bool = False
    adoption_withdrawn: bool = False
    adoption_replied: bool = False
    adoption_auto_declined: bool = False
    adoption_refused: bool = False
    milestone_confirmed: bool = False
    adoption_closed: bool = False
    judge_reminder: bool = False
    results_published: bool = False
    certificate_ready: bool = False
    phase_opening: bool = False
    phase_closing: bool = False

    def keep(self) -> set[Kind]:
        return {kind for kind in OPTIONAL if getattr(self, str(kind))}
