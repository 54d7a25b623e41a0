"""`madrina serve` in a child process, and a raw socket to it: what a client sends before the
app sees a request (its head, the pace of its body) only the real server can show."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from app.config import ROOT, Settings
from tests.faults.services import free_port, wait_for


class ServeProcess:
    """`madrina serve` on a free loopback port, with the suite's database and Redis."""

    def __init__(self, settings: Settings, log: Path, **environment: str) -> None:
        self.settings = settings
        self.log = log
        self.environment = environment
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log_handle: IO[bytes] | None = None

    def start(self) -> ServeProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.update(
            ENVIRONMENT="test",
            DATABASE_URL=self.settings.database_url,
            REDIS_URL=self.settings.redis_url,
            SECRET_KEY=self.settings.secret_key,
            BASE_URL=self.settings.base_url,
            STORAGE_DIR=str(self.settings.storage_dir),
            DEFAULT_LOCALE=self.settings.default_locale,
            MAX_UPLOAD_BYTES=str(self.settings.max_upload_bytes),
            PYTHONUNBUFFERED="1",
            **self.environment,
        )
        self._log_handle = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
        )
        wait_for(f"madrina serve to answer; its log:\n{self.output()}", self.answers, timeout=60)
        return self

    def answers(self) -> bool:
        """/healthz answers at all (503 without a worker is fine: the server is up)."""
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"madrina serve exited:\n{self.output()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                return True
        except urllib.error.HTTPError:
            return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def rss_kib(self) -> int:
        """The server process's resident memory now (VmRSS)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS in /proc/<pid>/status")

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None


@dataclass
class Exchange:
    """What came back on a raw connection, and when the server was done with it."""

    answer: bytes
    seconds: float  # from the first byte sent until the server closed (or answered and closed)
    reset: bool  # the server closed while we were still sending or reading

    @property
    def status(self) -> int | None:
        if not self.answer.startswith(b"HTTP/1.1 "):
            return None
        return int(self.answer[9:12])

    def header(self, name: str) -> str | None:
        head = self.answer.partition(b"\r\n\r\n")[0].decode("latin-1")
        for line in head.split("\r\n")[1:]:
            key, _sep, value = line.partition(":")
            if key.strip().lower() == name:
                return value.strip()
        return None

    @property
    def body(self) -> bytes:
        return self.answer.partition(b"\r\n\r\n")[2]


def exchange(
    port: int, chunks: Iterable[bytes], *, pause: float = 0.0, timeout: float = 30.0
) -> Exchange:
    """Send the chunks (`pause` seconds apart; stop when the server closes), then read until
    the server closes the connection."""
    started = time.monotonic()
    answer, reset = b"", False
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            for index, chunk in enumerate(chunks):
                if index and pause:
                    time.sleep(pause)
                sock.sendall(chunk)
            while data := sock.recv(65536):
                answer += data
        except (BrokenPipeError, ConnectionResetError):
            reset = True
            try:
                while data := sock.recv(65536):
                    answer += data
            except OSError:
                pass
    return Exchange(answer, time.monotonic() - started, reset)
