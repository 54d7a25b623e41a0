"""What the overlong-input test walks: the text fields of every input schema, and for each
page form and JSON API body that takes one, who sends it where with which valid data.

The fields come from the schemas themselves (their JSON schema, as the OpenAPI document
shows them), so a new field is a new case; a page form or API body that is not listed
here, or a schema that nobody reads, fails test_every_form_and_body_is_walked.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlmodel import col, select

import app as app_package
from app.accounts import tokens
from app.accounts.models import User, new_nonce
from app.accounts.schemas import (
    CreatorForm,
    LoginCodeForm,
    LoginForm,
    PasswordChange,
    PasswordReset,
    RegisterForm,
    ResetRequest,
    TokenCreate,
    TwoFactorDisable,
    TwoFactorEnrol,
)
from app.certificates.schemas import CertificateRevoke
from app.challenges import phases as challenge_phases
from app.challenges import queries as challenge_queries
from app.challenges.schemas import (
    ChallengeInput,
    EditionInput,
    PhasesForm,
    ProgrammeInput,
    RoleGrant,
    StageInput,
    TrackInput,
)
from app.db import Database, utcnow
from app.editions.schemas import PromotionInput
from app.invitations import links
from app.invitations.schemas import AcceptSignup, ColleagueForm, InvitationForm
from app.judging import mails as vote_mails
from app.judging.models import Criterion, PublicVote
from app.judging.pairwise_schemas import SkipIn, VoidIn
from app.judging.pairwise_schemas import VoteIn as PairwiseVoteIn
from app.judging.schemas import (
    AggregationChoice,
    ConflictDeclare,
    ConflictWithdraw,
    JudgeAdd,
    JudgeRemoval,
    Reassign,
    Recusal,
    RoundCreate,
    RoundSettings,
    RubricCreate,
    ScoresIn,
    VoidVotes,
    VoteIn,
)
from app.main import API_ROUTERS
from app.notifications.schemas import PreferencesForm
from app.sponsors.company_schemas import CompanyJoin, CompanyProfile, TrackProposal
from app.sponsors.discovery_schemas import NoteCreate, ShortlistAdd
from app.sponsors.models import Adoption, AdoptionStatus, ShortlistEntry
from app.sponsors.schemas import (
    AdoptionAmend,
    AdoptionClose,
    AdoptionCreate,
    AdoptionRefusal,
    AdoptionReply,
    AdoptionRulesUpdate,
    MilestoneCreate,
    RecognitionChoice,
    RepresentativeForm,
    SponsorCreate,
)
from app.teams.models import Project
from app.teams.schemas import ProjectInput, TeamInput
from tests.factories import PASSWORD, make_team
from tests.security.world import World

# --- Text fields, from the schemas ---


@dataclass(frozen=True)
class TextField:
    path: tuple[str, ...]  # ("criteria", "name"): a field of the first item of a list
    max_length: int | None
    is_email: bool

    @property
    def form_name(self) -> str:
        """The page form's field (and error key): criteria-0-name, members-0-first_name."""
        return "-0-".join(self.path)


def text_fields(schema: type[BaseModel]) -> list[TextField]:
    """Every free-text field of the schema, nested models (in lists) included."""
    doc = schema.model_json_schema(mode="validation")
    defs: dict[str, Any] = doc.get("$defs", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return resolve(defs[ref.rsplit("/", 1)[1]]) if ref else node

    found: list[TextField] = []

    def walk(model: dict[str, Any], path: tuple[str, ...]) -> None:
        for name, prop in model.get("properties", {}).items():
            for variant in (resolve(v) for v in resolve(prop).get("anyOf", [resolve(prop)])):
                kind = variant.get("type")
                if kind == "string" and _is_free_text(variant):
                    email = variant.get("format") == "email"
                    found.append(TextField((*path, name), variant.get("maxLength"), email))
                elif kind == "array" and "$ref" in variant.get("items", {}):
                    walk(resolve(variant["items"]), (*path, name))
                elif kind == "object" and "properties" in variant:
                    walk(variant, (*path, name))

    walk(doc, ())
    return found


def _is_free_text(node: dict[str, Any]) -> bool:
    """A string a person types: not a choice, a date or a file."""
    if "enum" in node or "const" in node:
        return False
    return node.get("format") not in {"date", "date-time", "time", "binary"}


def input_schemas() -> set[type[BaseModel]]:
    """Every model in app/<domain>/schemas.py that is not (part of) an API response."""
    outputs: set[str] = set()
    for router in API_ROUTERS:
        for op in router.operations:
            if op.response is not None:
                doc = op.response.model_json_schema(mode="serialization")
                outputs |= {op.response.__name__, *doc.get("$defs", {})}
    found: set[type[BaseModel]] = set()
    for path in sorted(Path(app_package.__file__).parent.glob("*/schemas.py")):
        module = importlib.import_module(f"app.{path.parent.name}.schemas")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == module.__name__
                and value.__name__ not in outputs
            ):
                found.add(value)
    return found


