"""Changing the password, and resetting it by e-mail."""

from __future__ import annotations

import asyncio
import time

from httpx import AsyncClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts import tokens
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import ApiToken, User, UserSession
from app.db import Database
from tests.accounts.conftest import links, mail_to, path_of
from tests.certificates.smtp import SmtpSink
from tests.factories import PASSWORD, Actors, csrf, post_form


async def _live_sessions(db: Database, user: User) -> int:
    async with db.read() as session:
        found = await session.execute(
            select(UserSession.id).where(
                col(UserSession.user_id) == user.id, col(UserSession.revoked_at).is_(None)
            )
        )
        return len(found.all())


async def _live_tokens(db: Database, user: User) -> int:
    async with db.read() as session:
        found = await session.execute(
            select(ApiToken.id).where(
                col(ApiToken.user_id) == user.id, col(ApiToken.revoked_at).is_(None)
            )
        )
        return len(found.all())


async def _log_in(http: AsyncClient, email: str, password: str) -> int:
    response = await post_form(http, "/login", {"email": email, "password": password})
    return response.status_code


async def test_changing_the_password_needs_the_current_one_and_ends_other_logins(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    user = await actors.user(email="anna@example.org")
    other = await actors.client(user)
    await actors.api(user)
    async with await actors.client(user) as mine:
        wrong = await post_form(
            mine,
            "/account/password",
            {"current_password": "not it", "new_password": "a new password"},
            form_page="/account",
        )
        right = await post_form(
            mine,
            "/account/password",
            {"current_password": PASSWORD, "new_password": "a new password"},
            form_page="/account",
        )
        still_mine = await mine.get("/account")
    other_after = await other.get("/account")
    await other.aclose()

    assert wrong.status_code == 400
    assert right.status_code == 303
    assert still_mine.status_code == 200
    assert other_after.status_code == 303  # to the login page
    assert await _live_sessions(db, user) == 1
    assert await _live_tokens(db, user) == 1  # API tokens are keys of their own: they stay
    async with actors.anonymous() as http:
        assert await _log_in(http, user.email, "a new password") == 303
    (told,) = await mail_to(app, sink, user.email)
    assert told["Subject"] == "La tua password di Madrina è stata cambiata"


async def test_the_reset_request_answers_the_same_for_any_address(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    await actors.user(email="anna@example.org")
    pages = []
    # The request writes the same either way (one outbox event): the worker looks up who.
    for email in ("anna@example.org", "nobody@example.org"):
        async with actors.anonymous() as http:
            token = await csrf(http, "/password/forgot")
            response = await http.post(
                "/password/forgot", data={"csrf_token": token, "email": email}
            )
        assert response.status_code == 200
        pages.append(response.text.replace(email, "ADDRESS").replace(token, "TOKEN"))

    assert pages[0] == pages[1]
    assert len(await mail_to(app, sink, "anna@example.org")) == 1
    assert sink.to("nobody@example.org") == []  # no mail to whoever a stranger types in


async def test_a_reset_link_works_once_and_ends_every_login_and_token(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    user = await actors.user(email="anna@example.org")
    logged_in = await actors.client(user)
    await actors.api(user)
    async with actors.anonymous() as http:
        await post_form(http, "/password/forgot", {"email": "ANNA@example.org"})
        (link,) = links((await mail_to(app, sink, user.email))[0])
        page = await http.get(path_of(link))
        token = await csrf(http, path_of(link))
        done = await http.post(
            path_of(link), data={"csrf_token": token, "password": "brand new pw"}
        )
        again = await http.post(path_of(link), data={"csrf_token": token, "password": "other pw 1"})
        old = await _log_in(http, user.email, PASSWORD)
        new = await _log_in(http, user.email, "brand new pw")
    kicked = await logged_in.get("/account")
    await logged_in.aclose()

    assert link.startswith("http://testserver/password/reset/")
    assert page.status_code == 200
    assert done.status_code == 303 and done.headers["location"] == "/login?done=reset"
    assert again.status_code == 400  # used: it does not work any more
    assert (old, new) == (400, 303)
    assert kicked.status_code == 303
    assert await _live_tokens(db, user) == 0
    assert await _live_sessions(db, user) == 1  # the one just made with the new password


async def test_a_reset_link_used_twice_at_once_sets_one_password(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    user = await actors.user(email="anna@example.org")
    async with actors.anonymous() as http:
        await post_form(http, "/password/forgot", {"email": user.email})
        (link,) = links((await mail_to(app, sink, user.email))[0])
        token = await csrf(http, path_of(link))
        answers = await asyncio.gather(
            *(
                http.post(path_of(link), data={"csrf_token": token, "password": f"new pw {i:04}"})
                for i in range(6)
            )
        )

    assert sorted(a.status_code for a in answers) == [303] + [400] * 5
    async with actors.anonymous() as http:
        logins = [await _log_in(http, user.email, f"new pw {i:04}") for i in range(6)]
    assert sorted(logins) == [303] + [400] * 5


async def test_a_reset_link_of_another_kind_or_forged_is_refused(
    app: Starlette, actors: Actors
) -> None:
    await actors.user(email="anna@example.org")
    async with actors.anonymous() as http:
        forged = await http.get("/password/reset/eyJ1IjoxLCJuIjoieCJ9.forged.sig")
        huge = await http.get("/password/reset/" + "a" * 5000)

    assert forged.status_code == 400
    assert huge.status_code == 400
    assert SESSION_COOKIE not in forged.cookies


class _SignedLongAgo(TimestampSigner):
    """A real signature, dated as if made a little over an hour ago."""

    def get_timestamp(self) -> int:
        return int(time.time()) - tokens.RESET_MAX_AGE - 5


async def test_a_reset_link_older_than_an_hour_is_refused(
    app: Starlette, db: Database, actors: Actors
) -> None:
    user = await actors.user(email="anna@example.org")
    old = URLSafeTimedSerializer(
        app.state.settings.secret_key, salt=tokens.RESET_PASSWORD, signer=_SignedLongAgo
    ).dumps({"u": user.id, "n": user.link_nonce, "e": ""})
    fresh = tokens.make(
        app.state.settings.secret_key,
        tokens.RESET_PASSWORD,
        tokens.Claim(user_id=user.id or 0, nonce=user.link_nonce),
    )
    verify_kind = tokens.make(  # a confirmation link is no reset link
        app.state.settings.secret_key,
        tokens.VERIFY_EMAIL,
        tokens.Claim(user_id=user.id or 0, nonce=user.link_nonce, email=user.email),
    )

    async with actors.anonymous() as http:
        statuses = [
            (await http.get(f"/password/reset/{token}")).status_code
            for token in (old, verify_kind, fresh)
        ]

    assert statuses == [400, 400, 200]
