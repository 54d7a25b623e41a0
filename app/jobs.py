"""Jobs are collected during a transaction and sent to arq only after it commits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

_pool: ArqRedis | None = None
# arq refreshes this key every health_check_interval while a worker runs (/healthz reads it).
WORKER_HEALTH_KEY = "arq:queue:health-check"


def redis_settings(url: str) -> RedisSettings:
    """The queue connection of the web app and of the workers: fail fast, never hang."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 1
    settings.conn_timeout = 2
    return settings


async def connect(url: str) -> ArqRedis | None:
    """The queue connection, or None when Redis does not answer: pages still work, and
    events wait in the outbox for the reconciler."""
    try:
        return await create_pool(redis_settings(url))
    except (RedisError, OSError) as exc:
        log.error("Redis unavailable (%s); jobs will wait in the outbox", exc)
        return None


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[ArqRedis | None]:
    """This process's queue connection for the block (None without Redis), the one
    `get_pool` gives: jobs sent after commits, page caches told of writes."""
    pool = await connect(url) if url else None
    set_pool(pool)
    try:
        yield pool
    finally:
        set_pool(None)
        if pool is not None:
            await pool.aclose()


def set_pool(pool: ArqRedis | None) -> None:
    global _pool
    _pool = pool


def get_pool() -> ArqRedis | None:
    return _pool


@dataclass
class PendingJob:
    function: str
    args: tuple[Any, ...] = ()
    job_id: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


def enqueue_after_commit(
    session: AsyncSession, function: str, *args: Any, job_id: str | None = None
) -> None:
    session.info.setdefault("pending_jobs", []).append(PendingJob(function, args, job_id))


async def send_pending(session: AsyncSession) -> None:
    pending: list[PendingJob] = session.info.pop("pending_jobs", [])
    if not pending:
        return
    if _pool is None:
        log.warning("no queue connection; %d job(s) left to the reconciler", len(pending))
        return
    for job in pending:
        try:
            await _pool.enqueue_job(job.function, *job.args, _job_id=job.job_id)
        except (RedisError, OSError) as exc:
            log.warning("could not enqueue %s (%s); the reconciler will retry", job.function, exc)
