"""A logged-in person's pages kept for their browser until the next write anywhere.

The judges' list, a score sheet, the organisers' ranking: a person opens them again and
again (back from a sheet, a reload at the expo) while nothing has changed. Such a page is
kept, rendered, for the browser that asked, and given back to the same browser without
looking the person up or reading the database, as long as:

- nothing was committed anywhere since it was made: the page is kept under the write
  generation (`app.pagecache`), whose shared part is read from Redis at every request
  (not every second, as for anonymous pages), so a write made through another web process
  or the worker (a score, a removed judge, a logout, a closed round) is seen at once;
  without an answer from Redis nothing is kept or served;
- the browser sends exactly the same cookies (its login, its CSRF cookie: the page's form
  token is the one this browser's cookie makes), the same locale and the same query;
- the login has not ended by its date, and the page is younger than `max_age` (pages that
  change with the clock alone);
- it was a GET of one of `paths`, answered 200 with HTML in one piece, setting no cookie,
  for a person (not for a browser whose login had ended).

A write's own request never keeps its page: the generation it was read under is gone by
the time the page is made. Only the pages of `paths` are kept: their GETs write nothing.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import pagecache
from app.middleware import cookie_value, held_back

SESSION_ENDS = "session_ends"  # request state: when this browser's login ends (Unix time)


@dataclass(frozen=True)
class KeptPage:
    generation: tuple[int, bytes]
    stored_at: float
    session_ends: float
    status: int
    headers: tuple[tuple[bytes, bytes], ...]  # as the page made them: the outer layers add theirs
    body: bytes

    async def send(self, send: Send) -> None:
        # A new message each time: the outer middleware add their headers to the one sent.
        await send(
            {"type": "http.response.start", "status": self.status, "headers": [*self.headers]}
        )
        await send({"type": "http.response.body", "body": self.body})


class PersonalPageCache:
    """Keeps the pages of `paths` per browser; see the module's docstring for when."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: Sequence[re.Pattern[str]],
        session_cookie: str,
        csrf_cookie: str,
        max_age: float,
        max_total_bytes: int,
        max_bytes: int,
    ) -> None:
        self.app = app
        self.paths = paths
        self.session_cookie = session_cookie
        self.csrf_cookie = csrf_cookie
        self.max_age = max_age
        self.max_total_bytes = max_total_bytes
        self.max_bytes = max_bytes
        self.kept_bytes = 0
        self.generation = pagecache.Generation(check_seconds=0)
        self.entries: OrderedDict[tuple[str, str, bytes, bytes], KeptPage] = OrderedDict()

    def _kept_here(self, scope: Scope) -> bool:
        if scope["method"] != "GET" or self.max_age <= 0:
            return False
        if b"authorization" in dict(scope["headers"]):
            return False
        if cookie_value(scope, self.session_cookie) is None:
            return False
        if cookie_value(scope, self.csrf_cookie) is None:  # its page's token would be new
            return False
        return any(p.match(scope["path"]) for p in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._kept_here(scope):
            await self.app(scope, receive, send)
            return
        local, shared = await self.generation.current()
        if shared is None:  # Redis did not answer: another process's write could go unseen
            await self.app(scope, receive, send)
            return
        generation = (local, shared)
        sent = b"; ".join(value for name, value in scope["headers"] if name == b"cookie")
        cookies = hashlib.blake2b(sent, digest_size=32).digest()
        key = (scope["state"]["locale"], scope["path"], scope.get("query_string", b""), cookies)
        now = time.monotonic()
        entry = self.entries.get(key)
        if (
            entry is not None
            and entry.generation == generation
            and now - entry.stored_at < self.max_age
            and time.time() < entry.session_ends
        ):
            self.entries.move_to_end(key)
            await entry.send(send)
            return

        answer = await held_back(self.app, scope, receive, send)
        if answer is None:  # streamed: passed on as it came, not kept
            return
        start, body = answer
        session_ends = scope["state"].get(SESSION_ENDS)
        if self._keepable(start, body) and scope["state"].get("user") and session_ends:
            headers = tuple(start["headers"])  # before the outer layers add to them
            self._keep(key, KeptPage(generation, now, session_ends, 200, headers, body))
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _keep(self, key: tuple[str, str, bytes, bytes], page: KeptPage) -> None:
        replaced = self.entries.pop(key, None)
        self.kept_bytes += len(page.body) - (len(replaced.body) if replaced else 0)
        self.entries[key] = page
        while self.kept_bytes > self.max_total_bytes:  # the least recently used go first
            _key, dropped = self.entries.popitem(last=False)
            self.kept_bytes -= len(dropped.body)

    def _keepable(self, start: Message, body: bytes) -> bool:
        headers = Headers(raw=start["headers"])
        return (
            start["status"] == 200
            and headers.get("content-type", "").startswith("text/html")
            and "set-cookie" not in headers
            and "content-encoding" not in headers
            and len(body) <= self.max_bytes
        )
