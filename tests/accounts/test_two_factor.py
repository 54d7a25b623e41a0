"""Two-factor login (TOTP) for organisers and admins: enrolling, logging in, recovery codes."""

from __future__ import annotations

import re

import pyotp
from httpx import AsyncClient
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import RecoveryCode, User
from app.db import Database
from tests.factories import PASSWORD, Actors, csrf, make_challenge, post_form

_SECRET = re.compile(r"<code>([A-Z2-7]{32})</code>")
_CODE = re.compile(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>")


async def _enrol(actors: Actors, user: User) -> tuple[str, list[str]]:
    """Turn two-factor on through the pages; the secret and the recovery codes."""
    async with await actors.client(user) as http:
        page = await http.get("/account/two-factor")
        assert page.status_code == 200 and 'src="data:image/svg+xml' in page.text
        (secret,) = _SECRET.findall(page.text)
        wrong = await post_form(
            http, "/account/two-factor", {"code": "000000"}, form_page="/account/two-factor"
        )
        assert wrong.status_code == 422
        right = await post_form(
            http,
            "/account/two-factor",
            {"code": pyotp.TOTP(secret).now()},
            form_page="/account/two-factor",
        )
    assert right.status_code == 200
    return secret, _CODE.findall(right.text)


async def _password_step(http: AsyncClient, email: str, password: str) -> str:
    response = await post_form(http, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text[:300]
    assert response.headers["location"].startswith("/login/code")
    return str(response.headers["location"])


async def _code_step(http: AsyncClient, location: str, code: str) -> int:
    response = await post_form(http, location, {"code": code}, form_page="/login/code")
    return response.status_code


async def _forget_last_code(db: Database, user: User) -> None:
    """The enrolment used this time step's code; a test logging in at once needs it again."""
    async with db.transaction() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        stored.totp_last_step -= 2


async def _organiser(actors: Actors, db: Database) -> User:
    user = await actors.user(email="olga@example.org")
    await make_challenge(db, organiser=user)
    return user


async def test_only_organisers_and_admins_are_offered_two_factor(
    app: Starlette, db: Database, actors: Actors
) -> None:
    teacher = await actors.user()
    async with await actors.client(teacher) as http:
        assert (await http.get("/account/two-factor")).status_code == 403


async def test_enrolling_shows_ten_recovery_codes_once_and_keeps_only_their_hashes(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await _organiser(actors, db)

    secret, codes = await _enrol(actors, organiser)

    assert len(codes) == 10 and len(set(codes)) == 10
    async with db.read() as session:
        stored = await session.get(User, organiser.id)
        hashes = (await session.execute(select(RecoveryCode.code_hash))).scalars().all()
    assert stored is not None and stored.totp_secret == secret
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    async with await actors.client(organiser) as http:
        page = (await http.get("/account/two-factor")).text
    assert not _CODE.findall(page)  # never shown again


async def test_login_asks_for_the_code_whether_the_password_was_right_or_not(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await _organiser(actors, db)
    secret, _codes = await _enrol(actors, organiser)
    await _forget_last_code(db, organiser)
    totp = pyotp.TOTP(secret)

    async with actors.anonymous() as http:
        wrong_password = await _password_step(http, organiser.email, "not the password")
        # Same step, same page: the password's verdict comes only with the code's.
        refused = await _code_step(http, wrong_password, totp.now())
    async with actors.anonymous() as http:
        right_password = await _password_step(http, organiser.email, PASSWORD)
        wrong_code = await _code_step(http, right_password, "123456")
        replay = await _code_step(http, right_password, totp.now())  # ticket used up
    async with actors.anonymous() as http:
        location = await _password_step(http, organiser.email, PASSWORD)
        response = await post_form(http, location, {"code": totp.now()}, form_page="/login/code")

    assert wrong_password == right_password
    assert (refused, wrong_code, replay) == (400, 400, 400)
    assert response.status_code == 303 and SESSION_COOKIE in response.cookies


async def test_a_code_and_a_recovery_code_work_once(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await _organiser(actors, db)
    secret, codes = await _enrol(actors, organiser)
    await _forget_last_code(db, organiser)
    code = pyotp.TOTP(secret).now()

    results = []
    for used in (code, code, codes[0], codes[0].upper().replace("-", " "), codes[1]):
        async with actors.anonymous() as http:
            location = await _password_step(http, organiser.email, PASSWORD)
            results.append(await _code_step(http, location, used))

    assert results == [303, 400, 303, 400, 303]
    async with db.read() as session:
        used_codes = await session.execute(
            select(RecoveryCode.id).where(col(RecoveryCode.used_at).is_not(None))
        )
    assert len(used_codes.all()) == 2


async def test_turning_two_factor_off_needs_the_password_and_a_code(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await _organiser(actors, db)
    _secret, codes = await _enrol(actors, organiser)

    async with await actors.client(organiser) as http:
        token = await csrf(http, "/account/two-factor")
        no_password = await http.post(
            "/account/two-factor/disable",
            data={"csrf_token": token, "password": "wrong", "code": codes[0]},
        )
        off = await http.post(
            "/account/two-factor/disable",
            data={"csrf_token": token, "password": PASSWORD, "code": codes[0]},
        )
    async with actors.anonymous() as http:
        plain = await post_form(http, "/login", {"email": organiser.email, "password": PASSWORD})

    assert no_password.status_code == 400
    assert off.status_code == 303
    assert plain.status_code == 303 and plain.headers["location"] == "/"
    async with db.read() as session:
        assert (await session.execute(select(RecoveryCode))).all() == []
