"""Redis emptied or restarted after a commit: the outbox still gets every effect done.

Redis holds only the queue; the truth (the event) is in the database, committed with the
change. A flush or a restart without persistence loses the queued job, and the outbox
reconciler sends it again.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from httpx import AsyncClient
from starlette.applications import Starlette

from app.config import Settings
from app.db import Database
from tests.factories import Actors
from tests.faults.conftest import WorkerFactory
from tests.faults.services import RedisServer, eventually, wait_for
from tests.faults.world import (
    assert_done_exactly_once,
    publish,
    results_event,
    results_ready,
    wait_until_done,
)

# Only the operators' setting: an undispatched event is re-sent once it is a second old.
IMPATIENT = {"OUTBOX_RECONCILE_SECONDS": "1", "CERTIFICATE_RECONCILE_SECONDS": "1"}


async def older_than_a_second(db: Database) -> None:
    event = await results_event(db)
    age = time.time() - event.created_at.timestamp()
    await asyncio.sleep(max(0.0, 1.1 - age))


async def test_redis_flushed_after_the_commit_then_the_reconciler_issues_the_certificates(
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

    with private_redis.client() as client:
        client.flushall()
    assert private_redis.queued_jobs() == []
    await older_than_a_second(fault_db)

    worker = workers(**IMPATIENT)
    recovery = await wait_until_done(fault_db, private_redis)

    await assert_done_exactly_once(fault_db, ready, Path(fault_settings.storage_dir))
    assert "reconciler re-sent 1 event(s)" in worker.output()
    assert worker.stop() == 0
    print(f"\nRedis flushed: done {recovery:.1f}s after the worker was started")


async def test_redis_restarted_under_a_running_app_and_worker_loses_nothing(
    fault_app: Starlette,
    fault_db: Database,
    fault_actors: Actors,
    fault_settings: Settings,
    private_redis: RedisServer,
    workers: WorkerFactory,
) -> None:
    ready = await results_ready(fault_db, fault_actors)
    worker = workers(**IMPATIENT)
    worker.wait_until_started()
    async with fault_actors.anonymous() as http:
        await eventually("a healthy /healthz", lambda: _healthy(http), limit=30, every=0.1)

        private_redis.stop()
        # While Redis is down the write still commits; its event waits in the outbox.
        published = await publish(fault_actors, ready)
        health = await http.get("/healthz")
        event = await results_event(fault_db)
        wait_for("the worker to notice", lambda: "lost the connection to Redis" in worker.output())
        worker.assert_running()
        await asyncio.sleep(1.1)  # Redis stays down a while: the event is over a second old

        private_redis.start()  # on the same port, and empty: a restart without persistence
        recovery = await wait_until_done(fault_db, private_redis)
        await eventually("a healthy /healthz", lambda: _healthy(http), limit=30, every=0.1)

    assert published.status_code == 201
    assert health.status_code == 503
    assert health.json()["checks"]["database"] == "ok"
    assert health.json()["checks"]["redis"].startswith("error")
    assert event.dispatched_at is None  # it waited in the outbox
    assert "reconciler re-sent 1 event(s)" in worker.output()
    await assert_done_exactly_once(fault_db, ready, Path(fault_settings.storage_dir))
    assert worker.stop() == 0
    print(f"\nRedis restarted: done {recovery:.1f}s after it was back")


async def _healthy(http: AsyncClient) -> bool:
    """Database, Redis and a worker's heartbeat all fine."""
    response = await http.get("/healthz")
    return response.status_code == 200