def read_by(schemas: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """The schemas and every model nested in them (their JSON schema's $defs)."""
    names = set()
    for schema in schemas:
        names |= {schema.__name__, *schema.model_json_schema(mode="validation").get("$defs", {})}
    return {model for model in input_schemas() if model.__name__ in names} | schemas


# --- Who sends which form or body where, with data that is valid ---


@dataclass
class Target:
    role: str  # a role of tests.security.world
    path: str  # where the form posts (or the API path, without /api/v1)
    data: dict[str, Any]  # a valid submission: form fields, or the JSON body
    page: str = ""  # where the form is shown (pages only)


Setup = Callable[[World, Database], Awaitable[Target]]


@dataclass(frozen=True)
class PageForm:
    schema: type[BaseModel]
    setup: Setup


async def _criteria(db: Database, world: World) -> list[int]:
    async with db.read() as session:
        rows = await session.execute(
            select(Criterion.id).where(col(Criterion.rubric_id) == world.round.rubric_id)
        )
    return [int(i) for i in rows.scalars()]


async def _other_project(db: Database, world: World) -> int:
    """The other team's submitted project: one no sponsor has offered to adopt yet."""
    async with db.read() as session:
        found = await session.execute(
            select(Project.id).where(col(Project.team_id) == world.other_team.id)
        )
    return int(found.scalar_one())


async def _draft_team(db: Database, world: World) -> int:
    """A second team of the coach's, without a project yet (the world's one is submitted)."""
    coach = world.users["coach"]
    assert coach is not None
    team = await make_team(db, world.challenge, coach=coach, name="3C Sole")
    assert team.id is not None
    return team.id


def _email(world: World, role: str) -> str:
    user = world.users[role]
    assert user is not None
    return user.email


def _c(world: World) -> int:
    assert world.challenge.id is not None
    return world.challenge.id


async def _register(world: World, db: Database) -> Target:
    data = {"name": "Anna Ricompilata", "email": "anna@example.net", "password": "long enough pw"}
    return Target("anonymous", "/register", data, "/register")


async def _login(world: World, db: Database) -> Target:
    data = {"email": _email(world, "member"), "password": PASSWORD}
    return Target("anonymous", "/login", data, "/login")


async def _token(world: World, db: Database) -> Target:
    return Target("member", "/account/tokens", {"name": "Portatile ricompilato"}, "/account")


async def _change_password(world: World, db: Database) -> Target:
    data = {"current_password": PASSWORD, "new_password": "una password ricompilata"}
    return Target("member", "/account/password", data, "/account")


async def _forgot(world: World, db: Database) -> Target:
    data = {"email": _email(world, "member")}
    return Target("anonymous", "/password/forgot", data, "/password/forgot")


async def _reset(world: World, db: Database) -> Target:
    member = world.users["member"]
    assert member is not None and member.id is not None
    claim = tokens.Claim(user_id=member.id, nonce=member.link_nonce)
    token = tokens.make(db.settings.secret_key, tokens.RESET_PASSWORD, claim)
    path = f"/password/reset/{token}"
    return Target("anonymous", path, {"password": "una password ricompilata"}, path)


async def _login_code(world: World, db: Database) -> Target:
    return Target("anonymous", "/login/code", {"code": "123456"}, "/login/code")


async def _enrol(world: World, db: Database) -> Target:
    return Target("organiser", "/account/two-factor", {"code": "123456"}, "/account/two-factor")


async def _disable(world: World, db: Database) -> Target:
    """The organiser with two-factor on (its page then shows the form to turn it off)."""
    organiser = world.users["organiser"]
    assert organiser is not None
    async with db.transaction() as session:
        await session.execute(
            update(User)
            .where(User.id == organiser.id)  # type: ignore[arg-type]
            .values(totp_secret=pyotp.random_base32())
        )
    data = {"password": PASSWORD, "code": "123456"}
    return Target("organiser", "/account/two-factor/disable", data, "/account/two-factor")


CHALLENGE = {
    "title": "Titolo ricompilato",
    "summary": "Sommario ricompilato",
    "description": "Descrizione ricompilata",
    "rules": "Regolamento ricompilato",
    "timezone": "Europe/Rome",
}


async def _new_challenge(world: World, db: Database) -> Target:
    return Target("organiser", "/challenges/new", dict(CHALLENGE), "/challenges/new")


async def _edit_challenge(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/edit"
    return Target("organiser", path, dict(CHALLENGE), path)


TRACK = {"name": "Energia ricompilata", "description": "Traccia ricompilata", "position": "7"}


async def _current_windows(world: World, db: Database) -> dict[str, str]:
    """The world challenge's phases as its form shows them (local time): sent back unchanged,
    the windows do not move, so the reason is read and checked but not needed."""
    async with db.read() as session:
        rows = await challenge_queries.phases(session, _c(world))
    return {
        f"{phase.kind}_{end}": challenge_phases.to_local(
            getattr(phase, end), world.challenge.timezone
        ).strftime("%Y-%m-%dT%H:%M")
        for phase in rows
        for end in ("starts_at", "ends_at")
    }


async def _phases(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/phases"
    data = {**await _current_windows(world, db), "reason": "Motivo ricompilato"}
    return Target("organiser", path, data, path)


async def _next_edition(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/next-edition"
    return Target("organiser", path, {"title": "Edizione ricompilata"}, path)


async def _add_track(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/tracks"
    return Target("organiser", path, dict(TRACK), path)


async def _edit_track(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/tracks/{world.track.id}/edit"
    return Target("organiser", path, dict(TRACK), path)


async def _people(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/people"
    return Target(
        "organiser", path, {"email": _email(world, "other_member"), "kind": "judge"}, path
    )


async def _invite(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/invitations"
    data = {"kind": "judge", "emails": "nuova.giudice@example.org", "days": "7"}
    return Target("organiser", path, data, path)


async def _colleagues(world: World, db: Database) -> Target:
    path = f"/companies/{world.sponsor.company_id}/representatives"
    return Target("sponsor", path, {"emails": "nuovo.collega@example.org", "days": "7"}, path)


async def _accept_invitation(world: World, db: Database) -> Target:
    invitation = world.invitation
    assert invitation.id is not None
    claim = links.InvitationClaim(
        invitation.id, invitation.challenge_id, str(invitation.kind), invitation.nonce
    )
    path = f"/invitations/{links.make(db.settings.secret_key, claim)}"
    return Target("anonymous", path, {"name": "Nuova Giudice", "password": "long enough pw"}, path)


async def _creator(world: World, db: Database) -> Target:
    data = {"email": _email(world, "member")}
    return Target("admin", "/admin/creators", data, "/admin/creators")


async def _programme(world: World, db: Database) -> Target:
    data = {"name": "Programma ricompilato", "description": "Percorso ricompilato"}
    return Target("admin", "/programmes/new", data, "/programmes/new")


async def _add_judge(world: World, db: Database) -> Target:
    page = f"/challenges/{_c(world)}/judging"
    return Target("organiser", f"{page}/judges", {"email": _email(world, "other_member")}, page)


RUBRIC = {
    "name": "Rubrica ricompilata",
    "scale_min": "1",
    "scale_max": "5",
    "criteria-0-name": "Criterio ricompilato",
    "criteria-0-weight": "100",
    "criteria-0-guidance": "Guida ricompilata",
}


async def _rubric(world: World, db: Database) -> Target:
    page = f"/challenges/{_c(world)}/judging"
    return Target("organiser", f"/challenges/{_c(world)}/rubrics", dict(RUBRIC), page)


async def _round(world: World, db: Database) -> Target:
    page = f"/challenges/{_c(world)}/judging"
    data = {
        "name": "Turno ricompilato",
        "rubric_id": str(world.round.rubric_id),
        "judges_per_project": "1",
    }
    return Target("organiser", f"/challenges/{_c(world)}/rounds", data, page)


async def _scores(world: World, db: Database) -> Target:
    path = f"/judging/assignments/{world.assignment.id}"
    data = {f"criterion-{c}": "3" for c in await _criteria(db, world)}
    return Target("judge", path, {**data, "comment": "Commento ricompilato"}, path)


async def _conflict(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/judging/conflicts"
    data = {"target": f"team-{world.other_team.id}", "reason": "Mio nipote"}
    return Target("judge", path, data, path)


async def _recuse(world: World, db: Database) -> Target:
    page = f"/judging/assignments/{world.assignment.id}"
    return Target("judge", f"{page}/recuse", {"reason": "Ho insegnato in questa classe"}, page)


SPONSOR = {
    "name": "Ditta ricompilata",
    "website": "https://ricompilata.example.org",
    "description": "Azienda ricompilata",
}


async def _sponsor(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/sponsors"
    return Target("organiser", path, dict(SPONSOR), path)


COMPANY = {
    **SPONSOR,
    "sector": "Settore ricompilato",
    "town": "Paese ricompilato",
    "offers": "Tirocini ricompilati",
}


async def _company(world: World, db: Database) -> Target:
    path = f"/companies/{world.sponsor.company_id}/edit"
    return Target("sponsor", path, dict(COMPANY), path)


TRACK_PROPOSAL = {"name": "Percorso ricompilato", "description": "Sfida ricompilata"}


async def _track_proposal(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/sponsors/{world.sponsor.id}/track"
    return Target("sponsor", path, dict(TRACK_PROPOSAL), path)


async def _representative(world: World, db: Database) -> Target:
    page = f"/challenges/{_c(world)}/sponsors"
    data = {"sponsor_id": str(world.sponsor.id), "email": _email(world, "other_member")}
    return Target("organiser", f"{page}/representatives", data, page)


OFFER = {
    "mentoring_hours": "5",
    "internships": "0",
    "internship_from": "",
    "internship_until": "",
    "funding_eur": "0",
    "materials": "Laboratorio ricompilato",
    "contact_person": "Referente ricompilato",
    "message": "Messaggio ricompilato",
}


async def _adopt(world: World, db: Database) -> Target:
    path = f"/projects/{await _other_project(db, world)}/adopt"
    data = {"sponsor_id": str(world.sponsor.id), **OFFER}
    return Target("sponsor", path, data, path)


async def _amend(world: World, db: Database) -> Target:
    path = f"/adoptions/{world.adoption.id}/amend"
    return Target("sponsor", path, dict(OFFER), path)


async def _reply(world: World, db: Database) -> Target:
    page = f"/adoptions/{world.adoption.id}"
    return Target("coach", f"{page}/reply", {"message": "Risposta ricompilata"}, page)


async def _accepted(db: Database, world: World) -> int:
    """The world's offer, accepted: its follow-up is open."""
    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.id) == world.adoption.id)
            .values(status=AdoptionStatus.ACCEPTED)
        )
    assert world.adoption.id is not None
    return world.adoption.id


def _milestone_data() -> dict[str, str]:
    return {
        "kind": "kickoff",
        "happened_on": utcnow().date().isoformat(),
        "hours": "0",
        "amount_eur": "0",
        "note": "Nota ricompilata",
    }


async def _milestone(world: World, db: Database) -> Target:
    page = f"/adoptions/{await _accepted(db, world)}/follow-up"
    return Target("coach", f"/adoptions/{world.adoption.id}/milestones", _milestone_data(), page)


async def _close(world: World, db: Database) -> Target:
    page = f"/adoptions/{await _accepted(db, world)}/follow-up"
    data = {"outcome": "ended", "reason": "Motivo ricompilato"}
    return Target("sponsor", f"/adoptions/{world.adoption.id}/close", data, page)


async def _awaiting_confirmation(db: Database, world: World) -> int:
    """The world's offer, accepted by the team and waiting for an organiser."""
    async with db.transaction() as session:
        await session.execute(
            update(Adoption)
            .where(col(Adoption.id) == world.adoption.id)
            .values(status=AdoptionStatus.CONFIRMING)
        )
    assert world.adoption.id is not None
    return world.adoption.id


async def _refuse(world: World, db: Database) -> Target:
    path = f"/adoptions/{await _awaiting_confirmation(db, world)}/refuse"
    return Target("organiser", path, {"reason": "Motivo ricompilato"}, path)


TEAM = {
    "name": "Squadra ricompilata",
    "class_name": "5Ricompilata",
    "institution_id": "",
    "institution_name": "Istituto ricompilato",
    "institution_city": "Paese ricompilato",
    "members-0-first_name": "Nome ricompilato",
    "members-0-last_name": "Cognome ricompilato",
}


async def _new_team(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/teams/new"
    return Target("coach", path, {**TEAM, "track_id": str(world.track.id)}, path)


async def _edit_team(world: World, db: Database) -> Target:
    path = f"/teams/{world.team.id}/edit"
    return Target("coach", path, {**TEAM, "track_id": str(world.track.id)}, path)


PROJECT = {
    "title": "Progetto ricompilato",
    "summary": "Sintesi ricompilata",
    "description": "Idea ricompilata",
    "track_id": "",
}


async def _project(world: World, db: Database) -> Target:
    path = f"/teams/{await _draft_team(db, world)}/project"
    return Target("coach", path, dict(PROJECT), path)


async def _note(world: World, db: Database) -> Target:
    """The note form under a shortlisted project, on the company's shortlist."""
    path = f"/sponsors/{world.sponsor.id}/projects/{world.project.id}/notes"
    page = f"/sponsors/{world.sponsor.id}/shortlist"
    async with db.transaction() as session:
        await session.execute(delete(ShortlistEntry))
        session.add(
            ShortlistEntry(
                sponsor_id=world.sponsor.id or 0,
                project_id=world.project.id or 0,
                added_by=world.users["sponsor"].id or 0,  # type: ignore[union-attr]
            )
        )
    return Target("sponsor", path, {"text": "Nota ricompilata"}, page)


async def _revoke(world: World, db: Database) -> Target:
    page = f"/challenges/{_c(world)}/certificates/{world.certificate.id}"
    return Target("organiser", f"{page}/revoke", {"reason": "Nome sbagliato ricompilato"}, page)


async def _pending_ballot(db: Database, world: World) -> str:
    """A ballot waiting for its e-mailed link, in the world's open public vote: the link's token."""
    async with db.transaction() as session:
        ballot = PublicVote(
            round_id=world.vote_round.id or 0,
            email="votante@example.org",
            pending_project_id=world.project.id,
            nonce=new_nonce(),
            network="192.0.2.0/24",
        )
        session.add(ballot)
        await session.flush()
        assert ballot.id is not None and world.project.id is not None
        claim = vote_mails.VoteClaim(ballot.id, world.project.id, ballot.nonce)
    return vote_mails.make_token(db.settings.secret_key, claim)


async def _new_vote(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/votes/new"
    return Target("organiser", path, {"name": "Voto ricompilato"}, path)


async def _vote(world: World, db: Database) -> Target:
    path = f"/rounds/{world.vote_round.id}/vote"
    data = {"project_id": str(world.project.id), "email": "votante@example.org"}
    return Target("anonymous", path, data, path)


async def _flagged_ballots(db: Database, world: World) -> int:
    """Ten ballots from one network at once (flagged, so the page shows its void form): the
    first one's id."""
    async with db.transaction() as session:
        ballots = [
            PublicVote(
                round_id=world.vote_round.id or 0,
                email=f"rete{n}@example.org",
                project_id=world.project.id,
                nonce=new_nonce(),
                network="198.51.100.0/24",
                confirmed_at=utcnow(),
            )
            for n in range(10)
        ]
        session.add_all(ballots)
        await session.flush()
    return ballots[0].id or 0


async def _void_votes(world: World, db: Database) -> Target:
    ballot = await _flagged_ballots(db, world)
    page = f"/rounds/{world.vote_round.id}/votes"
    return Target("organiser", f"{page}/void", {f"vote-{ballot}": "on", "reason": "Rete"}, page)


PAGE_FORMS: dict[str, PageForm] = {
    "/register": PageForm(RegisterForm, _register),
    "/login": PageForm(LoginForm, _login),
    "/account/tokens": PageForm(TokenCreate, _token),
    "/account/password": PageForm(PasswordChange, _change_password),
    "/password/forgot": PageForm(ResetRequest, _forgot),
    "/password/reset/{token}": PageForm(PasswordReset, _reset),
    "/login/code": PageForm(LoginCodeForm, _login_code),
    "/account/two-factor": PageForm(TwoFactorEnrol, _enrol),
    "/account/two-factor/disable": PageForm(TwoFactorDisable, _disable),
    "/challenges/new": PageForm(ChallengeInput, _new_challenge),
    "/challenges/{id:int}/edit": PageForm(ChallengeInput, _edit_challenge),
    "/challenges/{id:int}/tracks": PageForm(TrackInput, _add_track),
    "/challenges/{id:int}/tracks/{track_id:int}/edit": PageForm(TrackInput, _edit_track),
    "/challenges/{id:int}/people": PageForm(RoleGrant, _people),
    "/challenges/{id:int}/phases": PageForm(PhasesForm, _phases),
    "/challenges/{id:int}/next-edition": PageForm(EditionInput, _next_edition),
    "/admin/creators": PageForm(CreatorForm, _creator),
    "/challenges/{id:int}/invitations": PageForm(InvitationForm, _invite),
    "/invitations/{token}": PageForm(AcceptSignup, _accept_invitation),
    "/companies/{id:int}/representatives": PageForm(ColleagueForm, _colleagues),
    "/programmes/new": PageForm(ProgrammeInput, _programme),
    "/challenges/{id:int}/judging/judges": PageForm(JudgeAdd, _add_judge),
    "/challenges/{id:int}/rubrics": PageForm(RubricCreate, _rubric),
    "/challenges/{id:int}/rounds": PageForm(RoundCreate, _round),
    "/rounds/{id:int}/vote": PageForm(VoteIn, _vote),
    "/challenges/{id:int}/votes/new": PageForm(RoundCreate, _new_vote),
    "/rounds/{id:int}/votes/void": PageForm(VoidVotes, _void_votes),
    "/judging/assignments/{id:int}": PageForm(ScoresIn, _scores),
    "/challenges/{id:int}/judging/conflicts": PageForm(ConflictDeclare, _conflict),
    "/judging/assignments/{id:int}/recuse": PageForm(Recusal, _recuse),
    "/challenges/{id:int}/sponsors": PageForm(SponsorCreate, _sponsor),
    "/challenges/{id:int}/sponsors/representatives": PageForm(RepresentativeForm, _representative),
    "/companies/{id:int}/edit": PageForm(CompanyProfile, _company),
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/track": PageForm(
        TrackProposal, _track_proposal
    ),
    "/projects/{id:int}/adopt": PageForm(AdoptionCreate, _adopt),
    "/adoptions/{id:int}/refuse": PageForm(AdoptionRefusal, _refuse),
    "/adoptions/{id:int}/amend": PageForm(AdoptionAmend, _amend),
    "/adoptions/{id:int}/reply": PageForm(AdoptionReply, _reply),
    "/adoptions/{id:int}/milestones": PageForm(MilestoneCreate, _milestone),
    "/adoptions/{id:int}/close": PageForm(AdoptionClose, _close),
    "/sponsors/{id:int}/projects/{project_id:int}/notes": PageForm(NoteCreate, _note),
    "/challenges/{id:int}/teams/new": PageForm(TeamInput, _new_team),
    "/teams/{id:int}/edit": PageForm(TeamInput, _edit_team),
    "/teams/{id:int}/project": PageForm(ProjectInput, _project),
    "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/revoke": PageForm(
        CertificateRevoke, _revoke
    ),
}

# Page forms that take no typed text: buttons, choices, dates and numbers (the schema, if any).
FORMS_WITHOUT_TEXT: dict[str, type[BaseModel] | None] = {
    "/challenges/{id:int}/promote": PromotionInput,
    "/challenges/{id:int}/archive": None,
    "/challenges/{id:int}/cover/edit": None,  # an image: see tests/challenges/test_cover.py
    "/challenges/{id:int}/cover/remove": None,
    "/companies/{id:int}/logo/edit": None,  # an image: see tests/sponsors/test_companies.py
    "/companies/{id:int}/logo/remove": None,
    "/challenges/{id:int}/sponsors/join": CompanyJoin,  # a chosen organisation
    "/challenges/{id:int}/sponsors/{sponsor_id:int}/track/accept": None,
    "/programmes/{id:int}/stages": StageInput,
    "/account/sessions/{id:int}/revoke": None,
    "/account/verify": None,  # a button; the link's token is in the address
    "/votes/confirm": None,  # the same
    "/account/verify/send": None,
    "/account/tokens/{id:int}/revoke": None,
    "/account/notifications": PreferencesForm,  # check boxes
    "/adoptions/{id:int}/accept": None,
    "/adoptions/{id:int}/decline": None,
    "/adoptions/{id:int}/withdraw": None,
    "/adoptions/{id:int}/confirm": None,
    "/adoptions/{id:int}/milestones/{milestone_id:int}/confirm": None,
    # The file's name is cleaned like a project file's (see tests/sponsors/test_milestone_files.py).
    "/adoptions/{id:int}/milestones/{milestone_id:int}/file": None,
    "/adoptions/{id:int}/recognition": RecognitionChoice,
    "/challenges/{id:int}/adoption-rules": AdoptionRulesUpdate,
    "/challenges/{challenge_id:int}/certificates/{certificate_id:int}/reissue": None,
    "/challenges/{id:int}/people/{role_id:int}/remove": None,
    "/challenges/{id:int}/invitations/{invitation_id:int}/resend": None,
    "/challenges/{id:int}/invitations/{invitation_id:int}/revoke": None,
    "/companies/{id:int}/representatives/invitations/{invitation_id:int}/resend": None,
    "/companies/{id:int}/representatives/invitations/{invitation_id:int}/revoke": None,
    "/challenges/{id:int}/publish": None,
    "/challenges/{id:int}/results/publish": None,
    "/challenges/{id:int}/tracks/{track_id:int}/delete": None,
    "/logout": None,
    "/programmes/{id:int}/stages/{challenge_id:int}/remove": None,
    "/projects/{id:int}/files": None,  # the file's name: see test_upload_content
    "/projects/{id:int}/files/{file_id:int}/delete": None,
    "/projects/{id:int}/submit": None,
    "/projects/{id:int}/withdraw": None,
    "/rounds/{id:int}/assign": None,
    "/rounds/{id:int}/close": None,
    "/rounds/{id:int}/open": None,
    "/admin/creators/{id:int}/revoke": None,
    "/assignments/{id:int}/reassign": Reassign,
    "/assignments/{id:int}/remove": None,
    "/challenges/{id:int}/judges/{judge_id:int}/remove": JudgeRemoval,
    "/challenges/{id:int}/judging/conflicts/withdraw": ConflictWithdraw,
    "/rounds/{id:int}/aggregation": AggregationChoice,
    "/pairwise/{id:int}/start": None,
    "/pairwise/{id:int}/seen": None,
    "/pairwise/{id:int}/undo": None,
    "/pairwise/{id:int}/vote": PairwiseVoteIn,
    "/pairwise/{id:int}/skip": SkipIn,
    "/pairwise/{id:int}/void": VoidIn,
    "/pairwise/{id:int}/import": None,  # a CSV file: see tests/judging/test_pairwise_routes.py
    "/sponsors/{id:int}/shortlist/add": ShortlistAdd,  # a button with the project's id
    "/sponsors/{id:int}/shortlist/{project_id:int}/remove": None,
    "/sponsors/{id:int}/notes/{note_id:int}/delete": None,
    "/teams/{id:int}/member-names": None,  # a choice per member (ConsentRow)
    "/rounds/{id:int}/settings": RoundSettings,  # dates, choices, numbers and check boxes
}

# Models of the schema modules that no form or API body reads as such, and why that is fine.
NOT_READ_DIRECTLY = {
    "DomainEvent": "the base of the domain events (app/events/schemas.py), never a request's",
}


def _json(data: dict[str, str], *drop: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in drop}


async def _api_challenge(world: World, db: Database) -> Target:
    return Target("organiser", "/challenges", dict(CHALLENGE))


async def _api_update_challenge(world: World, db: Database) -> Target:
    return Target("organiser", f"/challenges/{_c(world)}", dict(CHALLENGE))


async def _api_phases(world: World, db: Database) -> Target:
    async with db.read() as session:
        rows = await challenge_queries.phases(session, _c(world))
    windows = [
        {"kind": p.kind, "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat()}
        for p in rows
    ]
    data = {"phases": windows, "reason": "Motivo ricompilato"}
    return Target("organiser", f"/challenges/{_c(world)}/phases", data)


async def _api_next_edition(world: World, db: Database) -> Target:
    data = {"title": "Edizione ricompilata"}
    return Target("organiser", f"/challenges/{_c(world)}/next-edition", data)


async def _api_update_track(world: World, db: Database) -> Target:
    data = {**_json(TRACK, "position"), "position": 7}
    return Target("organiser", f"/challenges/{_c(world)}/tracks/{world.track.id}", data)


async def _api_grant_role(world: World, db: Database) -> Target:
    data = {"email": _email(world, "other_member"), "kind": "judge"}
    return Target("organiser", f"/challenges/{_c(world)}/people", data)


async def _api_programme(world: World, db: Database) -> Target:
    data = {"name": "Programma ricompilato", "description": "Percorso ricompilato"}
    return Target("admin", "/programmes", data)


async def _api_track(world: World, db: Database) -> Target:
    data = {**_json(TRACK, "position"), "position": 7}
    return Target("organiser", f"/challenges/{_c(world)}/tracks", data)


async def _api_rubric(world: World, db: Database) -> Target:
    criterion = {"name": "Criterio ricompilato", "weight": 100, "guidance": "Guida ricompilata"}
    data = {"name": "Rubrica ricompilata", "scale_min": 1, "scale_max": 5, "criteria": [criterion]}
    return Target("organiser", f"/challenges/{_c(world)}/rubrics", data)


async def _api_judge(world: World, db: Database) -> Target:
    data = {"email": _email(world, "other_member")}
    return Target("organiser", f"/challenges/{_c(world)}/judges", data)


async def _api_round(world: World, db: Database) -> Target:
    data = {
        "name": "Turno ricompilato",
        "rubric_id": world.round.rubric_id,
        "judges_per_project": 1,
    }
    return Target("organiser", f"/challenges/{_c(world)}/rounds", data)


async def _api_scores(world: World, db: Database) -> Target:
    scores = {str(c): 3 for c in await _criteria(db, world)}
    data = {"scores": scores, "comment": "Commento ricompilato"}
    return Target("judge", f"/assignments/{world.assignment.id}/scores", data)


async def _api_conflict(world: World, db: Database) -> Target:
    data = {"kind": "team", "target_id": world.other_team.id, "reason": "Mio nipote"}
    return Target("judge", f"/challenges/{_c(world)}/conflicts", data)


async def _api_recuse(world: World, db: Database) -> Target:
    data = {"reason": "Ho insegnato in questa classe"}
    return Target("judge", f"/assignments/{world.assignment.id}/recuse", data)


async def _api_sponsor(world: World, db: Database) -> Target:
    return Target("organiser", f"/challenges/{_c(world)}/sponsors", dict(SPONSOR))


async def _api_company(world: World, db: Database) -> Target:
    return Target("sponsor", f"/companies/{world.sponsor.company_id}", dict(COMPANY))


async def _api_track_proposal(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/sponsors/{world.sponsor.id}/track"
    return Target("sponsor", path, dict(TRACK_PROPOSAL))


async def _api_representative(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/sponsors/{world.sponsor.id}/representatives"
    return Target("organiser", path, {"email": _email(world, "other_member")})


async def _api_adopt(world: World, db: Database) -> Target:
    data = {
        "mentoring_hours": 5,
        "materials": "Laboratorio ricompilato",
        "contact_person": "Referente ricompilato",
        "message": "Messaggio ricompilato",
    }
    return Target("sponsor", f"/projects/{await _other_project(db, world)}/adoptions", data)


async def _api_amend(world: World, db: Database) -> Target:
    data = {
        "mentoring_hours": 5,
        "materials": "Laboratorio",
        "contact_person": "Referente",
        "message": "Messaggio",
    }
    return Target("sponsor", f"/adoptions/{world.adoption.id}/amend", data)


async def _api_reply(world: World, db: Database) -> Target:
    return Target("coach", f"/adoptions/{world.adoption.id}/reply", {"message": "Risposta"})


async def _api_milestone(world: World, db: Database) -> Target:
    data = {**_milestone_data(), "hours": 0, "amount_eur": 0}
    return Target("coach", f"/adoptions/{await _accepted(db, world)}/milestones", data)


async def _api_close(world: World, db: Database) -> Target:
    data = {"outcome": "ended", "reason": "Motivo"}
    return Target("sponsor", f"/adoptions/{await _accepted(db, world)}/close", data)


async def _api_refuse(world: World, db: Database) -> Target:
    path = f"/adoptions/{await _awaiting_confirmation(db, world)}/refuse"
    return Target("organiser", path, {"reason": "Motivo ricompilato"})


async def _api_team(world: World, db: Database) -> Target:
    member = {"first_name": "Nome ricompilato", "last_name": "Cognome ricompilato"}
    data = {
        **_json(TEAM, "institution_id", "members-0-first_name", "members-0-last_name"),
        "track_id": world.track.id,
        "members": [member],
    }
    return Target("coach", f"/challenges/{_c(world)}/teams", data)


async def _api_project(world: World, db: Database) -> Target:
    path = f"/teams/{await _draft_team(db, world)}/project"
    return Target("coach", path, _json(PROJECT, "track_id"))


async def _api_invite(world: World, db: Database) -> Target:
    path = f"/challenges/{_c(world)}/invitations"
    return Target("organiser", path, {"kind": "judge", "emails": ["nuova@example.org"]})


async def _api_colleagues(world: World, db: Database) -> Target:
    path = f"/companies/{world.sponsor.company_id}/representatives/invitations"
    return Target("sponsor", path, {"emails": ["nuovo.collega@example.org"]})


async def _api_note(world: World, db: Database) -> Target:
    path = f"/sponsors/{world.sponsor.id}/projects/{world.project.id}/notes"
    return Target("sponsor", path, {"text": "Nota ricompilata"})


async def _api_revoke(world: World, db: Database) -> Target:
    path = f"/certificates/{world.certificate.id}/revoke"
    return Target("organiser", path, {"reason": "Nome sbagliato ricompilato"})


async def _api_vote(world: World, db: Database) -> Target:
    data = {"project_id": world.project.id, "email": "votante@example.org"}
    return Target("anonymous", f"/rounds/{world.vote_round.id}/votes", data)


async def _api_confirm_vote(world: World, db: Database) -> Target:
    return Target("anonymous", "/votes/confirm", {"token": await _pending_ballot(db, world)})


async def _api_void_votes(world: World, db: Database) -> Target:
    data = {"vote_ids": [await _flagged_ballots(db, world)], "reason": "Rete"}
    return Target("organiser", f"/rounds/{world.vote_round.id}/votes/void", data)


# By the endpoint's name (the operationId of the OpenAPI document).
API_BODIES: dict[str, Setup] = {
    "create_challenge": _api_challenge,
    "update_challenge": _api_update_challenge,
    "set_phases": _api_phases,
    "next_edition": _api_next_edition,
    "update_track": _api_update_track,
    "grant_role": _api_grant_role,
    "create_programme": _api_programme,
    "add_track": _api_track,
    "create_rubric": _api_rubric,
    "add_judge": _api_judge,
    "create_round": _api_round,
    "save_scores": _api_scores,
    "declare_conflict": _api_conflict,
    "recuse": _api_recuse,
    "add_sponsor": _api_sponsor,
    "add_representative": _api_representative,
    "update_company": _api_company,
    "propose_track": _api_track_proposal,
    "propose_adoption": _api_adopt,
    "refuse_adoption": _api_refuse,
    "amend_adoption": _api_amend,
    "reply_to_adoption": _api_reply,
    "add_milestone": _api_milestone,
    "close_adoption": _api_close,
    "register_team": _api_team,
    "save_project": _api_project,
    "revoke_certificate": _api_revoke,
    "invite": _api_invite,
    "invite_colleagues": _api_colleagues,
    "add_note": _api_note,
    "cast_vote": _api_vote,
    "confirm_vote": _api_confirm_vote,
    "void_votes": _api_void_votes,
}
