"""A form posted after the login ended, or with an expired form token, saves nothing and
loses nothing: the person gets their text back on a page, to send again."""

from __future__ import annotations

import re
from html import unescape

import pyotp
from sqlalchemy import update

from app.accounts.models import UserSession
from app.challenges.models import Challenge, PhaseKind
from app.db import Database, utcnow
from app.middleware import CSRF_COOKIE
from app.teams.models import Project
from tests.accounts.test_two_factor import _enrol, _forget_last_code
from tests.factories import PASSWORD, Actors, csrf, make_challenge, make_team

DESCRIPTION = "Sensori nell'orto <della scuola>:\nun'idea lunga scritta con cura."
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _hidden(html: str) -> dict[str, str]:
    return {name: unescape(value) for name, value in HIDDEN.findall(html)}


async def test_a_form_posted_after_the_login_ended_is_sent_after_logging_in_again(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user(email="coach@example.org")
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/project"
    async with await actors.client(coach) as browser:
        token = await csrf(browser, path)
        async with db.transaction() as session:  # the login ends while the person writes
            await session.execute(update(UserSession).values(revoked_at=utcnow()))
        posted = await browser.post(
            path, data={"csrf_token": token, "title": "Orto", "description": DESCRIPTION}
        )
        carried = _hidden(posted.text)
        logged_in = await browser.post(
            f"/login?next={path}",
            data={**carried, "email": "coach@example.org", "password": PASSWORD},
        )
        resent = await browser.post(path, data=_hidden(logged_in.text))

    assert posted.status_code == 401
    assert carried["carried-description"] == DESCRIPTION
    assert logged_in.status_code == 200 and f'action="{path}"' in logged_in.text
    assert resent.status_code == 303
    async with db.read() as session:
        project = await session.get(Project, int(resent.headers["location"].rsplit("/", 1)[1]))
    assert project is not None and project.description == DESCRIPTION.strip()


async def test_a_form_with_an_expired_token_comes_back_to_be_sent_again(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    path = f"/teams/{team.id}/project"
    async with await actors.client(coach) as browser:
        stale = await csrf(browser, path)
        for cookie in list(browser.cookies.jar):  # the browser's form cookie was renewed
            if cookie.name == CSRF_COOKIE:
                browser.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
        browser.cookies.set(CSRF_COOKIE, "x" * 43)
        refused = await browser.post(
            path, data={"csrf_token": stale, "title": "Orto", "description": DESCRIPTION}
        )
        resent = await browser.post(path, data=_hidden(refused.text))

    assert refused.status_code == 403
    assert _hidden(refused.text)["description"] == DESCRIPTION
    assert resent.status_code == 303
    async with db.read() as session:
        project = await session.get(Project, int(resent.headers["location"].rsplit("/", 1)[1]))
    assert project is not None and project.title == "Orto"


async def test_a_cross_site_post_after_the_login_ended_carries_nothing(
    db: Database, actors: Actors
) -> None:
    coach = await actors.user()
    challenge = await make_challenge(db, tracks=(), open_phases=(PhaseKind.SUBMISSION,))
    team = await make_team(db, challenge, coach=coach)
    async with actors.anonymous() as browser:
        posted = await browser.post(
            f"/teams/{team.id}/project", data={"csrf_token": "forged", "title": "Spam"}
        )

    # Without our own page's token nothing is echoed back: just the way to log in.
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")


async def test_text_kept_at_login_survives_the_two_factor_step(
    db: Database, actors: Actors
) -> None:
    organiser = await actors.user(email="organiser@example.org")
    challenge = await make_challenge(db, organiser=organiser, tracks=())
    secret, _codes = await _enrol(actors, organiser)
    await _forget_last_code(db, organiser)
    path = f"/challenges/{challenge.id}/edit"
    async with await actors.client(organiser) as browser:
        token = await csrf(browser, path)
        async with db.transaction() as session:  # the login ends while the person writes
            await session.execute(update(UserSession).values(revoked_at=utcnow()))
        posted = await browser.post(
            path, data={"csrf_token": token, "title": "Climathon", "description": DESCRIPTION}
        )
        password_step = await browser.post(
            f"/login?next={path}",
            data={**_hidden(posted.text), "email": "organiser@example.org", "password": PASSWORD},
        )
        code_step = await browser.post(
            f"/login/code?next={path}",
            data={**_hidden(password_step.text), "code": pyotp.TOTP(secret).now()},
        )
        resent = await browser.post(path, data=_hidden(code_step.text))

    assert password_step.status_code == 200  # the code page, carrying the text
    assert _hidden(password_step.text)["carried-description"] == DESCRIPTION
    assert code_step.status_code == 200 and f'action="{path}"' in code_step.text
    assert resent.status_code == 303
    async with db.read() as session:
        stored = await session.get(Challenge, challenge.id)
    assert stored is not None and stored.description == DESCRIPTION.strip()
