"""The same pages over real HTTP: uvicorn in its own process, a keep-alive client here.

Two servers, both up but loaded one at a time, each a single uvicorn process like one
production worker: our app on the benchmark's database, and a bare Starlette app
(bench/servers.py) answering the captured bytes. The client is a few lines of asyncio
(httpx would be the bottleneck): C connections, each sending its next request as soon as
the answer is in.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config import ROOT, Settings
from app.middleware import CSRF_COOKIE
from bench import servers
from bench.harness import BenchApp, ms, quantile, table

if TYPE_CHECKING:
    from bench.pages import Captured

CSRF = "b" * 43  # a well-formed token, so the middleware does not mint one per request
# Pages worth the time over HTTP: a small page, the biggest page, and a logged-in page.
PAGES = ("project", "challenge + gallery", "judge: assignments")
# ... and at 10N the page that ranks every project (issue 11 wants it at 0.1x bare or more).
LARGE_PAGES = ("organiser: ranking",)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def uvicorn_server(factory: str, environ: dict[str, str]) -> AsyncIterator[int]:
    """Start `uvicorn --factory` on a free loopback port; stop it (this process only) after."""
    port = _free_port()
    # One worker process, as one production worker: uvloop, and httptools with the bounds
    # `madrina serve` puts on a request's head (app/server.py), for both servers alike.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--http", "app.server:BoundedHttpToolsProtocol",
        cwd=ROOT,
        env={**os.environ, **environ},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"uvicorn {factory} did not start") from None
                await asyncio.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=10)
        except TimeoutError:
            process.kill()
            await process.wait()


# The client --------------------------------------------------------------------------------


async def _one_connection(port: int, request: bytes, until: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != b"200":
                raise RuntimeError(f"HTTP {status.decode()}: {head[:200]!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def load(
    port: int, path: str, *, cookies: dict[str, str], connections: int, seconds: float
) -> tuple[float, list[float]]:
    """Requests per second and every request's latency, C keep-alive connections at once."""
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/html\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    # Warm up (first requests compile templates, fill caches), then measure.
    await asyncio.gather(
        *(_one_connection(port, request, time.perf_counter() + 0.3, []) for _ in range(2))
    )
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(_one_connection(port, request, until, latencies) for _ in range(connections))
    )
    return len(latencies) / (time.perf_counter() - started), latencies


# The benchmark -----------------------------------------------------------------------------


async def run(
    env: BenchApp, captured: list[Captured], *, quick: bool, pages: tuple[str, ...] = PAGES
) -> None:
    """Ours against bare over HTTP, for a few pages, alternating page by page."""
    chosen = [c for c in captured if c.page.name in (pages[:1] if quick else pages)]
    rounds, seconds, connections = (1, 0.3, 4) if quick else (3, 2.0, 8)
    with tempfile.TemporaryDirectory(prefix="madrina-bench-http-") as tmp:
        pages_file = Path(tmp) / "captured.json"
        pages_file.write_text(
            json.dumps([{"body": c.body.decode(), "content_type": c.content_type} for c in chosen]),
            encoding="utf-8",
        )
        ours_env = {servers.SETTINGS: _settings_json(env.settings)}
        results: dict[str, dict[str, list[Any]]] = {
            c.page.name: {"ours": [], "bare": [], "lat_ours": [], "lat_bare": []} for c in chosen
        }
        # Both servers start together and stay up; only the one under load uses a core.
        async with (
            uvicorn_server("bench.servers:served_app", ours_env) as ours_port,
            uvicorn_server(
                "bench.servers:bare_app", {servers.CAPTURED: str(pages_file)}
            ) as bare_port,
        ):
            for _ in range(rounds):
                for i, c in enumerate(chosen):
                    user_id = env.user_id(c.page.who)
                    cookies = {CSRF_COOKIE: CSRF}
                    if user_id is not None:
                        cookies.update(env.cookies[user_id])
                    for name, port, path, sent in (
                        ("ours", ours_port, c.url, cookies),
                        ("bare", bare_port, f"/bare/{i}", {}),
                    ):
                        rps, lat = await load(
                            port, path, cookies=sent, connections=connections, seconds=seconds
                        )
                        results[c.page.name][name].append(rps)
                        results[c.page.name][f"lat_{name}"] += lat
    rows = []
    for c in chosen:
        r = results[c.page.name]
        ours, bare = statistics.median(r["ours"]), statistics.median(r["bare"])
        rows.append(
            [c.page.name, c.kb, ours, ms(quantile(r["lat_ours"], 0.5)),
             ms(quantile(r["lat_ours"], 0.9)), bare, ms(quantile(r["lat_bare"], 0.9)),
             bare / ours]
        )  # fmt: skip
    print(
        table(
            f"Pages over HTTP (one uvicorn process, {connections} keep-alive connections, "
            f"{rounds}x{seconds:g}s): {len(env.data.project_ids)} projects",
            ["page", "KB", "ours req/s", "p50 ms", "p90 ms", "bare req/s", "bare p90", "ours/bare"],
            rows,
        )
    )
    print("req/s: median over rounds; ours/bare: time per request, from the req/s.")


def _settings_json(settings: Settings) -> str:
    data = settings.model_dump(mode="json")
    data["redis_url"] = ""  # the server starts its own embedded Redis
    return json.dumps(data)
