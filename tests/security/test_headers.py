"""Every answer carries the security headers, error answers from every layer included: a
Content-Security-Policy without inline script or style (no template has any), framing
forbidden, no sniffing, a strict referrer, and HSTS when the site is served over HTTPS.
Over HTTPS our cookies are __Host- cookies: Secure, for the whole site, this host only.

The server's own answers (431, 408, 400) are checked in tests/badinput/test_request_head.py.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from httpx import ASGITransport, AsyncClient, Response
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from app.accounts.auth import SESSION_COOKIE
from app.config import ROOT, Settings
from app.main import create_app
from app.middleware import CSRF_COOKIE, HSTS, LOCALE_COOKIE, security_headers
from app.web import services
from tests.cleanup import empty_database, flush_redis
from tests.factories import PASSWORD, Actors, csrf_from

JSON = {"content-type": "application/json"}
UNREACHABLE_DATABASE = "postgresql+asyncpg://madrina@127.0.0.1:1/nowhere"  # port 1: nobody


async def broken(request: Request) -> Response:
    raise RuntimeError("a bug")


@dataclass
class Site:
    app: Starlette
    base: str
    bearer: dict[str, str]

    @property
    def https(self) -> bool:
        return self.base.startswith("https://")

    def client(self) -> AsyncClient:
        transport = ASGITransport(app=self.app, raise_app_exceptions=False)
        return AsyncClient(transport=transport, base_url=self.base)


async def _site(settings: Settings, *, outage: bool = False) -> AsyncIterator[Site]:
    if outage:
        settings = settings.model_copy(update={"database_url": UNREACHABLE_DATABASE})
    application = create_app(settings)
    application.router.routes += [Route("/broken", broken), Route("/api/v1/broken", broken)]
    async with application.router.lifespan_context(application):
        bearer = {}
        if not outage:
            api = await Actors(application).api(await Actors(application).user(creator=True))
            bearer = {"authorization": api.headers["authorization"]}
            await api.aclose()
        yield Site(application, settings.base_url, bearer)
        if not outage:
            await empty_database(services(application).db)


@pytest.fixture(params=["http", "https"])
async def site(
    request: pytest.FixtureRequest, migrated: Settings, redis_url: str
) -> AsyncIterator[Site]:
    flush_redis(redis_url)
    settings = migrated.model_copy(
        update={"base_url": f"{request.param}://madrina.example", "body_idle_seconds": 0.2}
    )
    async for found in _site(settings):
        yield found


@pytest.fixture(params=["http", "https"])
async def down(request: pytest.FixtureRequest, migrated: Settings) -> AsyncIterator[Site]:
    """The site while its database cannot be reached."""
    settings = migrated.model_copy(update={"base_url": f"{request.param}://madrina.example"})
    async for found in _site(settings, outage=True):
        yield found


async def slow_body() -> AsyncIterator[bytes]:
    yield b"email=a%40example.org"
    await asyncio.sleep(1)  # longer than the site's body_idle_seconds
    yield b"&password=x"


Ask = Callable[[AsyncClient, Site], Awaitable[Response]]
ANSWERS: dict[str, tuple[int, Ask]] = {
    "page": (200, lambda http, site: http.get("/")),
    "API answer": (200, lambda http, site: http.get("/api/v1/challenges")),
    "static file": (200, lambda http, site: http.get("/static/madrina.css")),
    "404 page": (404, lambda http, site: http.get("/nowhere")),
    "404 API": (404, lambda http, site: http.get("/api/v1/nowhere")),
    "405": (405, lambda http, site: http.post("/healthz")),
    "401 API": (401, lambda http, site: http.post("/api/v1/challenges", json={})),
    "413 before reading": (
        413,
        lambda http, site: http.post("/login", content=b"x", headers={"content-length": "9" * 12}),
    ),
    "415 API": (
        415,
        lambda http, site: http.post("/api/v1/challenges", content=b"x", headers=site.bearer),
    ),
    "422 API": (
        422,
        lambda http, site: http.post(
            "/api/v1/challenges", content=b"[" * 100, headers={**JSON, **site.bearer}
        ),
    ),
    "408 body too slow": (
        408,
        lambda http, site: http.post(
            "/login",
            content=slow_body(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
    ),
    "500 page": (500, lambda http, site: http.get("/broken")),
    "500 API": (500, lambda http, site: http.get("/api/v1/broken")),
}
OUTAGE: dict[str, tuple[int, Ask]] = {
    "503 page": (503, lambda http, site: http.get("/")),
    "503 API": (503, lambda http, site: http.get("/api/v1/challenges")),
    "503 in a middleware": (
        503,
        lambda http, site: http.get("/", headers={"cookie": f"{SESSION_COOKIE}=x"}),
    ),
}


def assert_security_headers(response: Response, *, https: bool) -> None:
    expected = security_headers(https=https)
    assert {name: response.headers.get(name) for name in expected} == expected
    assert ("strict-transport-security" in response.headers) == https
    policy = expected["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize("answer", ANSWERS)
async def test_every_answer_carries_the_security_headers(site: Site, answer: str) -> None:
    status, ask = ANSWERS[answer]
    async with site.client() as http:
        response = await ask(http, site)

    assert response.status_code == status
    assert_security_headers(response, https=site.https)


@pytest.mark.parametrize("answer", OUTAGE)
async def test_outage_answers_carry_the_security_headers(down: Site, answer: str) -> None:
    status, ask = OUTAGE[answer]
    async with down.client() as http:
        response = await ask(http, down)

    assert response.status_code == status
    assert_security_headers(response, https=down.https)


def test_hsts_is_sent_only_over_https() -> None:
    assert security_headers(https=True)["strict-transport-security"] == HSTS
    assert HSTS == "max-age=31536000; includeSubDomains"
    assert "strict-transport-security" not in security_headers(https=False)


# Inline code the policy refuses: <script> without src, <style>, style="...", on...="...",
# javascript: URLs. Pages must work without it anyway (they work without JavaScript).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    pages = sorted((ROOT / "templates").rglob("*.html"))
    found = [
        f"{page.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group()}"
        for page in pages
        for text in [page.read_text()]
        for match in INLINE.finditer(text)
    ]

    assert len(pages) > 20
    assert found == []


# --- Cookies -------------------------------------------------------------------------------


def set_cookies(response: Response) -> dict[str, dict[str, str | bool]]:
    """Each Set-Cookie: name -> its attributes (lower-cased), as a browser reads them."""
    found: dict[str, dict[str, str | bool]] = {}
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {key: value for key, value in morsel.items() if value}
    return found


def assert_host_cookie(attributes: dict[str, str | bool]) -> None:
    """What browsers require of a __Host- cookie: Secure, Path=/, no Domain."""
    assert attributes.get("secure") is True
    assert attributes.get("path") == "/"
    assert "domain" not in attributes


@pytest.fixture
async def https_site(migrated: Settings, redis_url: str) -> AsyncIterator[Site]:
    flush_redis(redis_url)
    settings = migrated.model_copy(update={"base_url": "https://madrina.example"})
    async for found in _site(settings):
        yield found


async def test_over_https_the_csrf_and_language_cookies_are_host_cookies(
    https_site: Site,
) -> None:
    async with https_site.client() as http:
        response = await http.get("/?lang=en")

    cookies = set_cookies(response)
    assert sorted(cookies) == [f"__Host-{CSRF_COOKIE}", f"__Host-{LOCALE_COOKIE}"]
    for attributes in cookies.values():
        assert_host_cookie(attributes)
    assert cookies[f"__Host-{CSRF_COOKIE}"]["httponly"] is True


async def test_over_https_login_sets_a_host_session_cookie_and_logout_clears_it(
    https_site: Site,
) -> None:
    user = await Actors(https_site.app).user()
    async with https_site.client() as http:
        token = csrf_from((await http.get("/login")).text)
        login = await http.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
        )
        account = await http.get("/account")
        logout = await http.post("/logout", data={"csrf_token": csrf_from(account.text)})

    assert login.status_code == 303
    session = set_cookies(login)[f"__Host-{SESSION_COOKIE}"]
    assert_host_cookie(session)
    assert session["httponly"] is True
    assert account.status_code == 200
    assert logout.status_code == 303
    cleared = set_cookies(logout)[f"__Host-{SESSION_COOKIE}"]
    assert_host_cookie(cleared)
    assert cleared["max-age"] == "0"


async def test_over_https_cookies_without_the_prefix_are_ignored(https_site: Site) -> None:
    """A cookie another host planted (a sibling subdomain, a plain-HTTP answer) cannot carry
    the prefix: a valid session or a chosen CSRF value under the plain name counts for
    nothing."""
    user = await Actors(https_site.app).user()
    async with https_site.client() as http:
        token = csrf_from((await http.get("/login")).text)
        login = await http.post(
            "/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
        )
    session = login.cookies[f"__Host-{SESSION_COOKIE}"]
    planted = f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={'p' * 43}"

    async with https_site.client() as http:
        response = await http.get("/account", headers={"cookie": planted})

    assert response.status_code == 303  # to the login page: nobody is logged in
    assert f"__Host-{CSRF_COOKIE}" in set_cookies(response)  # a fresh one, not the planted
