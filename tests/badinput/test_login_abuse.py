"""Guessing passwords and planting sessions.

Brute force is limited per account (10 failures from browsers it never logged in from) and
per address (50 in 15 minutes); once limited, even the right password is refused, so the
answer says nothing about it. Attempts are counted before they are checked, so a burst
checks no more than the limit; and the owner, on a browser they logged in from before or
after a reset by e-mail, is not locked out by a stranger's failures. A session
cookie planted in someone's browser stays the planter's own: logging in makes a new one.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from httpx import ASGITransport, AsyncClient, Response
from markupsafe import escape
from sqlmodel import col, select
from starlette.applications import Starlette

from app.accounts import ratelimit, tokens
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import User, UserSession
from app.accounts.service import token_hash
from app.db import Database
from app.i18n import gettext, use_locale
from tests.factories import PASSWORD, Actors, csrf

ATTACKER = "203.0.113.7"


def browser(app: Starlette, address: str) -> AsyncClient:
    """A browser whose requests come from `address` (the ASGI scope's client)."""
    transport = ASGITransport(app=app, client=(address, 41234))
    return AsyncClient(transport=transport, base_url="http://testserver")


async def log_in(http: AsyncClient, email: str, password: str, **headers: str) -> Response:
    token = await csrf(http, "/login")
    data = {"csrf_token": token, "email": email, "password": password}
    return await http.post("/login", data=data, headers=headers)


async def _people(actors: Actors, n: int, tag: str) -> list[User]:
    return [await actors.user(email=f"{tag}{i}@example.org") for i in range(n)]


ADDRESS_LIMITED = "Too many failed log-ins. Please wait 15 minutes and try again."
ACCOUNT_LIMITED = (
    "Too many failed log-ins to this account. Please wait 15 minutes. If it is your account, "
    "you can log in now from a device you have used before, or reset your password: the "
    "e-mail link lets this browser in."
)


def _assert_clear_429(app: Starlette, response: Response, message: str = ADDRESS_LIMITED) -> None:
    assert response.status_code == 429, response.text[:300]
    assert response.headers["retry-after"] == "900"  # the 15-minute window, in seconds
    assert response.headers["content-type"].startswith("text/html")
    with use_locale(app.state.settings.default_locale):
        told = gettext(message)
    assert str(escape(told)) in response.text
    assert SESSION_COOKIE not in response.cookies


async def _sessions(db: Database, user: User) -> int:
    async with db.read() as session:
        found = await session.execute(
            select(UserSession.id).where(col(UserSession.user_id) == user.id)
        )
    return len(found.all())


async def test_many_accounts_from_one_address_are_limited_after_50_failures(
    app: Starlette, db: Database, actors: Actors
) -> None:
    people = await _people(actors, ratelimit.MAX_PER_ADDRESS + 1, "guess")
    victim = await actors.user(email="victim@example.org")
    async with browser(app, ATTACKER) as attacker, browser(app, "198.51.100.20") as elsewhere:
        statuses = [
            (await log_in(attacker, p.email, "not the password")).status_code
            for p in people[: ratelimit.MAX_PER_ADDRESS]
        ]
        blocked = await log_in(attacker, people[-1].email, "not the password")
        right_password = await log_in(attacker, victim.email, PASSWORD)
        # The address is all the app goes by: a header naming another one changes nothing.
        forged = await log_in(attacker, victim.email, PASSWORD, **{"x-forwarded-for": "10.9.8.7"})
        from_elsewhere = await log_in(elsewhere, victim.email, PASSWORD)

    # Each account failed once (far below its own limit): the address limit stopped it.
    assert statuses == [400] * ratelimit.MAX_PER_ADDRESS
    _assert_clear_429(app, blocked)
    _assert_clear_429(app, right_password)  # no oracle: the right password is refused too
    _assert_clear_429(app, forged)
    assert from_elsewhere.status_code == 303
    assert await _sessions(db, victim) == 1  # only the login from the other address


async def test_one_account_from_many_addresses_is_limited_after_10_failures(
    app: Starlette, db: Database, actors: Actors
) -> None:
    victim = await actors.user(email="victim@example.org")
    bystander = await actors.user(email="bystander@example.org")
    statuses = []
    for i in range(ratelimit.MAX_PER_ACCOUNT):
        async with browser(app, f"192.0.2.{i + 1}") as http:
            statuses.append((await log_in(http, victim.email, "not the password")).status_code)
    async with browser(app, "192.0.2.200") as fresh:
        wrong = await log_in(fresh, victim.email, "still not it")
        right = await log_in(fresh, victim.email, PASSWORD)
        other_account = await log_in(fresh, bystander.email, PASSWORD)

    assert statuses == [400] * ratelimit.MAX_PER_ACCOUNT
    _assert_clear_429(app, wrong, ACCOUNT_LIMITED)
    _assert_clear_429(app, right, ACCOUNT_LIMITED)
    assert await _sessions(db, victim) == 0
    assert other_account.status_code == 303  # the account is limited, not the address


async def test_addresses_of_one_ipv6_network_share_the_limit(
    app: Starlette, actors: Actors
) -> None:
    # Anyone with an IPv6 line has a /64 of addresses: one each would be no limit at all.
    people = await _people(actors, ratelimit.MAX_PER_ADDRESS + 1, "six")
    for i, person in enumerate(people[: ratelimit.MAX_PER_ADDRESS]):
        async with browser(app, f"2001:db8:5:7:{i:x}::1") as http:
            assert (await log_in(http, person.email, "nope")).status_code == 400
    async with browser(app, "2001:db8:5:7:ffff:ffff:ffff:ffff") as same_network:
        blocked = await log_in(same_network, people[-1].email, PASSWORD)
    async with browser(app, "2001:db8:5:8::1") as next_network:
        allowed = await log_in(next_network, people[-1].email, PASSWORD)

    _assert_clear_429(app, blocked)
    assert allowed.status_code == 303


async def test_a_planted_session_stays_the_planters_and_never_becomes_the_victims(
    app: Starlette, db: Database, actors: Actors
) -> None:
    attacker = await actors.user("Attilio Attaccante", email="attacker@example.org")
    victim = await actors.user("Vittoria Vittima", email="victim@example.org")
    async with browser(app, ATTACKER) as theirs:
        logged_in = await log_in(theirs, attacker.email, PASSWORD)
        assert logged_in.status_code == 303
        planted = logged_in.cookies[SESSION_COOKIE]

    async with browser(app, "198.51.100.20") as victims_browser:
        # Set where the server's own cookie goes, so the login's Set-Cookie replaces it.
        victims_browser.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
        assert "Attilio Attaccante" in (await victims_browser.get("/account")).text
        response = await log_in(victims_browser, victim.email, PASSWORD)
        assert response.status_code == 303
        fresh = response.cookies[SESSION_COOKIE]
        assert fresh != planted
        assert victims_browser.cookies[SESSION_COOKIE] == fresh
        mine = await victims_browser.get("/account")

    async with browser(app, ATTACKER) as theirs:
        theirs.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
        after = await theirs.get("/account")

    assert mine.status_code == 200 and "Vittoria Vittima" in mine.text
    assert "Attilio Attaccante" not in mine.text
    assert after.status_code == 200 and "Attilio Attaccante" in after.text
    assert "Vittoria Vittima" not in after.text and victim.email not in after.text
    async with db.read() as session:
        owners = {
            row.token_hash: row.user_id for row in (await session.scalars(select(UserSession)))
        }
    assert owners[token_hash(planted)] == attacker.id
    assert owners[token_hash(fresh)] == victim.id
    assert list(owners.values()).count(victim.id) == 1


async def test_a_burst_of_wrong_passwords_checks_no_more_than_the_limit(
    app: Starlette, db: Database, actors: Actors
) -> None:
    victim = await actors.user(email="victim@example.org")
    async with browser(app, ATTACKER) as attacker:
        token = await csrf(attacker, "/login")
        data = {"csrf_token": token, "email": victim.email, "password": "not the password"}
        answers = await asyncio.gather(*(attacker.post("/login", data=data) for _ in range(40)))

    statuses = sorted(a.status_code for a in answers)
    # Each attempt is counted before argon2 checks it: 10 were checked (and failed), 30 were
    # refused unchecked. Counted after checking, all 40 would have been checked.
    assert statuses.count(400) == ratelimit.MAX_PER_ACCOUNT
    assert statuses.count(429) == 40 - ratelimit.MAX_PER_ACCOUNT
    assert await _sessions(db, victim) == 0


async def test_the_owner_logs_in_from_a_known_browser_after_a_strangers_failures(
    app: Starlette, db: Database, actors: Actors
) -> None:
    owner = await actors.user(email="owner@example.org")
    async with browser(app, "198.51.100.20") as own:
        assert (await log_in(own, owner.email, PASSWORD)).status_code == 303  # known from now
        for i in range(ratelimit.MAX_PER_ACCOUNT + 5):
            async with browser(app, f"192.0.2.{i + 1}") as stranger:
                await log_in(stranger, owner.email, "a guess")
        async with browser(app, "192.0.2.99") as stranger:
            locked = await log_in(stranger, owner.email, PASSWORD)
        again = await log_in(own, owner.email, PASSWORD)

    _assert_clear_429(app, locked, ACCOUNT_LIMITED)
    assert again.status_code == 303


async def test_a_reset_by_email_lets_the_owner_in_on_a_new_browser_after_a_lockout(
    app: Starlette, db: Database, actors: Actors
) -> None:
    owner = await actors.user(email="owner@example.org")
    for i in range(ratelimit.MAX_PER_ACCOUNT):
        async with browser(app, f"192.0.2.{i + 1}") as stranger:
            await log_in(stranger, owner.email, "a guess")
    async with browser(app, "198.51.100.20") as new_browser:
        locked = await log_in(new_browser, owner.email, PASSWORD)
        async with db.read() as session:
            fresh = await session.get(User, owner.id)
        assert fresh is not None
        claim = tokens.Claim(user_id=owner.id or 0, nonce=fresh.link_nonce)
        link = "/password/reset/" + tokens.make(
            app.state.settings.secret_key, tokens.RESET_PASSWORD, claim
        )
        token = await csrf(new_browser, link)
        reset = await new_browser.post(link, data={"csrf_token": token, "password": "new pw 2026"})
        after = await log_in(new_browser, owner.email, "new pw 2026")

    _assert_clear_429(app, locked, ACCOUNT_LIMITED)
    assert reset.status_code == 303
    assert after.status_code == 303


async def _sign_up(http: AsyncClient, email: str) -> Response:
    data = {"name": "Anna Rossi", "email": email, "password": "long enough pw"}
    token = await csrf(http, "/register")
    return await http.post("/register", data={"csrf_token": token, **data})


async def test_signing_up_with_a_taken_address_looks_and_lasts_like_a_new_one(
    app: Starlette, db: Database, actors: Actors
) -> None:
    taken = [(await actors.user(email=f"taken{i}@example.org")).email for i in range(5)]
    new = [f"new{i}@example.org" for i in range(5)]
    timings: dict[str, list[float]] = {"taken": [], "new": []}
    pages: dict[str, list[str]] = {"taken": [], "new": []}
    answers: list[Response] = []
    for i in range(5):
        for kind, email in (("new", new[i]), ("taken", taken[i])):
            async with browser(app, f"198.51.100.{30 + i}") as http:
                token = await csrf(http, "/register")
                data = {"name": "Anna", "email": email, "password": "long enough pw"}
                started = time.perf_counter()
                response = await http.post("/register", data={"csrf_token": token, **data})
                timings[kind].append(time.perf_counter() - started)
            answers.append(response)
            page = response.text.replace(email, "ADDRESS").replace(token, "TOKEN")
            pages[kind].append(page)

    assert {a.status_code for a in answers} == {200}
    assert all(SESSION_COOKIE not in a.cookies for a in answers)
    assert set(pages["new"]) == set(pages["taken"]) and len(set(pages["new"])) == 1
    ratio = statistics.median(timings["taken"]) / statistics.median(timings["new"])
    # Both hash the password (argon2, tens of ms); a taken address used to answer at once.
    print(
        f"sign-up median: new {statistics.median(timings['new']) * 1000:.1f} ms, "
        f"taken {statistics.median(timings['taken']) * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert 0.5 < ratio < 2.0


async def test_sign_ups_are_limited_per_address_signed_up_and_per_client(
    app: Starlette, actors: Actors
) -> None:
    async with browser(app, ATTACKER) as http:
        same_address = [(await _sign_up(http, "target@example.org")).status_code for _ in range(4)]
        many = [
            (await _sign_up(http, f"someone{i}@example.org")).status_code
            for i in range(ratelimit.MAX_SIGNUPS_PER_ADDRESS)
        ]

    assert same_address == [200, 200, 200, 429]
    # 4 sign-ups from this client were counted already: the 20th overall is the last.
    assert many.count(200) == ratelimit.MAX_SIGNUPS_PER_ADDRESS - 4
    assert many[-1] == 429
