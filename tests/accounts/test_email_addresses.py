"""One address, one account: spellings that look the same are the same account, and
addresses made to pass for another are refused with a clear message."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from markupsafe import escape
from sqlmodel import col, func, select
from starlette.applications import Starlette

from app.accounts.models import Role, User
from app.db import Database
from app.fields import normalise_email
from app.i18n import gettext, use_locale
from tests.factories import PASSWORD, Actors, make_challenge, post_form

LOOKALIKE_LOCAL = (
    "Please write the part before the @ with plain letters (a-z), digits and the signs "
    ". _ - +: letters of other alphabets that look like them are not accepted."
)
LOOKALIKE_DOMAIN = (
    "This address mixes alphabets or uses letters that imitate others, so it could pass "
    "for someone else's. Please check it."
)


async def _users(db: Database) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Anna.Rossi@Example.ORG ", "anna.rossi@example.org"),
        ("\uff41\uff4e\uff4e\uff41@example.org", "anna@example.org"),  # full-width letters
        ("anna@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org", "anna@example.org"),
        ("anna@caff\u00e8.it", "anna@xn--caff-8oa.it"),  # an accented domain, kept as ASCII
        ("anna@xn--caff-8oa.it", "anna@xn--caff-8oa.it"),
    ],
)
def test_addresses_are_kept_in_one_form(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


async def test_a_full_width_spelling_is_the_same_account(
    client: AsyncClient, db: Database, actors: Actors
) -> None:
    await actors.user(email="anna@example.org")

    signed_up = await post_form(
        client,
        "/register",
        {"name": "Anna", "email": "\uff41\uff4e\uff4e\uff41@example.org", "password": "long pw 12"},
        form_page="/register",
    )
    logged_in = await post_form(
        client, "/login", {"email": "\uff21\uff4e\uff4e\uff41@EXAMPLE.org", "password": PASSWORD}
    )

    assert signed_up.status_code == 200
    assert await _users(db) == 1
    assert logged_in.status_code == 303


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("p\u0131etro@example.org", LOOKALIKE_LOCAL),  # dotless i
        ("\u0430nna@example.org", LOOKALIKE_LOCAL),  # Cyrillic a
        ("anna@p\u0430ypal.com", LOOKALIKE_DOMAIN),  # Cyrillic a among Latin letters
        ("anna@xn--pypal-4ve.com", LOOKALIKE_DOMAIN),  # the same, spelled in ASCII
        ("anna@g\u043e\u043e\u0440.com", LOOKALIKE_DOMAIN),  # mixed Latin and Cyrillic
        ("anna\ufe6bevil@example.org", "Please enter a valid e-mail address."),  # a small @
    ],
)
async def test_lookalike_addresses_are_refused_with_a_clear_message(
    client: AsyncClient, db: Database, address: str, message: str
) -> None:
    response = await post_form(
        client,
        "/register",
        {"name": "Pietro", "email": address, "password": "long enough pw"},
        form_page="/register",
    )

    assert response.status_code == 422
    with use_locale("it"):
        assert str(escape(gettext(message))) in response.text
    assert await _users(db) == 0


async def test_an_organiser_finds_a_person_by_any_spelling_of_the_address(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    judge = await actors.user(email="andrea.lodi@example.org")
    challenge = await make_challenge(db, organiser=organiser)
    path = f"/challenges/{challenge.id}/judging/judges"

    async with await actors.client(organiser) as http:
        response = await post_form(
            http, path, {"email": " \uff21ndrea.Lodi@EXAMPLE.org"}, form_page=path
        )

    assert response.status_code == 303
    async with db.read() as session:
        kinds = (
            await session.execute(select(Role.kind).where(col(Role.user_id) == judge.id))
        ).all()
    assert [str(k) for (k,) in kinds] == ["judge"]
