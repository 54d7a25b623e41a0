"""Requests that end badly on the client's side are not server errors."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.factories import Actors, csrf


async def test_a_client_leaving_mid_post_is_not_logged_as_a_server_error(
    app: Starlette, actors: Actors, caplog: pytest.LogCaptureFixture
) -> None:
    async with actors.anonymous() as http:
        token = await csrf(http, "/login")
        cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    body = f"csrf_token={token}&email=a%40example.org".encode()
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[:20], "more_body": True},
        {"type": "http.disconnect"},  # the phone lost signal before the rest arrived
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/login",
        "raw_path": b"/login",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body) + 100).encode()),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)

    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("client left during POST /login" in r.getMessage() for r in caplog.records)
