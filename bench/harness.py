"""What every benchmark shares: a real app on a throw-away database, timing, and tables."""

from __future__ import annotations

import asyncio
import gc
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from httpx import ASGITransport, AsyncClient
from sqlalchemy import event
from starlette.applications import Starlette

from app.accounts import service as accounts_service
from app.accounts.auth import SESSION_COOKIE
from app.accounts.models import User
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrate import upgrade
from app.web import services
from bench.data import BenchData, generate
from bench.stack import scratch_database

BASE_URL = "http://testserver"
ANONYMOUS, JUDGE, ORGANISER = "anonymous", "judge", "organiser"
# Only in datasets made with `extras` (bench.data.Extras). The pairwise round's judge is not
# JUDGE: the first judge's assignments page would list the round and so change.
COACH, REPRESENTATIVE, EXPO_JUDGE = "coach", "representative", "expo judge"
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class QueryCounter:
    """Counts SQL statements the engine sends (not BEGIN/COMMIT), via before_cursor_execute."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            self.count += 1


@dataclass
class BenchApp:
    """The real app (SQLite file, embedded Redis, real migrations) holding one dataset."""

    app: Starlette
    settings: Settings
    data: BenchData
    queries: QueryCounter
    seconds_to_generate: float
    cookies: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def db(self) -> Database:
        database: Database = services(self.app).db
        return database

    async def login(self, user_id: int) -> dict[str, str]:
        """A session cookie for this person, made as the login page makes it."""
        if user_id not in self.cookies:
            async with self.db.transaction() as session:
                user = await session.get(User, user_id)
                assert user is not None
                token = await accounts_service.start_session(session, user=user, days=1)
            self.cookies[user_id] = {SESSION_COOKIE: token}
        return self.cookies[user_id]

    def user_id(self, who: str) -> int | None:
        """The person behind ANONYMOUS, JUDGE (the first judge), ORGANISER, and with extras
        COACH (of the published challenge's feedback project), REPRESENTATIVE (of the first
        company) and EXPO_JUDGE (of the pairwise round)."""
        people = {ANONYMOUS: None, JUDGE: self.data.judge_ids[0], ORGANISER: self.data.organiser_id}
        extras = self.data.extras
        if extras is not None:
            people |= {
                COACH: extras.coach_id,
                REPRESENTATIVE: extras.representative_id,
                EXPO_JUDGE: extras.expo_judge_id,
            }
        return people[who]

    def client(self, user_id: int | None = None) -> AsyncClient:
        """An in-process client (ASGI, no sockets), logged in when user_id is given."""
        cookies = dict(self.cookies[user_id]) if user_id is not None else {}
        # Uncompressed answers: the baselines' bytes, and no time spent unzipping here.
        return AsyncClient(
            transport=ASGITransport(app=self.app),
            base_url=BASE_URL,
            cookies=cookies,
            headers={"accept-encoding": "identity"},
        )


def bench_settings(directory: Path, database_url: str | None = None) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url or f"sqlite+aiosqlite:///{directory / 'bench.db'}",
        redis_url="",  # the lifespan starts the embedded redis-server
        secret_key="bench-secret-key-that-is-long-enough-0123456789",  # noqa: S106
        storage_dir=directory / "storage",
        base_url=BASE_URL,
        default_locale="it",
        _env_file=None,
    )


@asynccontextmanager
async def bench_app(
    *, postgres: str | None = None, database: str = "madrina_bench", **generate_args: Any
) -> AsyncIterator[BenchApp]:
    """A migrated app with a generated dataset; everything is deleted afterwards. On a SQLite
    file, or with `postgres` (a PostgreSQL server's URL) in the scratch database `database`,
    made and dropped there as `make load` does (bench.stack.scratch_database)."""
    directory = Path(tempfile.mkdtemp(prefix="madrina-bench-"))
    try:
        async with AsyncExitStack() as resources:
            database_url = None
            if postgres:
                database_url = await resources.enter_async_context(
                    scratch_database(postgres, database)
                )
            settings = bench_settings(directory, database_url)
            # Alembic runs its own event loop, so it gets a thread of its own.
            await asyncio.to_thread(upgrade, settings.database_url)
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                started = time.perf_counter()
                data = await generate(services(app).db, **generate_args)
                seconds = time.perf_counter() - started
                env = BenchApp(app, settings, data, QueryCounter(services(app).db), seconds)
                extras = [COACH, REPRESENTATIVE, EXPO_JUDGE] if data.extras is not None else []
                for who in [JUDGE, ORGANISER, *extras]:
                    user_id = env.user_id(who)
                    assert user_id is not None
                    await env.login(user_id)
                yield env
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# Timing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Per-call seconds over several runs; the median of the runs' medians is what counts."""

    samples: list[float]  # every call
    run_medians: list[float]
    # This process's CPU seconds per call (every thread: aiosqlite's too), run by run: what
    # the call itself costs, which other programs on a busy machine change far less than
    # the wall-clock time (they take turns on the cores, they do not add CPU to ours).
    cpu_run_medians: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.run_medians)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpu_run_medians) if self.cpu_run_medians else float("nan")

    @property
    def p90(self) -> float:
        return quantile(self.samples, 0.9)

    @property
    def per_second(self) -> float:
        return 1.0 / self.median if self.median > 0 else float("inf")


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def time_calls(
    calls: dict[str, Callable[[], Awaitable[Any]]],
    *,
    runs: int,
    per_run: int,
    warmup: int = 2,
) -> dict[str, Timing]:
    """Time every call `per_run` times per run, the calls interleaved run by run.

    Interleaving puts the things compared under the same machine conditions, so their
    ratio means something even when the machine is busy.
    """
    for call in calls.values():
        for _ in range(warmup):
            await call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    medians: dict[str, list[float]] = {name: [] for name in calls}
    cpu_medians: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            gc.collect()
            run: list[float] = []
            cpu: list[float] = []
            for _ in range(per_run):
                cpu_started = time.process_time()
                started = time.perf_counter()
                await call()
                run.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            samples[name] += run
            medians[name].append(statistics.median(run))
            cpu_medians[name].append(statistics.median(cpu))
    return {name: Timing(samples[name], medians[name], cpu_medians[name]) for name in calls}


# Tables ------------------------------------------------------------------------------------


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in header], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)
        )

    rule = "-" * len(line(cells[0]))
    body = "\n".join(line(row) for row in cells[1:])
    return f"\n{title}\n{rule}\n{line(cells[0])}\n{rule}\n{body}\n{rule}"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


def ms(seconds: float) -> float:
    return seconds * 1000.0
