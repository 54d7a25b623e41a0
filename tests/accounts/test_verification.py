"""Addresses are confirmed by a link sent to them before any role is given to them; the link
works once, for the account it was sent for, and the owner of an address can take it back
from whoever signed up with it first."""

from __future__ import annotations

from httpx import AsyncClient
from markupsafe import escape
from sqlmodel import col, func, select
from starlette.applications import Starlette

from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import Role, User, UserSession
from app.db import Database
from app.i18n import gettext, use_locale
from app.teams.models import Team
from tests.accounts.conftest import html_of, links, mail_to, path_of, text_of
from tests.certificates.smtp import SmtpSink
from tests.factories import PASSWORD, Actors, csrf, make_challenge, make_sponsor, post_form

NEW_PASSWORD = "long enough pw"
NOT_CONFIRMED = (
    "This person has not confirmed their e-mail address yet: ask them to open the link we "
    "sent them when they signed up (they can have it sent again from their account page), "
    "then try again."
)


def _it(message: str) -> str:
    with use_locale("it"):
        return str(escape(gettext(message)))


async def _sign_up(http: AsyncClient, email: str, name: str = "Anna Rossi") -> None:
    data = {"name": name, "email": email, "password": NEW_PASSWORD}
    response = await post_form(http, "/register", data, form_page="/register")
    assert response.status_code == 200


