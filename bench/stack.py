"""The production shape for bench/load.py, on loopback: a scratch PostgreSQL database,
Redis, `madrina serve --workers 2` and `madrina worker`, each stopped and removed after."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from app.config import ROOT
from app.embedded_redis import EmbeddedRedis

# Set on every database this module creates: only such a database is ever dropped.
MARKER = "scratch database of bench.load: created and dropped by each run"
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class StackError(RuntimeError):
    """Something the run needs is missing; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def scratch_database(server_url: str, name: str) -> AsyncIterator[str]:
    """Create database `name` on the server `server_url` reaches; yield its URL; drop it.

    The database named in server_url is only used to connect. A database called `name`
    that this module did not create (no MARKER) is never dropped: the run stops instead.
    """
    if not NAME.match(name):
        raise StackError(f"database name {name!r}: use lower-case letters, digits and _")
    url = make_url(server_url)
    if not url.drivername.startswith("postgres"):
        raise StackError(
            f"{url.drivername} is not PostgreSQL: the load run needs a PostgreSQL server, e.g. "
            "--database-url postgresql://postgres@127.0.0.1:5432/postgres"
        )
    maintenance = url.database if url.database and url.database != name else "postgres"
    dsn = url.set(drivername="postgresql", database=maintenance).render_as_string(False)
    try:
        admin = await asyncpg.connect(dsn, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        raise StackError(
            f"cannot reach PostgreSQL at {url.render_as_string()} ({exc}). Set DATABASE_URL "
            "or --database-url to a server where this user may create databases, e.g. "
            "postgresql://postgres@127.0.0.1:5432/postgres (what `make load` uses by default)."
        ) from None
    try:
        found = await admin.fetchrow(
            "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database "
            "WHERE datname = $1",
            name,
        )
        if found is not None and found["comment"] != MARKER:
            raise StackError(
                f"database {name} exists and is not a leftover of this benchmark; "
                "choose another name with --database"
            )
        if found is not None:  # an interrupted run's
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{MARKER}'")
        try:
            yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def redis(url: str, directory: Path) -> AsyncIterator[str]:
    """The Redis URL given, else a private embedded redis-server for this run."""
    if url:
        yield url
        return
    embedded = EmbeddedRedis(directory)
    try:
        yield await asyncio.to_thread(embedded.start)
    finally:
        embedded.stop()


@asynccontextmanager
async def process(args: list[str], env: dict[str, str], log: Path) -> AsyncIterator[None]:
    """`python -m app.cli ARGS` from the repository root, output to `log`; stopped after."""
    with log.open("wb") as out:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app.cli", *args, cwd=ROOT, env=env, stdout=out, stderr=out
        )
        try:
            yield
        finally:
            if child.returncode is None:
                child.terminate()  # both commands stop cleanly on SIGTERM
                try:
                    await asyncio.wait_for(child.wait(), timeout=20)
                except TimeoutError:
                    child.kill()
                    await child.wait()


@asynccontextmanager
async def servers(env: dict[str, str], port: int, logs: Path) -> AsyncIterator[str]:
    """Two uvicorn workers and an arq worker; yields the base URL once /healthz says all
    three of database, Redis and worker are up (the worker's heartbeat is in Redis)."""
    base = f"http://127.0.0.1:{port}"
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(process(["worker"], env, logs / "worker.log"))
        await stack.enter_async_context(process(serve, env, logs / "serve.log"))
        await wait_healthy(base, logs)
        yield base


async def wait_healthy(base: str, logs: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    last = "no answer"
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        while time.monotonic() < deadline:
            try:
                response = await client.get("/healthz")
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.TransportError as exc:
                last = repr(exc)
            await asyncio.sleep(0.25)
    raise StackError(f"the app did not become healthy in {seconds:g}s: {last}\n{tails(logs)}")


def tails(logs: Path, lines: int = 15) -> str:
    """The last lines of every log, for an error message."""
    out = []
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        out.append(f"--- {log.name}\n" + "\n".join(text))
    return "\n".join(out)


@dataclass
class Logged:
    errors: list[str] = field(default_factory=list)  # per log: the count and the first
    disconnects: int = 0  # ClientDisconnect tracebacks (the app and uvicorn each log one)


# A client that goes away before the app has read a posted body: wrk does so when its time
# is up. Starlette raises ClientDisconnect and uvicorn logs it as an error.
DISCONNECT = "starlette.requests.ClientDisconnect"


def logged_errors(logs: Path) -> Logged:
    """Errors and tracebacks in the servers' logs, less those of clients gone away."""
    found = Logged()
    for log in sorted(logs.glob("*.log")):
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        errors = []
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                end = next((k for k in range(i + 1, len(lines)) if not lines[k][:1].isspace()), i)
                if lines[end].startswith(DISCONNECT):
                    found.disconnects += 1
                    continue
                errors.append(i)
                continue
            # uvicorn's and logging's error lines, unless a traceback follows to judge by
            traceback_next = i + 1 < len(lines) and lines[i + 1].startswith("Traceback")
            if ("ERROR" in line.split() or line.startswith("ERROR:")) and not traceback_next:
                errors.append(i)
        if errors:
            shown = "\n    ".join(lines[errors[0] : errors[0] + 40])
            found.errors.append(f"{log.name}: {len(errors)} errors; the first:\n    {shown}")
    return found


def child_environment(
    *, database_url: str, redis_url: str, base_url: str, storage: Path
) -> dict[str, str]:
    """Settings for the children, as a deployment gives them (nothing from a .env file
    may point them elsewhere: the environment wins over .env)."""
    return {
        **os.environ,
        "ENVIRONMENT": "production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": os.urandom(32).hex(),
        "BASE_URL": base_url,
        "STORAGE_DIR": str(storage),
        "DEFAULT_LOCALE": "it",
        "SMTP_HOST": "",  # no mail leaves the machine
    }
