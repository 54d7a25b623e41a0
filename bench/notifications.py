"""Notifications per second: "results published" told to 2,000 people, queued and delivered.

ours = the real path: the ResultsPublished event in the outbox -> the arq worker's
dispatcher -> the notifications handler (a Notification row and a queued e-mail per person,
in the recipient's language, in one transaction) -> one `mail.deliver` job per e-mail ->
aiosmtplib to an SMTP server on loopback (aiosmtpd), which counts what each address got.
Against it: the same number of e-mails built and sent by app.mail.send alone, ten at a
time like the worker's max_jobs (no database, no queue): the price of the outbox is the
ratio. Also printed: the worker's peak memory (RSS) and proof that each person got exactly
one message.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import socket
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, insert, select

from app import mail
from app.accounts.models import Role, RoleKind, User
from app.challenges.models import Challenge
from app.config import Settings
from app.db import Database, utcnow
from app.embedded_redis import EmbeddedRedis
from app.events.models import OutgoingMail
from app.events.service import emit
from app.judging.events import ResultsPublished
from app.main import create_app
from app.migrate import upgrade
from bench.harness import bench_settings, table
from workers.main import build_worker

RECIPIENTS = 2000
QUICK_RECIPIENTS = 300  # --quick: a smoke run well under a minute
MAX_JOBS = 10  # as workers.main


class Counting:
    """aiosmtpd handler: how many messages each address got (bodies are not kept)."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.update(envelope.rcpt_tos)
        return "250 OK"


def _port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _people(db: Database, n: int) -> int:
    """A published challenge and n people holding a role in it, half of them in English."""
    now = utcnow()
    async with db.transaction() as session:
        challenge = Challenge(
            slug="bench-notify", title="Climathon Mantova 2026", is_published=True
        )
        session.add(challenge)
        await session.flush()
        assert challenge.id is not None
        await session.execute(
            insert(User.__table__),  # type: ignore[attr-defined]
            [
                {
                    "email": f"person{k}@example.org",
                    "name": f"Persona {k}",
                    "password_hash": "x",
                    "is_admin": False,
                    "may_create_challenges": False,
                    "is_active": True,
                    "locale": "en" if k % 2 else "it",
                    "created_at": now,
                    "link_nonce": f"{k:032d}",
                    "totp_last_step": 0,
                }
                for k in range(n)
            ],
        )
        ids = list(
            (
                await session.execute(
                    User.__table__.select().with_only_columns(User.__table__.c.id)  # type: ignore[attr-defined]
                )
            ).scalars()
        )
        await session.execute(
            insert(Role.__table__),  # type: ignore[attr-defined]
            [
                {"user_id": i, "challenge_id": challenge.id, "kind": RoleKind.PARTICIPANT.value,
                 "created_at": now}
                for i in ids
            ],
        )  # fmt: skip
        return challenge.id


async def ours(settings: Settings, sink: Counting, n: int) -> dict[str, float]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        db: Database = app.state.services.db
        challenge_id = await _people(db, n)
        rss_before = _rss_mb()
        started = time.perf_counter()
        async with db.transaction() as session:
            emit(session, ResultsPublished(challenge_id=challenge_id))
        worker = build_worker(
            settings, settings.redis_url, burst=True, poll_delay=0.01, handle_signals=False
        )
        try:
            await worker.async_run()
        finally:
            await worker.close()
        seconds = time.perf_counter() - started
        async with db.read() as session:
            first, last, sent = (
                await session.execute(
                    select(
                        func.min(OutgoingMail.created_at),
                        func.max(OutgoingMail.created_at),
                        func.max(OutgoingMail.sent_at),
                    )
                )
            ).one()
    got = Counter(sink.received.values())
    exact = got == Counter({1: n}) and len(sink.received) == n
    return {
        "seconds": seconds,
        "queueing": (last - first).total_seconds(),
        "delivering": (sent - last).total_seconds(),
        "rss_mb": _rss_mb(),
        "rss_before": rss_before,
        "exact": exact,
    }


async def send_alone(settings: Settings, n: int) -> float:
    """The same number of messages by app.mail.send, MAX_JOBS at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for k in range(n):
        queue.put_nowait(k)

    async def sender() -> None:
        while not queue.empty():
            k = queue.get_nowait()
            await mail.send(
                settings,
                to=f"other{k}@example.org",
                subject="I risultati di Climathon Mantova 2026 sono pubblicati",
                body="Buongiorno,\n\ni risultati sono pubblicati.\n",
                html="<p>Buongiorno,</p><p>i risultati sono pubblicati.</p>",
            )

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(MAX_JOBS)))
    return time.perf_counter() - started


async def run(quick: bool) -> None:
    n = QUICK_RECIPIENTS if quick else RECIPIENTS
    directory = Path(tempfile.mkdtemp(prefix="madrina-bench-notify-"))
    redis = EmbeddedRedis(directory / "redis")
    sink = Counting()
    controller = Controller(sink, hostname="127.0.0.1", port=_port())
    controller.start()
    try:
        settings = bench_settings(directory).model_copy(
            update={
                "redis_url": redis.start(),
                "smtp_host": "127.0.0.1",
                "smtp_port": controller.port,
            }
        )
        await asyncio.to_thread(upgrade, settings.database_url)
        found = await ours(settings, sink, n)
        alone = await send_alone(settings, n)
    finally:
        controller.stop()
        redis.stop()
        shutil.rmtree(directory, ignore_errors=True)
    rows = [
        ["ours: outbox -> handler -> one deliver job each -> SMTP", n / found["seconds"],
         found["seconds"], 1.0],
        [f"app.mail.send alone, {MAX_JOBS} at a time", n / alone, alone,
         found["seconds"] / alone],
    ]  # fmt: skip
    print(
        table(
            f'"Results published" to {n:,} people (SQLite, embedded Redis, loopback SMTP)',
            ["path", "messages/s", "seconds", "ours/this"],
            rows,
        )
    )
    print(
        f"the handler queued the {n:,} e-mails in {found['queueing']:.1f}s (one transaction); "
        f"the deliveries after it took {found['delivering']:.1f}s"
    )
    print(
        f"worker peak RSS {found['rss_mb']:.0f} MB "
        f"(before the event {found['rss_before']:.0f} MB); "
        f"each of the {n:,} people got exactly one message: {'yes' if found['exact'] else 'NO'}"
    )
    if not found["exact"]:
        raise SystemExit("a person got no message or more than one")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    asyncio.run(run(parser.parse_args().quick))
