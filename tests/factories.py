"""Plain factory functions and helpers over the real app: no mocks."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import count
from typing import Any

from httpx import ASGITransport, AsyncClient, Response
from starlette.applications import Starlette

from app.accounts import queries as accounts_queries
from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import RoleKind, User
from app.accounts.passwords import hash_password
from app.challenges.models import Challenge, Institution, Phase, PhaseKind, Track
from app.db import Database, utcnow
from app.judging.models import Assignment, Criterion, Round, RoundKind, RoundStatus, Rubric
from app.sponsors import company_queries
from app.sponsors.models import Company, CompanyRepresentative, Sponsor, SponsorRepresentative
from app.teams.models import Project, ProjectStatus, Team, TeamMember
from app.web import services
from workers.main import build_worker

PASSWORD = "correct horse battery"
_seq = count(1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


_hash_cache: list[str] = []


async def _password_hash() -> str:
    if not _hash_cache:
        _hash_cache.append(await hash_password(PASSWORD))
    return _hash_cache[0]


class Actors:
    """Makes people and clients logged in as them, through the real services."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.db: Database = services(app).db

    async def user(
        self,
        name: str | None = None,
        *,
        email: str | None = None,
        is_admin: bool = False,
        creator: bool = False,
        verified: bool = True,
    ) -> User:
        """A person who logs in with PASSWORD (hashed once per run: argon2 is slow on purpose),
        whose address is confirmed unless `verified=False`."""
        n = next(_seq)
        password_hash = await _password_hash()
        async with self.db.transaction() as session:
            user = User(
                name=name or f"Person {n}",
                email=accounts_queries.normalise_email(email or f"person{n}@example.org"),
                password_hash=password_hash,
                is_admin=is_admin,
                may_create_challenges=creator,
                email_verified_at=utcnow() if verified else None,
            )
            session.add(user)
        return user

    async def grant(self, user: User, challenge_id: int, kind: RoleKind) -> None:
        assert user.id is not None
        async with self.db.transaction() as session:
            await accounts_service.grant_role(
                session, user_id=user.id, challenge_id=challenge_id, kind=kind, actor_id=None
            )

    def anonymous(self) -> AsyncClient:
        return AsyncClient(transport=ASGITransport(app=self.app), base_url="http://testserver")

    async def client(self, user: User) -> AsyncClient:
        """A browser logged in as the user (a real server-side session)."""
        async with self.db.transaction() as session:
            token = await accounts_service.start_session(session, user=user, days=1)
        http = self.anonymous()
        http.cookies.set(SESSION_COOKIE, token)
        return http

    async def api(self, user: User) -> AsyncClient:
        """An API client with a bearer token of the user's."""
        async with self.db.transaction() as session:
            _token, secret = await accounts_service.create_api_token(session, user=user, name="t")
        http = self.anonymous()
        http.headers["authorization"] = f"Bearer {secret}"
        return http


async def csrf(http: AsyncClient, path: str = "/login") -> str:
    """The CSRF token the browser would find in a form on `path`."""
    page = await http.get(path)
    return csrf_from(page.text)


async def post_form(
    http: AsyncClient,
    path: str,
    data: dict[str, Any] | None = None,
    *,
    files: dict[str, Any] | None = None,
    form_page: str = "/login",
) -> Response:
    """Submit a form as a browser does: with the CSRF token from a page."""
    payload = {"csrf_token": await csrf(http, form_page), **(data or {})}
    return await http.post(path, data=payload, files=files)


