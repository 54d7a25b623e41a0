"""arq worker: the outbox dispatcher, the reconciler, and every domain's jobs and crons."""

from __future__ import annotations

import logging
from typing import Any

from arq import cron, func
from arq.worker import Worker

from app import jobs
from app.accounts import tasks as accounts_tasks
from app.certificates import tasks as certificates_tasks
from app.challenges import tasks as challenges_tasks
from app.config import Settings
from app.db import Database
from app.events import tasks as events_tasks
from app.invitations import tasks as invitations_tasks
from app.judging import tasks as judging_tasks
from app.notifications import tasks as notifications_tasks
from app.sponsors import tasks as sponsors_tasks
from app.storage import LocalStorage
from app.teams import tasks as teams_tasks

log = logging.getLogger(__name__)
DOMAIN_TASKS = [
    accounts_tasks,
    challenges_tasks,
    teams_tasks,
    sponsors_tasks,
    judging_tasks,
    certificates_tasks,
    invitations_tasks,
    notifications_tasks,
]
HEALTH_CHECK_SECONDS = 10
MAX_JOBS = 10  # jobs a worker runs at once; its database pool has one connection for each


def worker_options(settings: Settings, redis_url: str) -> dict[str, Any]:
    """Everything a Worker needs; `madrina worker` and the tests build it the same way."""

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["settings"] = settings
        ctx["db"] = Database(settings, connections=MAX_JOBS)
        ctx["storage"] = LocalStorage(settings.storage_dir)
        # In-process (tests) the web app's queue connection is kept; a worker alone uses its own.
        if jobs.get_pool() is None:
            jobs.set_pool(ctx["redis"])

    async def shutdown(ctx: dict[str, Any]) -> None:
        if jobs.get_pool() is ctx.get("redis"):
            jobs.set_pool(None)
        if "db" in ctx:
            await ctx["db"].dispose()

    functions: list[Any] = [
        func(events_tasks.dispatch, name="events.dispatch", max_tries=3),
        func(events_tasks.deliver_mail, name="mail.deliver", max_tries=3),
    ]
    crons: list[Any] = [
        cron(events_tasks.reconcile, name="events.reconcile", second={0}, run_at_startup=True),
        cron(events_tasks.reconcile_mail, name="mail.reconcile", second={20}, run_at_startup=True),
    ]
    for module in DOMAIN_TASKS:
        functions.extend(module.functions)
        crons.extend(module.cron_jobs)
    return {
        "functions": functions,
        "cron_jobs": crons,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "redis_settings": jobs.redis_settings(redis_url),
        "health_check_interval": HEALTH_CHECK_SECONDS,
        "max_jobs": MAX_JOBS,
        "job_timeout": 120,
        "keep_result": 3600,
    }


def build_worker(settings: Settings, redis_url: str, **overrides: Any) -> Worker:
    return Worker(**{**worker_options(settings, redis_url), **overrides})
