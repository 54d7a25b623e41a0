"""One small world for the security suites: two challenges and everyone around them.

Challenge A is the one every route is tried against; challenge B only gives the
"organiser of another challenge" a place to be organiser of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from httpx import AsyncClient
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts import service as accounts_service
from app.accounts.models import Role, RoleKind, User, UserSession
from app.certificates.models import Certificate, CertificateKind, CertificateStatus
from app.challenges.models import Challenge, Programme, Track
from app.db import Database, utcnow
from app.invitations import service as invitations_service
from app.invitations.models import Invitation
from app.judging.models import Assignment, Round
from app.sponsors.models import (
    Adoption,
    AdoptionMilestone,
    MilestoneKind,
    Side,
    Sponsor,
    SponsorNote,
)
from app.storage import LocalStorage
from app.teams.models import Project, ProjectFile, Team, TeamMember
from app.web import services
from tests.factories import (
    Actors,
    csrf,
    make_challenge,
    make_pairwise_round,
    make_project,
    make_round,
    make_sponsor,
    make_team,
)
from tests.judging.voting_world import make_vote_round

ROLES = (
    "anonymous",
    "member",
    "other_member",
    "coach",
    "judge",
    "sponsor",
    "organiser",
    "other_organiser",
    "admin",
)
CERTIFICATE_CODE = "ABCD2345EFGH"


@dataclass
class World:
    challenge: Challenge
    other_challenge: Challenge
    programme: Programme
    track: Track
    team: Team
    other_team: Team
    project: Project
    file: ProjectFile
    sponsor: Sponsor
    adoption: Adoption
    milestone: AdoptionMilestone
    note: SponsorNote
    round: Round
    pairwise_round: Round
    vote_round: Round  # an open public vote (the people's choice)
    assignment: Assignment
    certificate: Certificate
    spare_role: Role
    invitation: Invitation
    colleague_invitation: Invitation  # a representative's, to the company
    spare_session_id: int
    spare_token_id: int
    users: dict[str, User | None]
    pages: dict[str, AsyncClient] = field(default_factory=dict)
    api: dict[str, AsyncClient] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def judge_id(self) -> int:
        judge = self.users["judge"]
        assert judge is not None and judge.id is not None
        return judge.id

    def params(self) -> dict[str, str]:
        """The value of every path parameter any route takes, all inside challenge A."""
        assert self.challenge.id is not None
        return {
            "id": "",  # depends on the route: see value_of
            "challenge_id": str(self.challenge.id),
            "track_id": str(self.track.id),
            "role_id": str(self.spare_role.id),
            "file_id": str(self.file.id),
            "sponsor_id": str(self.sponsor.id),
            "milestone_id": str(self.milestone.id),
            "project_id": str(self.project.id),
            "note_id": str(self.note.id),
            "certificate_id": str(self.certificate.id),
            "judge_id": str(self.judge_id),
            "invitation_id": str(self.invitation.id),
            "name": "members.csv",
            "format": "csv",  # a programme's adoptions as a file
            "code": CERTIFICATE_CODE,
            "token": "not-a-token",  # an e-mailed link's (password reset)
        }

    async def close(self) -> None:
        for http in (*self.pages.values(), *self.api.values()):
            await http.aclose()


async def build_world(app: Starlette) -> World:
    """Every object a route can be about, plus a logged-in page and API client per role."""
    db: Database = services(app).db
    storage: LocalStorage = services(app).storage
    actors = Actors(app)
    member = await actors.user("Giulia Bianchi")
    other_member = await actors.user("Marco Neri")
    coach = await actors.user("Elena Marchetti")
    other_coach = await actors.user("Paolo Rossi")
    judge = await actors.user("Andrea Lodi")
    representative = await actors.user("Roberta Galli")
    organiser = await actors.user("Olga Organizzatrice", creator=True)
    other_organiser = await actors.user("Oscar Altrove", creator=True)
    admin = await actors.user("Ada Admin", is_admin=True)
    bystander = await actors.user("Mario Mentore")

    challenge = await make_challenge(db, organiser=organiser, title="Climathon Mantova")
    other_challenge = await make_challenge(db, organiser=other_organiser, title="Climathon Lecco")
    team = await make_team(db, challenge, coach=coach, name="4B Aqua")
    other_team = await make_team(db, challenge, coach=other_coach, name="5A Cibo")
    project = await make_project(db, team)
    other_project = await make_project(db, other_team)
    sponsor = await make_sponsor(db, challenge, representative=representative)
    judging_round = await make_round(db, challenge, judges=[judge], projects=[project])
    pairwise_round = await make_pairwise_round(db, challenge, judges=[judge])
    vote_round = await make_vote_round(db, challenge)
    stored = storage.save(b"%PDF-1.4 a project file")
    pdf = storage.save(b"%PDF-1.4 a certificate")
    assert challenge.id is not None and project.id is not None and sponsor.id is not None
    async with db.transaction() as session:
        for user, which in ((member, team), (other_member, other_team)):
            row = (
                await session.execute(
                    select(TeamMember).where(col(TeamMember.team_id) == which.id).limit(1)
                )
            ).scalar_one()
            row.user_id = user.id
            session.add(row)
            await accounts_service.grant_role(
                session,
                user_id=user.id or 0,
                challenge_id=challenge.id,
                kind=RoleKind.PARTICIPANT,
                actor_id=None,
            )
        spare_role = await accounts_service.grant_role(
            session,
            user_id=bystander.id or 0,
            challenge_id=challenge.id,
            kind=RoleKind.MENTOR,
            actor_id=None,
        )
        track = (
            (await session.execute(select(Track).where(col(Track.challenge_id) == challenge.id)))
            .scalars()
            .first()
        )
        assert track is not None
        programme = Programme(slug="lto-mantova", name="LTO Mantova", owner_id=organiser.id)
        session.add(programme)
        await session.flush()
        for stage, linked in enumerate((challenge, other_challenge), start=1):
            linked.programme_id = programme.id
            linked.stage = stage
            session.add(linked)
        project_file = ProjectFile(
            project_id=project.id,
            storage_key=stored.key,
            display_name="idea.pdf",
            content_type="application/pdf",
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by=coach.id or 0,
        )
        adoption = Adoption(
            challenge_id=challenge.id,
            sponsor_id=sponsor.id,
            project_id=project.id,
            mentoring_hours=10,
            proposed_by=representative.id or 0,
        )
        certificate = Certificate(
            code=CERTIFICATE_CODE,
            challenge_id=challenge.id,
            kind=CertificateKind.PARTICIPATION,
            recipient_key=f"user:{member.id}",
            recipient_name=member.name,
            subject=project.title,
            project_id=project.id,
            status=CertificateStatus.ISSUED,
            storage_key=pdf.key,
            sha256=pdf.sha256,
            issued_at=utcnow(),
        )
        session.add_all([project_file, adoption, certificate])
        await session.flush()
        assert adoption.id is not None
        milestone = AdoptionMilestone(
            adoption_id=adoption.id,
            kind=MilestoneKind.KICKOFF,
            happened_on=utcnow().date(),
            proposed_side=Side.SPONSOR,
            proposed_by=representative.id or 0,
            file_key=stored.key,  # its file: who may download it is in the matrix
            file_name="verbale.pdf",
            file_type="application/pdf",
            file_size=stored.size,
            file_sha256=stored.sha256,
        )
        # The company's private note on the project (its shortlist's routes).
        note = SponsorNote(
            sponsor_id=sponsor.id,
            project_id=project.id,
            text="Da sentire",
            written_by=representative.id or 0,
        )
        session.add_all([milestone, note])
        await session.flush()
        assignment = (
            await session.execute(
                select(Assignment).where(col(Assignment.round_id) == judging_round.id)
            )
        ).scalar_one()
        spare_token, _secret = await accounts_service.create_api_token(
            session, user=member, name="spare"
        )
        await session.flush()
    async with db.transaction() as session:
        await accounts_service.start_session(session, user=member, days=1)
        spare_session = (
            await session.execute(select(UserSession).where(col(UserSession.user_id) == member.id))
        ).scalar_one()
    assert spare_session.id is not None and spare_token.id is not None
    async with db.transaction() as session:
        report = await invitations_service.invite(
            session,
            user=organiser,
            challenge_id=challenge.id,
            kind=RoleKind.JUDGE,
            sponsor_id=None,
            lines=[(1, "invitata@example.org")],
        )
    (invitation,) = report.invited
    assert sponsor.company_id is not None
    async with db.transaction() as session:
        report = await invitations_service.invite_colleagues(
            session,
            user=representative,
            company_id=sponsor.company_id,
            lines=[(1, "collega@example.org")],
        )
    (colleague_invitation,) = report.invited
    del other_project
    users: dict[str, User | None] = {
        "anonymous": None,
        "member": member,
        "other_member": other_member,
        "coach": coach,
        "judge": judge,
        "sponsor": representative,
        "organiser": organiser,
        "other_organiser": other_organiser,
        "admin": admin,
    }
    world = World(
        challenge=challenge,
        other_challenge=other_challenge,
        programme=programme,
        track=track,
        team=team,
        other_team=other_team,
        project=project,
        file=project_file,
        sponsor=sponsor,
        adoption=adoption,
        milestone=milestone,
        note=note,
        round=judging_round,
        pairwise_round=pairwise_round,
        vote_round=vote_round,
        assignment=assignment,
        certificate=certificate,
        spare_role=spare_role,
        invitation=invitation,
        colleague_invitation=colleague_invitation,
        spare_session_id=spare_session.id,
        spare_token_id=spare_token.id,
        users=users,
    )
    for role, user in users.items():
        if user is None:
            world.pages[role] = actors.anonymous()
            world.api[role] = actors.anonymous()
            world.tokens[role] = await csrf(world.pages[role], "/login")
        else:
            world.pages[role] = await actors.client(user)
            world.api[role] = await actors.api(user)
            world.tokens[role] = await csrf(world.pages[role], "/challenges")
    return world
