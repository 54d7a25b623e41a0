"""Speed without leaks: anonymous public pages (and their JSON API twins) kept in memory with
ETags, and gzip.

Both are pure ASGI middleware; `app.main.create_app` puts compression just inside the
security headers and the page cache just inside the CSRF middleware (it reads the
locale, the CSRF cookie and the form token they put in the request's state).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from redis.exceptions import RedisError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import jobs, pagecache
from app.middleware import cookie_value, held_back

GZIP_MIN_SIZE = 1024
GZIP_LEVEL = 6
COMPRESSIBLE = (b"text/html", b"text/css", b"text/plain", b"application/json", b"image/svg+xml")
KEPT_TYPES = (b"text/html", b"application/json")


@dataclass
class CachedPage:
    generation: tuple[int, bytes | None]
    stored_at: float
    etag: str
    headers: list[tuple[bytes, bytes]]  # the answer's own: its content type, an API's Link
    body: bytes
    holds_token: bool  # a form: the slot in the body gets each browser's own form token
    gzipped: bytes | None = None  # made when a browser first accepts it

    def gzip(self) -> bytes | None:
        if self.holds_token:  # BREACH: a page with a secret is never compressed
            return None
        if self.gzipped is None and len(self.body) >= GZIP_MIN_SIZE:
            self.gzipped = gzip.compress(self.body, GZIP_LEVEL)
        return self.gzipped


class PublicPageCache:
    """Serves the public pages and API reads (`paths`) to anonymous callers from memory, with
    an ETag.

    Only a GET with no session cookie and no Authorization header is looked up or kept, and
    only a 200 HTML or JSON answer that sets no cookie and does not hold this browser's CSRF
    cookie is kept: what one caller is given is what every anonymous caller would be given,
    but for a form's token. A page with a form (the people's ballot) is kept with
    `token_slot` where this browser's form token was, and each browser gets the page with
    its own token put back (its own ETag, never compressed); the slot, derived from the
    site's secret, never leaves the server. An entry lasts until the next write anywhere
    (`app.pagecache`), at most `max_age` seconds (pages that change with the clock), and the
    least recently used go past `max_entries`. A page missing here is looked for in Redis,
    where the first process to make it leaves it for the others (under the shared
    generation, for `max_age`), when its query string names only the parameters `paths`
    gives its pattern. A request whose If-None-Match matches gets a 304 without a body.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        paths: Sequence[tuple[re.Pattern[str], frozenset[bytes]]],
        session_cookie: str,
        site: str,
        token_slot: bytes,
        max_age: float,
        check_seconds: float,
        max_entries: int,
    ) -> None:
        self.app = app
        self.paths = paths
        self.session_cookie = session_cookie
        self.site = site
        self.token_slot = token_slot
        self.max_age = max_age
        self.max_entries = max_entries
        self.generation = pagecache.Generation(check_seconds=check_seconds)
        self.entries: OrderedDict[tuple[str, str, bytes], CachedPage] = OrderedDict()

    def _shared_parameters(self, scope: Scope) -> frozenset[bytes] | None:
        """The query parameters under which this request's answer is shared through Redis,
        or None when it is not public (never looked up, never kept)."""
        if scope["method"] != "GET" or self.max_age <= 0:
            return None
        shared = next((s for p, s in self.paths if p.match(scope["path"])), None)
        headers = dict(scope["headers"])
        if shared is None or b"authorization" in headers:
            return None
        if b"cookie" in headers and cookie_value(scope, self.session_cookie) is not None:
            return None
        return shared

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        shared_parameters = self._shared_parameters(scope) if scope["type"] == "http" else None
        if shared_parameters is None:
            await self.app(scope, receive, send)
            return
        key = (scope["state"]["locale"], scope["path"], scope.get("query_string", b""))
        generation = await self.generation.current()
        now = time.monotonic()
        entry = self.entries.get(key)
        if entry and entry.generation == generation and now - entry.stored_at < self.max_age:
            self.entries.move_to_end(key)
            await self._send_page(scope, send, entry)
            return
        shared_key = _shared_key(self.site, key, generation, shared_parameters)
        found = await _shared_get(shared_key)
        if found is not None:
            head, _sep, body = found.partition(b"\r\n\r\n")
            kept = [_header(line) for line in head.split(b"\r\n")]
            await self._send_page(scope, send, self._keep(key, generation, now, kept, body))
            return

        answer = await held_back(self.app, scope, receive, send)
        if answer is None:  # streamed: passed on as it came, not kept
            return
        start, body = answer
        headers = Headers(raw=start["headers"])
        if (
            start["status"] != 200
            or not headers.get("content-type", "").encode("latin-1").startswith(KEPT_TYPES)
            or "set-cookie" in headers
            or "content-encoding" in headers
            or _personal(scope, body)
        ):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        # Content-Length is counted again for the body sent, plain or gzipped.
        kept = [(name, value) for name, value in start["headers"] if name != b"content-length"]
        token = scope["state"].get("csrf_token")
        if token:
            body = body.replace(token.encode(), self.token_slot)
        entry = self._keep(key, generation, now, kept, body)
        head = b"\r\n".join(name + b": " + value for name, value in kept)
        await _shared_set(shared_key, head + b"\r\n\r\n" + body, self.max_age)
        await self._send_page(scope, send, entry)

    def _keep(
        self,
        key: tuple[str, str, bytes],
        generation: tuple[int, bytes | None],
        now: float,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> CachedPage:
        entry = CachedPage(
            generation=generation,
            stored_at=now,
            etag='W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
            headers=headers,
            body=body,
            holds_token=self.token_slot in body,
        )
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)
        return entry

    async def _send_page(self, scope: Scope, send: Send, entry: CachedPage) -> None:
        body, etag = entry.body, entry.etag
        if entry.holds_token:  # this browser's own token where the page had the slot
            token = scope["state"]["csrf_token"].encode()
            body = body.replace(self.token_slot, token)
            etag = 'W/"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = [
            (b"etag", etag.encode()),
            (b"cache-control", b"private, no-cache"),
            (b"vary", b"Cookie, Accept-Encoding"),
        ]
        if _etag_matches(scope, etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        if _accepts_gzip(scope) and (gzipped := entry.gzip()) is not None:
            body = gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers += [*entry.headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# Query parameters of the public pages: only pages named by these are shared through Redis
# (each has few valid values: others are 'not found', never kept), so junk query strings
# cannot fill Redis. Not the API's: its gallery answers every ?page= up to 10,000 (an empty
# list past the end), so an API answer asked with a query string is kept in its process only.
SHARED_PARAMETERS = frozenset({b"track", b"page", b"lang"})


def _shared_key(
    site: str,
    key: tuple[str, str, bytes],
    generation: tuple[int, bytes | None],
    parameters: frozenset[bytes],
) -> str | None:
    locale, path, query = key
    shared = generation[1]
    if shared is None or len(query) > 100:
        return None
    names = {pair.partition(b"=")[0] for pair in query.split(b"&") if pair}
    if not names <= parameters:
        return None
    page = f"{locale}:{path}?{query.decode('latin-1')}"
    return pagecache.PAGE_KEY.format(site=site, generation=shared.decode(), page=page)


async def _shared_get(key: str | None) -> bytes | None:
    pool = jobs.get_pool()
    if key is None or pool is None:
        return None
    try:
        found: bytes | None = await pool.get(key)
    except (RedisError, OSError):
        return None
    return found


async def _shared_set(key: str | None, value: bytes, seconds: float) -> None:
    pool = jobs.get_pool()
    if key is None or pool is None:
        return
    with contextlib.suppress(RedisError, OSError):  # the others make the page themselves
        await pool.set(key, value, ex=max(1, int(seconds)))


def _header(line: bytes) -> tuple[bytes, bytes]:
    name, _sep, value = line.partition(b": ")
    return name, value


def _personal(scope: Scope, body: bytes) -> bool:
    """Whether the page was made for a person, or holds this browser's CSRF cookie (its form
    token is taken out of a kept page: see PublicPageCache)."""
    state = scope.get("state", {})
    cookie = state.get("csrf_cookie")
    return state.get("user") is not None or bool(cookie and cookie.encode() in body)


def _accepts_gzip(scope: Scope) -> bool:
    return b"gzip" in dict(scope["headers"]).get(b"accept-encoding", b"")


def _etag_matches(scope: Scope, etag: str) -> bool:
    asked = dict(scope["headers"]).get(b"if-none-match")
    if asked is None:
        return False
    opaque = etag.removeprefix("W/")
    tags = [t.strip().removeprefix("W/") for t in asked.decode("latin-1").split(",")]
    return "*" in tags or opaque in tags


class Compression:
    """gzip for text answers of at least GZIP_MIN_SIZE bytes sent in one piece, for browsers
    that accept it.

    BREACH: an attacker who can reflect chosen text into a compressed page can guess a
    secret on the same page from the sizes of the answers. So an answer holding this
    browser's form token (or CSRF cookie) is sent uncompressed: the pages of a logged-in
    person (the logout form) and every form page. What is compressed holds no secret.
    Streamed answers (exports, server-sent events, files) are left alone.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _accepts_gzip(scope):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passing = False

        async def compressing_send(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            assert start is not None
            passing = True
            body = message.get("body", b"")
            headers = MutableHeaders(scope=start)
            content_type = headers.get("content-type", "").encode("latin-1")
            if (
                message["type"] == "http.response.body"
                and not message.get("more_body", False)
                and len(body) >= GZIP_MIN_SIZE
                and content_type.startswith(COMPRESSIBLE)
                and "content-encoding" not in headers
                and not _holds_secret(scope, body)
            ):
                body = gzip.compress(body, GZIP_LEVEL)
                headers["content-encoding"] = "gzip"
                headers["content-length"] = str(len(body))
                headers.add_vary_header("Accept-Encoding")
                message = {**message, "body": body}
            await send(start)
            await send(message)

        await self.app(scope, receive, compressing_send)


def _holds_secret(scope: Scope, body: bytes) -> bool:
    state = scope.get("state", {})
    secrets_here = (state.get("csrf_token"), state.get("csrf_cookie"))
    return any(value and value.encode() in body for value in secrets_here)
