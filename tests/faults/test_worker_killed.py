"""A worker SIGKILLed in the middle of a job: a new worker finishes the work, exactly once.

arq leaves a killed job in its queue, marked in progress for job_timeout + 10 s (130 s),
then runs it again; the reconcilers of the outbox and of the certificates do not wait
that long: a restarted worker runs them at once and they send the stuck work again
under fresh job ids. The second worker here is told (through the operators' settings)
that one second is old enough, so the test need not wait the default 30 s and 2 min.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from app.certificates.models import Certificate, CertificateStatus
from app.config import Settings
from app.db import Database
from app.events.models import HandledEvent
from tests.factories import Actors
from tests.faults.conftest import WorkerFactory
from tests.faults.services import RedisServer, WorkerProcess, eventually, threads_in_nanosleep
from tests.faults.world import (
    assert_done_exactly_once,
    certificates,
    count,
    publish,
    results_event,
    results_ready,
    wait_until_done,
)

IMPATIENT = {"OUTBOX_RECONCILE_SECONDS": "1", "CERTIFICATE_RECONCILE_SECONDS": "1"}


def in_progress(redis_server: RedisServer, prefix: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bool(redis_server.jobs_in_progress(prefix))

    return check


@asynccontextmanager
async def writes_blocked(db: Database) -> AsyncIterator[None]:
    """Another client holds a lock the results handler needs: the job stalls half-way.

    PostgreSQL: a SHARE lock on the certificate table, so the handler has written its
    HandledEvent marker and waits to insert certificates. SQLite: the database's write
    lock, so the handler waits to begin its transaction.
    """
    if db.settings.is_sqlite:
        path = db.settings.database_url.split(":///", 1)[1]
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()
    else:
        async with db.engine.connect() as conn:
            await conn.execute(text("LOCK TABLE certificate IN SHARE MODE"))
            yield
            await conn.rollback()


async def stalled_on_the_lock(db: Database, worker: WorkerProcess) -> bool:
    """Is a job of the worker waiting for the lock writes_blocked holds?

    PostgreSQL lists the waiter in pg_locks. SQLite tells nobody, but its busy handler
    sleeps in the kernel between tries for the write lock, in the connection's thread; no
    thread of a worker that is not waiting for a lock sleeps so (its event loop waits in
    epoll, idle connection threads on a futex).
    """
    if db.settings.is_sqlite:
        return bool(threads_in_nanosleep(worker.pid))
    async with db.read() as session:
        waiting = await session.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE NOT granted "
                "AND relation = 'certificate'::regclass "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
        )
        return bool(waiting.scalar_one())


async def test_worker_killed_while_dispatching_results_then_a_new_worker_issues_them_once(
    fault_db: Database,
    fault_actors: Actors,
    fault_settings: Settings,
    private_redis: RedisServer,
    workers: WorkerFactory,
) -> None:
    ready = await results_ready(fault_db, fault_actors)
    assert (await publish(fault_actors, ready)).status_code == 201
    event = await results_event(fault_db)
    assert private_redis.queued_jobs() == [f"event:{event.id}"]

    async with writes_blocked(fault_db):
        first = workers()  # default settings: nothing is old enough to be reconciled
        await eventually("the dispatch to start", in_progress(private_redis, "event:"), every=0.005)
        await eventually(
            "the handler to wait for the lock", lambda: stalled_on_the_lock(fault_db, first)
        )
        first.kill()
        crashed_at = time.time()
        stuck = frozenset(private_redis.jobs_in_progress())

    assert await count(fault_db, HandledEvent) == 0  # the marker went with the handler's work
    assert await count(fault_db, Certificate) == 0
    assert (await results_event(fault_db)).dispatched_at is None

    second = workers(**IMPATIENT)
    recovery = await wait_until_done(fault_db, private_redis, stuck=stuck)

    await assert_done_exactly_once(
        fault_db, ready, Path(fault_settings.storage_dir), crashed_at=crashed_at
    )
    assert second.stop() == 0
    print(f"\nkilled mid-dispatch: done {recovery:.1f}s after the new worker was started")


async def test_worker_killed_while_rendering_certificates_then_a_new_worker_renders_them_once(
    fault_db: Database,
    fault_actors: Actors,
    fault_settings: Settings,
    private_redis: RedisServer,
    workers: WorkerFactory,
) -> None:
    ready = await results_ready(fault_db, fault_actors)
    assert (await publish(fault_actors, ready)).status_code == 201

    first = workers()
    await eventually("a render to start", in_progress(private_redis, "certificate:"), every=0.005)
    first.kill()
    crashed_at = time.time()
    stuck = frozenset(private_redis.jobs_in_progress())

    at_the_crash = await certificates(fault_db)
    pending = [c for c in at_the_crash if c.status == CertificateStatus.PENDING]
    assert len(at_the_crash) >= 3 and pending  # killed with the work half done
    assert {job for job in stuck if job.startswith("certificate:")}  # arq waits 130 s on them

    second = workers(**IMPATIENT)
    recovery = await wait_until_done(fault_db, private_redis, stuck=stuck)

    await assert_done_exactly_once(
        fault_db, ready, Path(fault_settings.storage_dir), crashed_at=crashed_at
    )
    assert second.stop() == 0
    print(
        f"\nkilled mid-render ({len(pending)}/{len(at_the_crash)} pending): "
        f"done {recovery:.1f}s after the new worker was started"
    )
