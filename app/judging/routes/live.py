"""Pages: a round's live results for its organisers, the big-screen view, and their stream.

The pages work without JavaScript (they refresh themselves every LIVE_REFRESH seconds, and
have a refresh link); static/live.js replaces their board in place from the stream, a
server-sent event per change carrying the board's HTML, rendered here like the page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from app.accounts import queries as accounts_queries
from app.accounts.auth import SESSION_COOKIE, require_user
from app.accounts.models import User
from app.db import DatabaseUnavailable
from app.errors import AppError
from app.i18n import gettext as _
from app.i18n import use_locale
from app.judging import live
from app.middleware import cookie_name, cookie_value
from app.templating import env, render
from app.web import path_for, path_id, services, settings

LIVE_REFRESH = 30  # seconds between refreshes of a page without JavaScript
SCREEN_PLACES = 10
MAX_PLACES = 50
RETRY_MS = 3000  # how long a browser waits before reconnecting a stream that ended
COALESCE_SECONDS = 0.3  # changes arriving together (many judges at once) make one refresh
SEND_TIMEOUT = 30  # a screen that takes no data for this long is dropped
DENIED = (401, 403, 404)


@dataclass(frozen=True)
class View:
    """Which board a page or stream shows: the organisers' one, or the big screen's."""

    screen: bool = False
    places: int = SCREEN_PLACES
    hide_scores: bool = False

    @classmethod
    def of(cls, request: Request, *, screen: bool) -> View:
        """Read from the query string; a value out of bounds is brought within them."""
        try:
            places = int(request.query_params.get("top", SCREEN_PLACES))
        except ValueError:
            places = SCREEN_PLACES
        return cls(
            screen=screen,
            places=min(max(places, 1), MAX_PLACES),
            hide_scores=request.query_params.get("scores") == "hidden",
        )

    def stream_path(self, request: Request, round_id: int) -> str:
        path = path_for(request, "round_live_stream", id=round_id)
        if not self.screen:
            return path
        hidden = "&scores=hidden" if self.hide_scores else ""
        return f"{path}?view=screen&top={self.places}{hidden}"


def _board(request: Request, snapshot: live.LiveRound, view: View) -> str:
    """The board's HTML, as the page includes it."""
    name = "judging/_screen_board.html" if view.screen else "judging/_live_board.html"
    context = {"live": snapshot, "view": view, "url_for": partial(path_for, request.app)}
    with use_locale(request.state.locale):
        return env.get_template(name).render(context)


async def _page(request: Request, *, screen: bool) -> Response:
    user = require_user(request)
    round_id = path_id(request)
    view = View.of(request, screen=screen)
    snapshot = await live.snapshot(services(request).db, user=user, round_id=round_id)
    context: dict[str, Any] = {
        "live": snapshot,
        "view": view,
        "stream": view.stream_path(request, round_id),
        "refresh": LIVE_REFRESH,
        "places_choices": (3, 5, 10, 20),
    }
    template = "judging/screen.html" if screen else "judging/live.html"
    return render(request, template, context)


async def live_page(request: Request) -> Response:
    return await _page(request, screen=False)


async def screen_page(request: Request) -> Response:
    return await _page(request, screen=True)


class LiveStream(EventSourceResponse):
    """A stream holding one of the process's slots until it ends, however it ends."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            live.slots.give_back()


async def live_stream(request: Request) -> Response:
    """The board, again at every change of the round (and a heartbeat in between).

    Without `Accept: text/event-stream` (a script, a plain GET) the answer is the board once.
    """
    user = require_user(request)
    round_id = path_id(request)
    view = View.of(request, screen=request.query_params.get("view") == "screen")
    found = services(request)
    config = settings(request)
    async with found.db.read() as session:
        judging_round, _challenge = await live.watched_round(session, user=user, round_id=round_id)
    if request.method != "GET" or "text/event-stream" not in request.headers.get("accept", ""):
        snapshot = await live.snapshot(found.db, user=user, round_id=round_id)
        once = ServerSentEvent(data=_board(request, snapshot, view), event="update")
        return EventSourceResponse(_single(once), ping=0)
    live.slots.take(config.live_streams)
    token = cookie_value(request.scope, cookie_name(config, SESSION_COOKIE)) or ""

    async def viewer(session: AsyncSession) -> User | None:
        """Who the browser is now: a login ended since (logged out, password changed)
        leaves nobody."""
        return await accounts_queries.user_for_session_token(session, token) if token else None

    async def events() -> AsyncIterator[ServerSentEvent]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + config.live_stream_seconds
        async with live.subscribed(
            found.redis, config, challenge_id=judging_round.challenge_id, round_id=round_id
        ) as changes:
            changed = True  # subscribed first, then read: no change falls in between
            missed = False
            heard_at = loop.time()
            while True:
                try:
                    async with found.db.read() as session:
                        who = await viewer(session)
                        watched, challenge = await live.watched_round(
                            session, user=who, round_id=round_id
                        )
                    if changed:  # outside that read: waiting for the board holds no connection
                        board = await live.boards.after(found.db, watched, heard_at)
                        snapshot = live.LiveRound(challenge, watched, board)
                except AppError as exc:
                    if exc.status_code not in DENIED:
                        raise
                    with use_locale(request.state.locale):
                        message = _("You may no longer watch this round.")
                    yield ServerSentEvent(data=message, event="closed")
                    return
                except DatabaseUnavailable:
                    missed = missed or changed  # refreshed at the next heartbeat instead
                    yield ServerSentEvent(comment="database unavailable; trying again")
                else:
                    missed = False
                    if changed:
                        html = _board(request, snapshot, view)
                        yield ServerSentEvent(data=html, event="update", retry=RETRY_MS)
                    else:
                        yield ServerSentEvent(comment="heartbeat")
                left = ends - loop.time()
                if left <= 0:
                    return  # the browser reconnects after RETRY_MS, and its rights are read anew
                changed = await changes.changed(min(config.live_heartbeat_seconds, left))
                changed = changed or missed
                heard_at = loop.time()
                if changed:
                    await asyncio.sleep(COALESCE_SECONDS)
                    await changes.drain()

    return LiveStream(events(), ping=0, send_timeout=SEND_TIMEOUT)


async def _single(event: ServerSentEvent) -> AsyncIterator[ServerSentEvent]:
    yield event


routes: list[BaseRoute] = [
    Route("/rounds/{id:int}/live", live_page, name="round_live"),
    Route("/rounds/{id:int}/live/stream", live_stream, name="round_live_stream"),
    Route("/rounds/{id:int}/screen", screen_page, name="round_screen"),
]
