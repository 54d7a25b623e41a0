"""CSRF on write routes of every domain: without the right token, 403 and nothing written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from httpx import AsyncClient

from app.accounts.models import ApiToken, Role, User
from app.challenges.models import Challenge, Track
from app.db import Database
from app.events.models import AuditEntry, OutboxEvent
from app.middleware import CSRF_COOKIE
from app.sponsors.models import Adoption, Sponsor
from app.teams.models import Project, Team
from app.web import services
from tests.badinput.helpers import count
from tests.factories import Actors, csrf, make_challenge, make_project, make_sponsor, make_team


@dataclass
class Write:
    user: User
    path: str
    form_page: str
    data: dict[str, str]
    model: type
    status: int = 303  # what the write answers when it is accepted


async def _token(db: Database, actors: Actors) -> Write:
    user = await actors.user()
    # A new API token is shown once, on the page itself: 201, not a redirect.
    return Write(user, "/account/tokens", "/account", {"name": "laptop"}, ApiToken, status=201)


async def _challenge(db: Database, actors: Actors) -> Write:
    admin = await actors.user(is_admin=True)
    data = {"title": "Climathon", "timezone": "Europe/Rome"}
    return Write(admin, "/challenges/new", "/challenges/new", data, Challenge)


async def _track(db: Database, actors: Actors) -> Write:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    path = f"/challenges/{challenge.id}/tracks"
    return Write(organiser, path, path, {"name": "Acqua", "position": "0"}, Track)


async def _team(db: Database, actors: Actors) -> Write:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    path = f"/challenges/{challenge.id}/teams/new"
    data = {
        "name": "4B",
        "institution_name": "ITIS",
        "members-0-first_name": "Giulia",
        "members-0-last_name": "Bianchi",
    }
    return Write(coach, path, path, data, Team)


async def _project(db: Database, actors: Actors) -> Write:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=())
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/project"
    return Write(coach, path, path, {"title": "Sensori"}, Project)


async def _sponsor(db: Database, actors: Actors) -> Write:
    organiser = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    path = f"/challenges/{challenge.id}/sponsors"
    return Write(organiser, path, path, {"name": "Acme S.p.A."}, Sponsor)


async def _adoption(db: Database, actors: Actors) -> Write:
    rep = await actors.user()
    challenge = await make_challenge(db)
    team = await make_team(db, challenge, coach=await actors.user())
    project = await make_project(db, team)
    sponsor = await make_sponsor(db, challenge, representative=rep)
    path = f"/projects/{project.id}/adopt"
    data = {"sponsor_id": str(sponsor.id), "mentoring_hours": "5", "message": "Ciao"}
    return Write(rep, path, path, data, Adoption)


async def _judge(db: Database, actors: Actors) -> Write:
    organiser = await actors.user()
    judge = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    path = f"/challenges/{challenge.id}/judging/judges"
    return Write(
        organiser, path, f"/challenges/{challenge.id}/judging", {"email": judge.email}, Role
    )


WRITES: dict[str, Callable[[Database, Actors], Awaitable[Write]]] = {
    "accounts_token": _token,
    "challenges_new": _challenge,
    "challenges_track": _track,
    "teams_register": _team,
    "teams_project": _project,
    "sponsors_create": _sponsor,
    "sponsors_adopt": _adoption,
    "judging_add_judge": _judge,
}


async def _tables(db: Database, model: type) -> tuple[int, int, int]:
    return await count(db, model), await count(db, AuditEntry), await count(db, OutboxEvent)


async def _attack(http: AsyncClient, actors: Actors, write: Write, attack: str) -> int:
    token = await csrf(http, write.form_page)
    if attack == "missing":
        data = write.data
    elif attack == "another_browser":
        async with actors.anonymous() as other:
            data = {**write.data, "csrf_token": await csrf(other, "/login")}
    elif attack == "cookie_as_token":
        data = {**write.data, "csrf_token": http.cookies[CSRF_COOKIE]}
    elif attack == "token_on_another_cookie":
        # The right token for this browser, arriving with a cookie planted by someone else.
        async with actors.anonymous() as other:
            await other.get("/login")
            planted = other.cookies[CSRF_COOKIE]
        # Replace, not add: two cookies of one name would make the test depend on their order.
        http.cookies.delete(CSRF_COOKIE)
        http.cookies.set(CSRF_COOKIE, planted, domain="testserver.local")
        assert list(http.cookies.jar) and http.cookies[CSRF_COOKIE] == planted
        data = {**write.data, "csrf_token": token}
    elif attack == "no_cookie":
        http.cookies.delete(CSRF_COOKIE)
        data = {**write.data, "csrf_token": token}
    else:
        data = {**write.data, "csrf_token": token}
    response = await http.post(write.path, data=data)
    return response.status_code


@pytest.mark.parametrize("route", sorted(WRITES))
async def test_write_with_the_right_token_works(db: Database, actors: Actors, route: str) -> None:
    # The control: the same request with its own token is accepted, so the 403s below are CSRF.
    write = await WRITES[route](db, actors)
    before = await count(db, write.model)
    async with await actors.client(write.user) as http:
        status = await _attack(http, actors, write, "none")

    assert status == write.status
    assert await count(db, write.model) == before + 1


@pytest.mark.parametrize(
    "attack",
    ["missing", "another_browser", "cookie_as_token", "token_on_another_cookie", "no_cookie"],
)
@pytest.mark.parametrize("route", sorted(WRITES))
async def test_write_without_the_right_token_is_403_and_writes_nothing(
    db: Database, actors: Actors, route: str, attack: str
) -> None:
    write = await WRITES[route](db, actors)
    async with await actors.client(write.user) as http:
        before = await _tables(db, write.model)
        status = await _attack(http, actors, write, attack)

    assert status == 403
    assert await _tables(db, write.model) == before


async def test_csrf_failure_on_an_upload_stores_no_file(db: Database, actors: Actors) -> None:
    from tests.badinput.helpers import PDF, coach_with_draft, stored_files

    coach, project = await coach_with_draft(db, actors)
    storage = services(actors.app).storage
    async with await actors.client(coach) as http:
        await http.get(f"/projects/{project.id}")
        response = await http.post(
            f"/projects/{project.id}/files",
            data={"csrf_token": "x" * 64},
            files={"file": ("idea.pdf", PDF, "application/pdf")},
        )

    assert response.status_code == 403
    assert stored_files(storage) == []
