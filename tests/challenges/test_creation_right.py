"""Creating challenges and programmes is a right administrators grant; a programme's owner
alone decides its stages, so nobody can publish into somebody else's official programme."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from sqlalchemy import func, select
from starlette.applications import Starlette

from app.accounts.models import User
from app.challenges.models import Challenge, Programme
from app.config import ROOT
from app.db import Database
from app.events.models import AuditEntry
from app.pagecache import GENERATION_KEY
from app.web import services
from tests.factories import Actors, make_challenge, post_form


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def _programme(db: Database, owner: User, name: str = "Percorsi green") -> Programme:
    async with db.transaction() as session:
        programme = Programme(slug=name.lower().replace(" ", "-"), name=name, owner_id=owner.id)
        session.add(programme)
    return programme


async def test_an_account_without_the_right_creates_no_challenge(
    db: Database, actors: Actors
) -> None:
    anyone = await actors.user()
    async with await actors.client(anyone) as browser:
        form = await browser.get("/challenges/new")
        home = await browser.get("/")
    async with await actors.api(anyone) as api:
        created = await api.post("/api/v1/challenges", json={"title": "Climathon ufficiale"})

    assert (form.status_code, created.status_code) == (403, 403)
    assert "/challenges/new" not in home.text
    assert await _count(db, Challenge) == 0


async def test_an_admin_allows_someone_who_then_creates_challenges(
    db: Database, actors: Actors
) -> None:
    admin = await actors.user(is_admin=True)
    organiser = await actors.user(email="organizza@example.org")
    async with await actors.client(admin) as browser:
        allowed = await post_form(
            browser,
            "/admin/creators",
            {"email": "Organizza@example.org"},
            form_page="/admin/creators",
        )
        listing = await browser.get("/admin/creators")
    async with await actors.api(organiser) as api:
        created = await api.post("/api/v1/challenges", json={"title": "Climathon Mantova"})

    assert allowed.status_code == 303
    assert "organizza@example.org" in listing.text
    assert created.status_code == 201
    async with db.read() as session:
        actions = list((await session.execute(select(AuditEntry.action))).scalars())
    assert "user.creation_allowed" in actions


async def test_the_creators_page_is_for_administrators(actors: Actors) -> None:
    async with await actors.client(await actors.user(creator=True)) as browser:
        page = await browser.get("/admin/creators")

    assert page.status_code == 403


async def test_only_a_programmes_owner_attaches_stages(db: Database, actors: Actors) -> None:
    owner = await actors.user(creator=True)
    intruder = await actors.user(creator=True)
    programme = await _programme(db, owner)
    theirs = await make_challenge(db, organiser=intruder, title="Climathon ufficiale (falso)")
    page = f"/programmes/{programme.id}"
    async with await actors.client(intruder) as browser:
        attached = await post_form(
            browser,
            f"{page}/stages",
            {"challenge_id": str(theirs.id), "stage": "1"},
            form_page=page,
        )
    async with await actors.api(intruder) as api:
        created = await api.post(
            "/api/v1/challenges", json={"title": "Tappa abusiva", "programme_id": programme.id}
        )

    assert attached.status_code == 403
    assert (created.status_code, set(created.json()["error"]["fields"])) == (422, {"programme_id"})
    async with db.read() as session:
        stored = await session.get(Challenge, theirs.id)
    assert stored is not None and stored.programme_id is None


async def test_a_challenges_organisers_may_take_it_out_of_a_programme(
    db: Database, actors: Actors
) -> None:
    owner = await actors.user(creator=True)
    organiser = await actors.user()
    programme = await _programme(db, owner)
    challenge = await make_challenge(db, organiser=organiser)
    async with db.transaction() as session:
        stored = await session.get(Challenge, challenge.id)
        assert stored is not None
        stored.programme_id = programme.id
    page = f"/programmes/{programme.id}"
    async with await actors.client(organiser) as browser:
        removed = await post_form(browser, f"{page}/stages/{challenge.id}/remove", form_page=page)

    assert removed.status_code == 303
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.programme_id is None


async def test_madrina_allow_organiser_grants_and_takes_back_the_right(
    app: Starlette, actors: Actors
) -> None:
    person = await actors.user(email="ente@example.org")
    settings = services(app).settings
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin",
    }
    redis = services(app).redis
    assert redis is not None

    async def generation() -> int:
        return int(await redis.get(GENERATION_KEY) or 0)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    before = await generation()
    granted = await asyncio.to_thread(run, "allow-organiser", "ente@example.org")
    async with services(app).db.read() as session:
        after_grant = await session.get(User, person.id)
    between = await generation()
    taken = await asyncio.to_thread(run, "allow-organiser", "ente@example.org", "--revoke")
    async with services(app).db.read() as session:
        after_revoke = await session.get(User, person.id)
    unknown = await asyncio.to_thread(run, "allow-organiser", "nessuno@example.org")

    assert (granted.returncode, taken.returncode) == (0, 0), granted.stderr + taken.stderr
    assert after_grant is not None and after_grant.may_create_challenges
    assert after_revoke is not None and not after_revoke.may_create_challenges
    assert unknown.returncode == 1 and "refused" in unknown.stderr
    # Each change reached the web processes' page caches at once (app.pagecache).
    assert before < between < await generation()
