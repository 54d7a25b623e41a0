"""The HTTP server: uvicorn, with bounds on what a client may send before the app sees it.

uvicorn's httptools protocol keeps a request line and headers of any size (httptools gathers
a header until it ends, uvicorn keeps them all), and waits for ever for a head that trickles
in or a connection that sends nothing. `BoundedHttpToolsProtocol` counts a head's bytes and
headers while they arrive and answers 431 past `MAX_HEAD_BYTES` or `MAX_HEADERS`, answers 408
to a head not in within `header_timeout_seconds`, and closes the connection after an answer
given before the request's body was all in (uvicorn would otherwise wait for the rest, with
no time limit, before the next request). The body's own time limits are the app's
(app.middleware.BodyLimits), as they answer in the app's format.
"""

from __future__ import annotations

import asyncio
import logging
from functools import cache
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app import i18n
from app.config import get_settings
from app.i18n import lazy
from app.middleware import security_headers

# Browsers send 1-4 KB; a cookie may take 4 KB. Past these a head is an attack or a bug.
MAX_HEAD_BYTES = 32 * 1024
MAX_HEADERS = 100
# uvicorn's default: an idle keep-alive connection is closed after this many seconds.
KEEP_ALIVE_SECONDS = 5
WORKER_HEALTHCHECK_SECONDS = 60
HEAD_TOO_LARGE = lazy("The request's headers are too large.")
HEAD_TOO_SLOW = lazy("The request took too long to arrive.")
MALFORMED = lazy("The request was malformed.")

log = logging.getLogger("madrina.server")


@cache
def _encoded(https: bool) -> list[tuple[bytes, bytes]]:
    return [
        (name.encode(), value.encode()) for name, value in security_headers(https=https).items()
    ]


def uvicorn_options() -> dict[str, Any]:
    """What `madrina serve` passes to uvicorn besides the app and the address."""
    return {
        "http": BoundedHttpToolsProtocol,
        "ws": "none",  # no WebSocket routes: no upgrade either
        "proxy_headers": True,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # With --workers, uvicorn kills a child that does not answer its health ping in
        # time, and starts another. Importing the app takes 3 s of CPU (WeasyPrint, SciPy):
        # on a busy host the default 5 s killed every child before it was up, forever.
        "timeout_worker_healthcheck": WORKER_HEALTHCHECK_SECONDS,
    }


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on a request's head (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.head_timeout = settings.header_timeout_seconds
        self.locale = settings.default_locale
        self.security_headers = _encoded(settings.is_https)
        self._reading_head = True
        self._head_received = 0  # bytes received since this head began, by whole reads
        self._head_size = 0  # bytes of this head's headers parsed so far
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # From here the first request's head must arrive in time: a connection that sends
        # nothing is closed too (uvicorn starts its keep-alive clock only after an answer).
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the answer is out and the connection closing
        if self._reading_head:
            self._head_received += len(data)
        super().data_received(data)
        if self._refused or self.transport.is_closing() or not self._reading_head:
            return
        # Still in a head after a whole read: httptools holds the part of a header it has
        # not finished, which the callbacks below do not see yet.
        if self._head_received > MAX_HEAD_BYTES:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, HEAD_TOO_LARGE)
        elif self._head_received and self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    # httptools' callbacks: once refused, the rest of the request is ignored.

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value)
        if self._head_size <= MAX_HEAD_BYTES and len(self.headers) < MAX_HEADERS:
            super().on_header(name, value)
        else:  # and so are the headers after it: the size only grows, the count stays
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, HEAD_TOO_LARGE)

    def on_headers_complete(self) -> None:
        size = self._head_size + len(self.url)
        self._reading_head = False
        self._head_received = self._head_size = 0
        self._stop_head_timer()
        if size > MAX_HEAD_BYTES:
            self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, HEAD_TOO_LARGE)
        if not self._refused:
            super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._reading_head = True
        if not self._refused:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        # The latest request, answered before its body was all in (413, 408, 401...): rather
        # than wait for the rest, close once the answer is out. (A request that came after it
        # has a cycle of its own, not yet answered.)
        if self.cycle is not None and self.cycle.response_complete and self.cycle.more_body:
            self.transport.close()
        super().on_response_complete()

    def _should_upgrade(self) -> bool:
        return not self._refused and super()._should_upgrade()

    def send_400_response(self, msg: str) -> None:
        self._refuse(HTTPStatus.BAD_REQUEST, MALFORMED)

    # Our answers, written before the app sees the request.

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False  # a pipelined head: close after the answer in progress
        elif self._head_received == 0:
            self.transport.close()  # nothing of a request came: nobody to answer
        else:
            self._refuse(HTTPStatus.REQUEST_TIMEOUT, HEAD_TOO_SLOW)

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        if self._refused:
            return
        self._refused = True
        self._stop_head_timer()
        if self.transport.is_closing():
            return
        if status != HTTPStatus.BAD_REQUEST:  # uvicorn has logged that one
            log.warning("%s %s from %s", status.value, status.phrase, self.client)
        with i18n.use_locale(self.locale):
            body = i18n.gettext(message).encode()
        headers = [
            *self.server_state.default_headers,
            *self.security_headers,
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        head = f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode()
        lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(head + lines + b"\r\n" + body)
        self.transport.close()

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
