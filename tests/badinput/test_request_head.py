"""A request's line and headers are bounded while they arrive, by the server itself: past
32 KB or 100 headers the answer is 431 (or, to a client still sending, a closed connection)
in a blink, and the server's memory does not grow; a head that is not in within the header
timeout is a 408; an answer given before the body is in closes the connection.

Each test talks to `madrina serve` over a raw socket (tests/badinput/server.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator

import pytest

from app.middleware import security_headers
from app.server import MAX_HEAD_BYTES, MAX_HEADERS
from tests.badinput.helpers import MB
from tests.badinput.server import Exchange, ServeProcess, exchange

HUGE = 20 * MB
CHUNK = 64 * 1024
CLOSE = b"Connection: close\r\n"
TOO_LARGE_IT = "Le intestazioni della richiesta sono troppo grandi."


def one_huge_header() -> Iterator[bytes]:
    yield b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
    for _ in range(HUGE // CHUNK):
        yield b"a" * CHUNK
    yield b"\r\n\r\n"


def many_headers() -> Iterator[bytes]:
    yield b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    line = b"X-Filler: abcdefghij\r\n"
    block = line * (CHUNK // len(line))
    for _ in range(HUGE // len(block)):
        yield block
    yield b"\r\n"


def one_huge_url() -> Iterator[bytes]:
    yield b"GET /?q="
    for _ in range(HUGE // CHUNK):
        yield b"a" * CHUNK
    yield b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


HUGE_HEADS: dict[str, Callable[[], Iterator[bytes]]] = {
    "one huge header": one_huge_header,
    "many headers": many_headers,
    "a huge URL": one_huge_url,
}


def get(*headers: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(headers) + CLOSE + b"\r\n"


async def send(served: ServeProcess, *chunks: bytes, pause: float = 0.0) -> Exchange:
    return await asyncio.to_thread(exchange, served.port, chunks, pause=pause)


@pytest.mark.parametrize("shape", HUGE_HEADS)
async def test_a_twenty_megabyte_head_is_refused_while_it_arrives_and_costs_no_memory(
    served: ServeProcess, shape: str
) -> None:
    await send(served, get())  # what the first request allocates once is not counted
    before = served.rss_kib()

    result = await asyncio.to_thread(exchange, served.port, HUGE_HEADS[shape]())
    after = served.rss_kib()

    assert result.status == 431 or (result.reset and result.answer == b"")
    assert result.seconds < 5
    assert after - before < 4 * 1024, f"RSS grew from {before} to {after} KiB"
    assert (await send(served, get())).status == 200


async def test_one_header_more_than_the_bound_is_a_clear_431(served: ServeProcess) -> None:
    headers = [b"X-Filler-%d: a\r\n" % n for n in range(MAX_HEADERS)]

    result = await send(served, get(*headers))

    assert result.status == 431
    assert result.body.decode() == TOO_LARGE_IT
    assert result.header("connection") == "close"
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert_security_headers(result)


def assert_security_headers(result: Exchange) -> None:
    expected = security_headers(https=False)  # the served app's base URL is http://
    assert {name: result.header(name) for name in expected} == expected


async def test_a_request_the_parser_refuses_is_a_400_with_the_security_headers(
    served: ServeProcess,
) -> None:
    result = await send(served, b"G@T / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

    assert result.status == 400
    assert result.header("connection") == "close"
    assert_security_headers(result)


async def test_a_head_a_little_over_the_size_bound_is_a_431(served: ServeProcess) -> None:
    result = await send(served, get(b"X-Filler: " + b"a" * MAX_HEAD_BYTES + b"\r\n"))

    assert result.status == 431


async def test_a_head_just_under_both_bounds_is_served(served: ServeProcess) -> None:
    room = MAX_HEAD_BYTES - 2048
    headers = [b"X-Filler-%d: %s\r\n" % (n, b"a" * (room // 90)) for n in range(90)]

    result = await send(served, get(*headers))

    assert result.status == 200


async def test_requests_one_after_the_other_on_one_connection_are_all_answered(
    served: ServeProcess,
) -> None:
    keep_alive = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    body = b"email=a"
    post = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n" % len(body)
    post += b"Content-Type: application/x-www-form-urlencoded\r\n\r\n" + body

    together = await send(served, keep_alive + post + keep_alive + get())
    in_turn = await send(served, keep_alive, post, keep_alive, get(), pause=0.2)
    # The first answer goes out while the second request's body is still coming.
    overlapping = await send(
        served, keep_alive + post[:-3], post[-3:] + keep_alive + get(), pause=0.3
    )

    for result in (together, in_turn, overlapping):
        statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", result.answer)]
        assert statuses == [200, 403, 200, 200]  # the 403: the login form has no CSRF token


async def test_a_large_body_after_a_small_head_is_not_counted_as_head(
    served: ServeProcess,
) -> None:
    body = b"email=" + b"a" * (300 * 1024)
    head = (
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: %d\r\n" % len(body)
    )

    result = await send(served, head + CLOSE + b"\r\n" + body)

    assert result.status == 403  # read, then refused for its missing CSRF token


async def test_a_head_that_stalls_is_a_408_within_the_header_timeout(
    served: ServeProcess,
) -> None:
    result = await send(served, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    assert result.status == 408
    assert 0.9 < result.seconds < 3
    assert result.header("connection") == "close"
    assert_security_headers(result)


async def test_a_head_that_trickles_in_is_a_408_however_often_a_byte_comes(
    served: ServeProcess,
) -> None:
    trickle = [bytes([byte]) for byte in b"GET / HTTP/1.1\r\nX-Slow: abcdefghijklmnopqrstuvwxyz"]

    result = await send(served, *trickle, pause=0.1)

    assert result.status == 408 or result.reset  # the server closed while we still sent
    assert result.seconds < 2.5 < 0.1 * len(trickle)


async def test_a_connection_that_sends_nothing_is_closed_within_the_header_timeout(
    served: ServeProcess,
) -> None:
    result = await send(served)

    assert result.answer == b""
    assert 0.9 < result.seconds < 3


async def test_an_answer_given_before_the_body_is_in_closes_the_connection(
    served: ServeProcess,
) -> None:
    head = (
        b"POST /api/v1/challenges HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )

    result = await send(served, head + b'{"title": ')

    assert result.status == 401  # no token: refused before the body is read
    assert result.seconds < 0.9  # not left waiting for the rest of the body