async def run_jobs(app: Starlette) -> None:
    """Run a real arq worker over the queue until it is empty."""
    settings = app.state.settings
    worker = build_worker(
        settings, settings.redis_url, burst=True, poll_delay=0.05, handle_signals=False
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


# --- Domain rows, inserted directly (fast; services are tested in their own tests) ---


async def make_challenge(
    db: Database,
    *,
    organiser: User | None = None,
    title: str | None = None,
    tracks: tuple[str, ...] = ("Acqua", "Spreco alimentare", "Mobilità"),
    open_phases: tuple[PhaseKind, ...] = tuple(PhaseKind),
    published: bool = True,
) -> Challenge:
    """A challenge whose listed phases are open now (the others ended yesterday)."""
    n = next(_seq)
    now = utcnow()
    async with db.transaction() as session:
        challenge = Challenge(
            slug=f"challenge-{n}",
            title=title or f"Climathon {n}",
            summary="Idee per il clima",
            is_published=published,
        )
        session.add(challenge)
        await session.flush()
        assert challenge.id is not None
        for position, name in enumerate(tracks):
            session.add(Track(challenge_id=challenge.id, name=name, position=position))
        for kind in PhaseKind:
            is_open = kind in open_phases
            session.add(
                Phase(
                    challenge_id=challenge.id,
                    kind=kind,
                    starts_at=now - timedelta(days=2),
                    ends_at=now + timedelta(days=2) if is_open else now - timedelta(days=1),
                )
            )
        if organiser is not None:
            assert organiser.id is not None
            await accounts_service.grant_role(
                session,
                user_id=organiser.id,
                challenge_id=challenge.id,
                kind=RoleKind.ORGANISER,
                actor_id=None,
            )
    return challenge


async def unpublish(db: Database, challenge: Challenge, *, published: bool = False) -> None:
    """Take a challenge back to draft: then it exists only for its organisers."""
    async with db.transaction() as session:
        stored = await session.get(Challenge, challenge.id)
        assert stored is not None
        stored.is_published = published


async def publish(db: Database, challenge: Challenge) -> None:
    await unpublish(db, challenge, published=True)


async def make_team(
    db: Database,
    challenge: Challenge,
    *,
    coach: User,
    name: str | None = None,
    members: tuple[tuple[str, str], ...] = (("Giulia", "Bianchi"), ("Luca", "Verdi")),
) -> Team:
    n = next(_seq)
    assert challenge.id is not None and coach.id is not None
    async with db.transaction() as session:
        institution = Institution(name=f"ITIS Fermi {n}", city="Mantova")
        session.add(institution)
        await session.flush()
        team = Team(
            challenge_id=challenge.id,
            name=name or f"4B Aqua {n}",
            coach_id=coach.id,
            institution_id=institution.id,
            class_name="4B",
        )
        session.add(team)
        await session.flush()
        assert team.id is not None
        for first, last in members:
            session.add(
                TeamMember(team_id=team.id, first_name=first, last_name=last, consent_at=utcnow())
            )
        await accounts_service.grant_role(
            session, user_id=coach.id, challenge_id=challenge.id, kind=RoleKind.COACH, actor_id=None
        )
    return team


async def make_project(
    db: Database, team: Team, *, title: str | None = None, submitted: bool = True
) -> Project:
    assert team.id is not None
    async with db.transaction() as session:
        project = Project(
            team_id=team.id,
            challenge_id=team.challenge_id,
            track_id=team.track_id,
            title=title or f"Sensori per l'acqua piovana {next(_seq)}",
            summary="Raccogliere l'acqua piovana negli orti scolastici",
            status=ProjectStatus.SUBMITTED if submitted else ProjectStatus.DRAFT,
            submitted_at=utcnow() if submitted else None,
        )
        session.add(project)
    return project


async def make_sponsor(
    db: Database, challenge: Challenge, *, representative: User, name: str | None = None
) -> Sponsor:
    assert challenge.id is not None and representative.id is not None
    name = name or f"Acme {next(_seq)} S.p.A."
    async with db.transaction() as session:
        # One organisation per name: the same name in two challenges is one company.
        company = await company_queries.company_named(session, name)
        if company is None:
            company = Company(name=name)
            session.add(company)
            await session.flush()
        assert company.id is not None
        sponsor = Sponsor(challenge_id=challenge.id, company_id=company.id, name=company.name)
        session.add(sponsor)
        await session.flush()
        assert sponsor.id is not None
        if not await company_queries.represents_company(
            session, user_id=representative.id, company_id=company.id
        ):
            session.add(CompanyRepresentative(company_id=company.id, user_id=representative.id))
        session.add(SponsorRepresentative(sponsor_id=sponsor.id, user_id=representative.id))
        await accounts_service.grant_role(
            session,
            user_id=representative.id,
            challenge_id=challenge.id,
            kind=RoleKind.SPONSOR,
            actor_id=None,
        )
    return sponsor


async def make_round(
    db: Database,
    challenge: Challenge,
    *,
    judges: list[User],
    projects: list[Project],
    weights: tuple[tuple[str, int], ...] = (
        ("Innovazione", 30),
        ("Fattibilità", 30),
        ("Impatto", 40),
    ),
    status: RoundStatus = RoundStatus.OPEN,
) -> Round:
    """An open rubric round where every judge is assigned every project."""
    assert challenge.id is not None
    async with db.transaction() as session:
        rubric = Rubric(challenge_id=challenge.id, name="Rubrica")
        session.add(rubric)
        await session.flush()
        assert rubric.id is not None
        for position, (name, weight) in enumerate(weights):
            session.add(Criterion(rubric_id=rubric.id, name=name, weight=weight, position=position))
        judging_round = Round(
            challenge_id=challenge.id,
            rubric_id=rubric.id,
            name="Finale",
            status=status,
            opened_at=utcnow(),
        )
        session.add(judging_round)
        await session.flush()
        assert judging_round.id is not None
        for judge in judges:
            assert judge.id is not None
            await accounts_service.grant_role(
                session,
                user_id=judge.id,
                challenge_id=challenge.id,
                kind=RoleKind.JUDGE,
                actor_id=None,
            )
            for project in projects:
                assert project.id is not None
                session.add(
                    Assignment(round_id=judging_round.id, judge_id=judge.id, project_id=project.id)
                )
    return judging_round


async def make_pairwise_round(
    db: Database,
    challenge: Challenge,
    *,
    judges: list[User],
    status: RoundStatus = RoundStatus.OPEN,
    name: str = "Finale all'expo",
) -> Round:
    """A pairwise (expo) round; the judges get the judge role in the challenge."""
    assert challenge.id is not None
    async with db.transaction() as session:
        judging_round = Round(
            challenge_id=challenge.id,
            kind=RoundKind.PAIRWISE,
            name=name,
            status=status,
            opened_at=utcnow() if status != RoundStatus.DRAFT else None,
        )
        session.add(judging_round)
        for judge in judges:
            assert judge.id is not None
            await accounts_service.grant_role(
                session,
                user_id=judge.id,
                challenge_id=challenge.id,
                kind=RoleKind.JUDGE,
                actor_id=None,
            )
    return judging_round
