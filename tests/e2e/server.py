"""The real Madrina for browser tests: `madrina migrate`, then the web app and a worker.

Both run as subprocesses on loopback, exactly as in production, against a database of
their own: a temporary SQLite file, or (when DATABASE_URL names a PostgreSQL server) a
dedicated `madrina_e2e` database on that server, emptied before every session. Redis is
REDIS_URL when set, else an embedded redis-server started here.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from app.config import ROOT
from app.embedded_redis import EmbeddedRedis

E2E_DATABASE = "madrina_e2e"
# A machine shared by several runs gives each its own: madrina_e2e_<suffix>.
E2E_SUFFIX = re.sub(r"[^a-z0-9_]", "", os.environ.get("MADRINA_E2E_DB_SUFFIX", "").lower())


def e2e_database_name() -> str:
    return f"{E2E_DATABASE}_{E2E_SUFFIX}" if E2E_SUFFIX else E2E_DATABASE


SECRET_KEY = "e2e-secret-key-that-is-long-enough-0123456789abcdef"
ADMIN_PASSWORD = "e2e admin password 2026"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class ServerFailed(RuntimeError):
    """The app or the worker did not come up; the message carries the ends of their logs."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def e2e_database_url(environment_url: str | None, workdir: Path) -> str:
    """Our own database: never the one the unit tests (or anybody else) use."""
    if environment_url and environment_url.startswith(("postgres://", "postgresql")):
        parts = urlsplit(environment_url)
        return urlunsplit(parts._replace(path=f"/{e2e_database_name()}"))
    return f"sqlite+aiosqlite:///{workdir / 'e2e.db'}"


def reset_postgres_database(url: str) -> None:
    """Create the e2e database when missing and empty it, so every session starts clean."""
    import asyncpg  # type: ignore[import-untyped]

    parts = urlsplit(url.replace("postgresql+asyncpg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    assert name == e2e_database_name(), f"refusing to reset database {name!r}"
    server_url = urlunsplit(parts._replace(path="/postgres"))
    own_url = urlunsplit(parts)

    async def reset() -> None:
        server = await asyncpg.connect(server_url)
        try:
            exists = await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await server.execute(f'CREATE DATABASE "{name}"')
        finally:
            await server.close()
        own = await asyncpg.connect(own_url)
        try:
            await own.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await own.close()

    asyncio.run(reset())


def empty_redis(url: str) -> None:
    """The e2e Redis database (REDIS_URL, one of its own) starts empty like the SQL one: the
    queue keeps a finished job's id for a while, so a job of the last session, say
    `certificate:1:v1`, would stop the same id (a new certificate 1) from being queued."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class LiveServer:
    """One Madrina (web + worker) for the whole test session."""

    def __init__(self, workdir: Path, logdir: Path) -> None:
        self.workdir = workdir
        self.logdir = logdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = e2e_database_url(os.environ.get("DATABASE_URL"), workdir)
        self.redis: EmbeddedRedis | None = None
        self.redis_url = os.environ.get("REDIS_URL", "")
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: list[IO[bytes]] = []

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        self.logdir.mkdir(parents=True, exist_ok=True)
        try:
            if not self.redis_url:
                self.redis = EmbeddedRedis(self.workdir / "redis")
                self.redis_url = self.redis.start()
            else:
                empty_redis(self.redis_url)
            if not self.database_url.startswith("sqlite"):
                reset_postgres_database(self.database_url)
            self.run_cli("migrate")
            self.processes["worker"] = self._spawn("worker", "worker")
            self.processes["web"] = self._spawn(
                "web", "serve", "--host", "127.0.0.1", "--port", str(self.port)
            )
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Terminate, wait, then kill: nothing of ours outlives the session."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
        self.processes.clear()
        for handle in self._logs:
            handle.close()
        self._logs.clear()
        if self.redis is not None:
            self.redis.stop()
            self.redis = None

    # -- helpers for tests ------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "MADRINA_ADMIN_"))
        }
        env.update(
            {
                # Development: without SMTP_HOST, e-mails wait in /dev/mail, where the tests
                # read the confirmation links.
                "ENVIRONMENT": "development",
                "SMTP_HOST": "",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SECRET_KEY": SECRET_KEY,
                "BASE_URL": self.url,
                "STORAGE_DIR": str(self.workdir / "storage"),
                "DEFAULT_LOCALE": "it",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def run_cli(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one `madrina` command to completion; its output goes to the session log."""
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            timeout=120,
            check=False,
        )
        output = (result.stdout + result.stderr).decode(errors="replace")
        with (self.logdir / "cli.log").open("a") as log:
            log.write(f"$ madrina {' '.join(args)}\n{output}\n")
        if result.returncode != 0:
            raise ServerFailed(f"`madrina {' '.join(args)}` failed:\n{output[-4000:]}")
        return output

    def create_admin(self, email: str, name: str) -> str:
        """A platform administrator through the real CLI; returns the password."""
        self.run_cli(
            "create-admin", email, "--name", name, env={"MADRINA_ADMIN_PASSWORD": ADMIN_PASSWORD}
        )
        return ADMIN_PASSWORD

    def health(self) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logdir / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def assert_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise ServerFailed(
                    f"the {name} process exited with {process.returncode}:\n{self.log_tail(name)}"
                )

    # -- internals --------------------------------------------------------------------

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logdir / f"{name}.log").open("wb")
        self._logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_until_healthy(self) -> None:
        """/healthz is 200 only with the database, Redis and a worker heartbeat all fine."""
        deadline = time.monotonic() + START_TIMEOUT
        last: object = "no answer"
        while time.monotonic() < deadline:
            self.assert_running()
            try:
                status, body = self.health()
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                last = exc
            else:
                if status == 200:
                    return
                last = body
            time.sleep(0.1)
        raise ServerFailed(
            f"/healthz not 200 after {START_TIMEOUT:.0f}s (last: {last})\n"
            f"web:\n{self.log_tail('web')}\nworker:\n{self.log_tail('worker')}"
        )
