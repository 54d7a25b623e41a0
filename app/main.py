"""create_app(settings) and its lifespan: database, queue connection, storage."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from app import jobs
from app.accounts import api as accounts_api
from app.accounts import routes as accounts_routes
from app.accounts.auth import SESSION_COOKIE, Authentication
from app.api import ApiRouter, openapi_document
from app.assets import Assets
from app.caching import SHARED_PARAMETERS, Compression, PublicPageCache
from app.certificates import api as certificates_api
from app.certificates import routes as certificates_routes
from app.challenges import api as challenges_api
from app.challenges import routes as challenges_routes
from app.config import ROOT, Settings, get_settings
from app.db import Database, DatabaseUnavailable
from app.editions import api as editions_api
from app.editions import routes as editions_routes
from app.embedded_redis import EmbeddedRedis
from app.errors import AppError, ValidationFailed, form_errors
from app.forms import CsrfFailed, csrf_token, form_values, read_form, typed_text
from app.i18n import gettext as _
from app.invitations import api as invitations_api
from app.invitations import routes as invitations_routes
from app.judging import api as judging_api
from app.judging import pairwise_api as judging_pairwise_api
from app.judging import routes as judging_routes
from app.middleware import (
    CSRF_COOKIE,
    BodyLimits,
    LocaleAndCsrf,
    SecurityHeaders,
    cookie_name,
    security_headers,
)
from app.notifications import routes as notifications_routes
from app.overview import api as overview_api
from app.overview import routes as overview_routes
from app.personalcache import PersonalPageCache
from app.reports import api as reports_api
from app.reports import routes as reports_routes
from app.sponsors import api as sponsors_api
from app.sponsors import company_api as companies_api
from app.sponsors import routes as sponsors_routes
from app.sponsors import shortlist_api as sponsors_shortlist_api
from app.storage import LocalStorage
from app.teams import api as teams_api
from app.teams import routes as teams_routes
from app.templating import render
from app.web import Services, login_path, routes_by_name, services
from app.web import settings as web_settings

log = logging.getLogger(__name__)
VERSION = "0.1.0"

API_ROUTERS: list[ApiRouter] = [
    accounts_api.router,
    challenges_api.router,
    teams_api.router,
    sponsors_api.router,
    sponsors_shortlist_api.router,
    overview_api.router,
    companies_api.router,
    judging_api.router,
    judging_pairwise_api.router,
    certificates_api.router,
    reports_api.router,
    editions_api.router,
    invitations_api.router,
]
PAGE_ROUTES: list[BaseRoute] = [
    *accounts_routes.routes,
    *overview_routes.routes,
    *challenges_routes.routes,
    *teams_routes.routes,
    *sponsors_routes.routes,
    *judging_routes.routes,
    *certificates_routes.routes,
    *reports_routes.routes,
    *editions_routes.routes,
    *invitations_routes.routes,
    *notifications_routes.routes,
]
# Pages anonymous people open most, kept rendered for them (app.caching.PublicPageCache).
PUBLIC_PAGES = (
    "home",
    "challenges",
    "challenge",
    "project",
    "results",
    "verify_form",
    "verify",
    "vote",  # the people's ballot: a form, kept without its token (app.caching)
)
# Pages logged-in people open again and again, kept rendered for their browser until the
# next write anywhere (app.personalcache). Each one's GET writes nothing.
PERSONAL_PAGES = (
    *PUBLIC_PAGES,
    "my_assignments",
    "score_sheet",
    "ranking",
    "judging_admin",
    "round_assignments",
    "challenge_dashboard",
    "team",
    "project_feedback",
    "sponsor_home",
    "sponsor_dashboard",
    "discover",
    "company_ideas",
    "shortlist",
    "adoption",
    "adoption_follow_up",
    "team_adoptions",
    "pairwise_walk",
)
# The largest page kept for a person: the organisers' ranking of a round of 5,000 projects
# and 500 judges is about 0.5 MB a page (PERSONAL_CACHE_MB bounds them all together).
PERSONAL_PAGE_MAX_BYTES = 1024 * 1024
# Their anonymous reads in the JSON API, kept the same way (API routes are named by path).
PUBLIC_API = (
    "/api/v1/challenges",
    "/api/v1/challenges/{id:int}",
    "/api/v1/challenges/{id:int}/projects",
    "/api/v1/projects/{id:int}",
    "/api/v1/challenges/{id:int}/results",
    "/api/v1/verify/{code:str}",
)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    embedded: EmbeddedRedis | None = None
    redis_url = settings.redis_url
    if not redis_url:
        embedded = EmbeddedRedis()
        redis_url = embedded.start()
    db = Database(settings)
    try:
        async with jobs.connected(redis_url) as pool:
            app.state.services = Services(
                settings=settings, db=db, storage=LocalStorage(settings.storage_dir), redis=pool
            )
            yield
    finally:
        await db.dispose()
        if embedded is not None:
            embedded.stop()


async def healthz(request: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    found = services(request)
    try:
        async with found.db.read() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {type(exc).__name__}"
    pool = found.redis
    if pool is None:
        checks["redis"] = checks["worker"] = "error: not connected"
    else:
        try:
            await pool.ping()
            checks["redis"] = "ok"
            # arq refreshes this key every health_check_interval while a worker runs.
            checks["worker"] = (
                "ok" if await pool.exists(jobs.WORKER_HEALTH_KEY) else "error: no heartbeat"
            )
        except (RedisError, OSError) as exc:
            checks["redis"] = checks["worker"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status_code=200 if healthy else 503,
    )


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document(API_ROUTERS, version=VERSION))


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if _wants_json(request):
        body: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if isinstance(exc, ValidationFailed) or exc.field != "__all__":
            body["fields"] = form_errors(exc)
        response: Response = JSONResponse({"error": body}, status_code=exc.status_code)
    elif exc.status_code == 401:
        return await _log_in_again(request)
    elif isinstance(exc, CsrfFailed) and typed_text(exc.details.get("typed", {})):
        return render(
            request,
            "resend.html",
            {"action": request.url.path, "typed": typed_text(exc.details["typed"])},
            status_code=403,
        )
    else:
        response = _error_page(request, exc.status_code, _(exc.message))
    if "retry_after" in exc.details:  # seconds until trying again may work (429)
        response.headers["retry-after"] = str(exc.details["retry_after"])
    return response


async def _log_in_again(request: Request) -> Response:
    """The login page; a form posted after the login ended comes along (if it came from our
    own page in this browser: its CSRF token says so), to be sent again after logging in."""
    if request.method == "POST" and "form" in request.headers.get("content-type", ""):
        try:
            typed = typed_text(form_values(await read_form(request)))
        except (AppError, ClientDisconnect):
            typed = {}
        if typed:
            context = {"next": request.url.path, "carry": typed}
            return render(request, "accounts/login.html", context, status_code=401)
    return Response(status_code=303, headers={"location": login_path(request)})


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {
        400: _("The request was malformed."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
    }
    message = messages.get(exc.status_code, str(exc.detail))
    if _wants_json(request):
        return JSONResponse(
            {"error": {"code": f"http_{exc.status_code}", "message": message}},
            status_code=exc.status_code,
        )
    return _error_page(request, exc.status_code, message)


async def client_gone(request: Request, exc: Exception) -> Response:
    """The browser left before sending its whole request (a judge's phone losing signal):
    nothing was read or written and nobody waits for the answer, so it is no server error."""
    log.info("client left during %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = _("Something went wrong on our side. Nothing was saved; please try again.")
    if _wants_json(request):
        response: Response = JSONResponse(
            {"error": {"code": "server_error", "message": message}}, 500
        )
    else:
        response = _error_page(request, 500, message)
    # Starlette answers this one outside every middleware, SecurityHeaders included.
    response.headers.update(security_headers(https=web_settings(request).is_https))
    return response


def _error_page(request: Request, status: int, message: str) -> Response:
    if not hasattr(request.state, "csrf_token") and hasattr(request.state, "csrf_cookie"):
        request.state.csrf_token = csrf_token(request)
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


class CsrfTokenForTemplates:
    """Exposes the form token to templates (it depends on the secret, so it is made here)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and "csrf_cookie" in scope.get("state", {}):
            request = Request(scope)
            scope["state"]["csrf_token"] = csrf_token(request)
        await self.app(scope, receive, send)


class OutageInMiddleware:
    """The 503 answer for a database outage met by a middleware (authentication looks the
    session up), where the routes' exception handlers do not reach."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except DatabaseUnavailable as exc:
            if started or scope["type"] != "http":
                raise
            response = await app_error(Request(scope, receive), exc)
            await response(scope, receive, send)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    static = Mount("/static", Assets(ROOT / "static"), name="static")
    api_routes = [route for router in API_ROUTERS for route in router.routes()]
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/api/v1/openapi.json", openapi),
        *PAGE_ROUTES,
        *api_routes,
        static,
    ]
    by_name = routes_by_name([*PAGE_ROUTES, static])
    pages = [r.path_regex for name in PUBLIC_PAGES if isinstance(r := by_name[name], Route)]
    api_reads = {r.path: r.path_regex for r in api_routes if r.methods and "GET" in r.methods}
    # API answers go through Redis only without a query string (app.caching.SHARED_PARAMETERS).
    public = [(p, SHARED_PARAMETERS) for p in pages]
    public += [(api_reads[path], frozenset[bytes]()) for path in PUBLIC_API]
    personal = [r.path_regex for name in PERSONAL_PAGES if isinstance(r := by_name[name], Route)]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SecurityHeaders, https=settings.is_https),
            Middleware(Compression),
            Middleware(
                BodyLimits,
                max_bytes=settings.max_upload_bytes + 64 * 1024,
                timeout=settings.body_timeout_seconds,
                idle=settings.body_idle_seconds,
            ),
            Middleware(LocaleAndCsrf, settings=settings),
            Middleware(CsrfTokenForTemplates),
            Middleware(
                PublicPageCache,
                paths=public,
                session_cookie=cookie_name(settings, SESSION_COOKIE),
                # Pages of another database (a second site on the same Redis) never mix.
                site=hashlib.sha256(settings.database_url.encode()).hexdigest()[:16],
                # What a kept form page holds in place of each browser's token: as long as a
                # token, and nobody outside can write it into a page.
                token_slot=hashlib.sha256(b"form token slot:" + settings.secret_key.encode())
                .hexdigest()
                .encode(),
                max_age=settings.page_cache_seconds,
                check_seconds=settings.page_cache_check_seconds,
                max_entries=settings.page_cache_entries,
            ),
            Middleware(
                PersonalPageCache,
                paths=personal,
                session_cookie=cookie_name(settings, SESSION_COOKIE),
                csrf_cookie=cookie_name(settings, CSRF_COOKIE),
                max_age=settings.personal_cache_seconds,
                max_total_bytes=settings.personal_cache_mb * 1024 * 1024,
                max_bytes=PERSONAL_PAGE_MAX_BYTES,
            ),
            Middleware(OutageInMiddleware),
            Middleware(Authentication),
        ],
        exception_handlers={
            AppError: app_error,
            HTTPException: http_error,
            ClientDisconnect: client_gone,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.routes_by_name = by_name
    return app
