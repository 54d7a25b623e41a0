from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import User, UserSession
from app.db import Database
from app.events.models import AuditEntry
from tests.factories import PASSWORD, Actors, csrf, post_form


async def test_register_creates_an_unconfirmed_account_and_asks_to_check_the_mail(
    client: AsyncClient, db: Database
) -> None:
    response = await post_form(
        client,
        "/register",
        {"name": "Anna Rossi", "email": "Anna@Example.org", "password": "long enough pw"},
    )

    assert response.status_code == 200
    assert "anna@example.org" in response.text
    assert SESSION_COOKIE not in response.cookies  # logging in comes with the link
    async with db.read() as session:
        user = (await session.execute(select(User))).scalar_one()
    assert user.email == "anna@example.org"
    assert user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")


async def test_register_with_bad_input_reshows_form_and_writes_nothing(
    client: AsyncClient, db: Database
) -> None:
    response = await post_form(
        client, "/register", {"name": "Anna <b>", "email": "not-an-email", "password": "short"}
    )

    assert response.status_code == 422
    assert 'value="Anna &lt;b&gt;"' in response.text
    assert "e-email" in response.text and "e-password" in response.text
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar() == 0


async def test_register_with_a_taken_email_creates_nothing_and_answers_as_for_a_new_one(
    client: AsyncClient, actors: Actors, db: Database
) -> None:
    await actors.user(email="taken@example.org")

    response = await post_form(
        client,
        "/register",
        {"name": "X", "email": "TAKEN@example.org", "password": "long enough pw"},
    )

    assert response.status_code == 200
    assert "taken@example.org" in response.text
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar() == 1


async def test_post_without_csrf_token_is_refused(client: AsyncClient, actors: Actors) -> None:
    await actors.user(email="a@example.org")
    await client.get("/login")

    response = await client.post("/login", data={"email": "a@example.org", "password": PASSWORD})

    assert response.status_code == 403
    assert SESSION_COOKIE not in response.cookies


async def test_csrf_token_of_another_browser_is_refused(actors: Actors) -> None:
    await actors.user(email="a@example.org")
    async with actors.anonymous() as other, actors.anonymous() as mine:
        foreign = await csrf(other)
        await mine.get("/login")
        response = await mine.post(
            "/login", data={"csrf_token": foreign, "email": "a@example.org", "password": PASSWORD}
        )

    assert response.status_code == 403


async def test_login_rotates_session_and_logout_revokes_it(
    client: AsyncClient, actors: Actors, db: Database
) -> None:
    await actors.user(email="a@example.org")
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")

    response = await post_form(client, "/login", {"email": "a@example.org", "password": PASSWORD})

    assert response.status_code == 303
    token = response.cookies[SESSION_COOKIE]
    assert token != "planted-by-an-attacker"
    client.cookies.set(SESSION_COOKIE, token)
    assert (await client.get("/account")).status_code == 200
    await post_form(client, "/logout", form_page="/account")
    async with db.read() as session:
        revoked = (await session.execute(select(UserSession.revoked_at))).scalar_one()
        actions = (await session.execute(select(AuditEntry.action))).scalars().all()
    assert revoked is not None
    assert (await client.get("/account")).status_code == 303
    assert sorted(actions) == ["session.ended", "user.logged_in"]


async def test_wrong_password_is_400_and_repeated_failures_are_429(
    client: AsyncClient, actors: Actors
) -> None:
    await actors.user(email="a@example.org")

    statuses = [
        (
            await post_form(client, "/login", {"email": "a@example.org", "password": "wrong pw"})
        ).status_code
        for _ in range(11)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


async def test_login_next_does_not_redirect_off_site(client: AsyncClient, actors: Actors) -> None:
    await actors.user(email="a@example.org")
    token = await csrf(client)

    response = await client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "email": "a@example.org", "password": PASSWORD},
    )

    assert response.headers["location"] == "/"


async def test_api_token_authenticates_and_revocation_stops_it(actors: Actors) -> None:
    user = await actors.user(name="Token Owner")
    async with await actors.api(user) as api:
        me = await api.get("/api/v1/me")
        assert me.status_code == 200
        assert me.json()["name"] == "Token Owner"
    async with actors.anonymous() as anonymous:
        assert (await anonymous.get("/api/v1/me")).status_code == 401


async def test_account_page_requires_login(client: AsyncClient) -> None:
    response = await client.get("/account")

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/account")