async def _log_in(http: AsyncClient, email: str, password: str = NEW_PASSWORD) -> None:
    response = await post_form(http, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.text[:300]
    http.cookies.set(SESSION_COOKIE, response.cookies[SESSION_COOKIE])


async def _user(db: Database, email: str) -> User:
    async with db.read() as session:
        found = await session.execute(select(User).where(col(User.email) == email))
        return found.scalar_one()


async def test_sign_up_sends_a_link_that_confirms_the_address_once(
    app: Starlette, client: AsyncClient, db: Database, sink: SmtpSink
) -> None:
    await _sign_up(client, "anna@example.org")
    (message,) = await mail_to(app, sink, "anna@example.org")
    (link,) = links(message)

    # Italian (the language she signed up in), text and HTML, an absolute link.
    assert message["Subject"] == "Conferma il tuo indirizzo e-mail per Madrina"
    assert text_of(message).startswith("Buongiorno Anna Rossi,\n")
    assert f'href="{escape(link)}"' in html_of(message)
    assert link.startswith("http://testserver/account/verify?token=")
    # The link needs the account's login: opening it logged out leads to the login page.
    opened = await client.get(path_of(link))
    assert opened.status_code == 303 and opened.headers["location"].startswith("/login?next=")
    await _log_in(client, "anna@example.org")
    page = await client.get(path_of(link))
    assert page.status_code == 200
    confirmed = await client.post(path_of(link), data={"csrf_token": await csrf(client)})
    again = await client.post(path_of(link), data={"csrf_token": await csrf(client)})

    assert confirmed.status_code == 303
    assert (await _user(db, "anna@example.org")).email_verified_at is not None
    assert again.status_code == 303  # confirmed already: nothing to do
    assert "Confermato il" in (await client.get("/account")).text


async def test_the_mail_speaks_the_language_the_person_signed_up_in(
    app: Starlette, client: AsyncClient, sink: SmtpSink
) -> None:
    await client.get("/?lang=en")  # remembered in a cookie
    await _sign_up(client, "anna@example.org")

    (message,) = await mail_to(app, sink, "anna@example.org")

    assert message["Subject"] == "Confirm your e-mail address for Madrina"
    assert text_of(message).startswith("Hello Anna Rossi,\n")
    assert "Confirm my address" in html_of(message)


async def test_a_link_works_once_and_only_for_its_own_account(
    app: Starlette, client: AsyncClient, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    await _sign_up(client, "anna@example.org")
    (first,) = links((await mail_to(app, sink, "anna@example.org"))[0])
    await _log_in(client, "anna@example.org")
    resent = await post_form(client, "/account/verify/send", form_page="/account")
    assert resent.status_code == 303
    messages = await mail_to(app, sink, "anna@example.org")
    (second,) = links(messages[-1])
    stranger = await actors.user(email="stranger@example.org")

    async with await actors.client(stranger) as theirs:
        foreign = await theirs.post(path_of(second), data={"csrf_token": await csrf(theirs)})
    used = await client.post(path_of(second), data={"csrf_token": await csrf(client)})
    async with db.transaction() as session:  # forget the confirmation, keep the used nonce
        anna = await session.get(User, (await _user(db, "anna@example.org")).id)
        assert anna is not None
        anna.email_verified_at = None
    replayed = await client.post(path_of(second), data={"csrf_token": await csrf(client)})
    older = await client.post(path_of(first), data={"csrf_token": await csrf(client)})

    assert len(messages) == 2
    assert foreign.status_code == 409  # another account's link
    assert used.status_code == 303
    assert replayed.status_code == 409 and older.status_code == 409
    assert (await _user(db, "anna@example.org")).email_verified_at is None


async def test_no_role_is_given_to_an_unconfirmed_address_on_any_form(
    app: Starlette, db: Database, actors: Actors
) -> None:
    organiser = await actors.user()
    squatter = await actors.user(email="giudice@example.org", verified=False)
    representative = await actors.user()
    challenge = await make_challenge(db, organiser=organiser)
    sponsor = await make_sponsor(db, challenge, representative=representative)
    c = challenge.id
    forms = [
        (f"/challenges/{c}/people", {"email": squatter.email, "kind": "mentor"}),
        (f"/challenges/{c}/judging/judges", {"email": "GIUDICE@example.org"}),
        (
            f"/challenges/{c}/sponsors/representatives",
            {"email": squatter.email, "sponsor_id": str(sponsor.id)},
        ),
    ]

    async with await actors.client(organiser) as http:
        answers = [await post_form(http, path, data, form_page=path) for path, data in forms]

    assert [a.status_code for a in answers] == [422, 422, 422]
    assert all(_it(NOT_CONFIRMED) in a.text for a in answers)
    async with db.read() as session:
        roles = await session.execute(select(Role).where(col(Role.user_id) == squatter.id))
        assert roles.all() == []


async def test_an_unconfirmed_teacher_cannot_register_a_team_and_is_offered_the_link(
    app: Starlette, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    teacher = await actors.user(verified=False)
    challenge = await make_challenge(db)
    path = f"/challenges/{challenge.id}/teams/new"
    data = {"name": "4B Aqua", "members-0-first_name": "Giulia", "members-0-last_name": "Bianchi"}
    data["track_id"] = ""

    async with await actors.client(teacher) as http:
        form = await http.get(path)
        refused = await post_form(http, path, data, form_page=path)
        await post_form(http, "/account/verify/send", form_page=path)

    told = _it(
        "Please confirm your e-mail address first: open the link we sent you, or send it "
        "again from your account page."
    )
    assert told in form.text and 'action="/account/verify/send"' in form.text
    assert refused.status_code == 409 and told in refused.text
    async with db.read() as session:
        assert (await session.execute(select(func.count()).select_from(Team))).scalar() == 0
    assert len(await mail_to(app, sink, teacher.email)) == 1


async def test_sending_the_link_again_is_limited(app: Starlette, actors: Actors) -> None:
    person = await actors.user(verified=False)
    async with await actors.client(person) as http:
        statuses = [
            (await post_form(http, "/account/verify/send", form_page="/account")).status_code
            for _ in range(4)
        ]

    assert statuses == [303, 303, 303, 429]


async def test_the_owner_takes_back_an_address_a_stranger_signed_up_with(
    app: Starlette, client: AsyncClient, db: Database, actors: Actors, sink: SmtpSink
) -> None:
    # A stranger signs up with the teacher's address and logs in with their own password.
    async with actors.anonymous() as stranger:
        await _sign_up(stranger, "elena@scuola.example", name="Not Elena")
        await _log_in(stranger, "elena@scuola.example")
        (confirm,) = links((await mail_to(app, sink, "elena@scuola.example"))[0])
        # Elena (who reads the mail) cannot confirm it for them: the link needs their login.
        opened = await client.get(path_of(confirm))
        assert opened.headers["location"].startswith("/login")
        # She asks for a reset link instead: it proves the address is hers.
        await post_form(
            client, "/password/forgot", {"email": "elena@scuola.example"}, form_page="/login"
        )
        reset_mail = (await mail_to(app, sink, "elena@scuola.example"))[-1]
        (reset_link,) = links(reset_mail)
        token = await csrf(client, path_of(reset_link))
        done = await client.post(
            path_of(reset_link), data={"csrf_token": token, "password": "elena's own pw"}
        )
        shut_out = await stranger.get("/account")

    assert done.status_code == 303
    assert shut_out.status_code == 303  # the stranger's login ended
    elena = await _user(db, "elena@scuola.example")
    assert elena.email_verified_at is not None
    await _log_in(client, "elena@scuola.example", "elena's own pw")
    async with db.read() as session:
        live = await session.execute(
            select(UserSession).where(
                col(UserSession.user_id) == elena.id, col(UserSession.revoked_at).is_(None)
            )
        )
        assert len(live.all()) == 1  # hers


async def test_factories_make_confirmed_people_unless_asked(actors: Actors) -> None:
    """The rest of the suite relies on it."""
    assert (await actors.user(email=f"x{len(PASSWORD)}@example.org")).email_verified_at
    assert (await actors.user(verified=False)).email_verified_at is None
