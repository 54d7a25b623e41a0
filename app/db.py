"""Engine, sessions and the one transaction helper every write goes through."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import Field
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

from app import jobs, pagecache
from app.config import Settings
from app.errors import AppError

# Stable constraint names, so Alembic migrations are reproducible on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

# Ids are INTEGER columns, 32-bit in PostgreSQL: a larger number names no row, and the driver
# would refuse it in a query with a server error, so input is checked against this first.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# SQLSTATE classes of a server that is down, restarting or out of connections.
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


class DatabaseUnavailable(AppError):
    """The database cannot be reached right now; it is back without anybody's help."""

    status_code = 503
    code = "service_unavailable"
    message = "The service is temporarily unavailable. Please try again in a minute."


Row = TypeVar("Row", bound=SQLModel)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes in and out, stored as UTC (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


WROTE = "wrote"  # session.info: this transaction flushed or executed a write


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context: UOWTransaction) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[WROTE] = True


POOL_TIMEOUT_SECONDS = 10


def pool_size(settings: Settings) -> int:
    """One web process's share of DB_CONNECTIONS: `madrina serve --workers N` runs N
    processes, each with its own pool, and PostgreSQL refuses connections past its
    max_connections (100 by default), which the arq worker, migrations and psql share too.
    At least 2, so a request can hold one while the session lookup or a job enqueue needs
    another without waiting on itself."""
    return max(2, settings.db_connections // settings.web_workers)


class _Handover:
    """A read session left open by a request's session lookup, for the request's next
    `Database.read()` to take over (see `Database.read`)."""

    def __init__(self) -> None:
        self.session: AsyncSession | None = None

    def take(self) -> AsyncSession | None:
        session, self.session = self.session, None
        return session

    async def close(self) -> None:
        session = self.take()
        if session is not None:
            await session.close()


_handover: ContextVar[_Handover | None] = ContextVar("madrina_read_handover", default=None)


class Database:
    """One engine and its session factory; created by the app lifespan or a worker."""

    def __init__(
        self, settings: Settings, *, pool: bool = True, connections: int | None = None
    ) -> None:
        """`connections`: this process's pool (default: its share of DB_CONNECTIONS)."""
        self.settings = settings
        kwargs: dict[str, Any] = {}
        if settings.is_sqlite:
            kwargs["connect_args"] = {"timeout": 30}
        elif not pool:
            kwargs["poolclass"] = NullPool
        else:
            # No overflow: the pool is the bound, so N processes never hold more than
            # DB_CONNECTIONS together. A request that finds every connection busy waits up
            # to POOL_TIMEOUT_SECONDS, then gets a 503 (DatabaseUnavailable, via _connect).
            kwargs.update(
                pool_size=connections or pool_size(settings),
                max_overflow=0,
                pool_timeout=POOL_TIMEOUT_SECONDS,
                pool_pre_ping=True,
            )
        self.engine: AsyncEngine = create_async_engine(settings.database_url, **kwargs)
        if settings.is_sqlite:
            _configure_sqlite(self.engine)
        # Every session carries the settings, so event handlers (which get only a session)
        # can read configuration such as SMTP without a global.
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={"settings": settings}
        )

    async def dispose(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def read(self, *, hand_over: bool = False) -> AsyncIterator[AsyncSession]:
        """A session for reads only; nothing it does is committed.

        Within `handing_over()`: `hand_over=True` (the request's session lookup) leaves the
        session open, transaction and connection included, and the next `read()` takes it
        over instead of opening its own: a logged-in page pays one session, one BEGIN and
        one ROLLBACK, and its reads see the lookup's snapshot."""
        handover = _handover.get()
        taken = handover.take() if handover is not None else None
        if taken is not None:
            try:
                async with _outage_as_unavailable():
                    yield taken
            finally:
                async with _outage_as_unavailable():
                    await taken.close()
            return
        if hand_over and handover is not None:
            session = self.sessions()
            try:
                async with _outage_as_unavailable():
                    await _connect(session)
                    yield session
            except BaseException:
                await session.close()
                raise
            handover.session = session
            return
        # The outage check is outermost: closing the session rolls back, which fails too.
        async with _outage_as_unavailable(), self.sessions() as session:
            await _connect(session)
            yield session

    @staticmethod
    @asynccontextmanager
    async def handing_over() -> AsyncIterator[None]:
        """A request's scope for `read(hand_over=True)`. A session nobody took is closed when
        the response starts (`release_handed_over`: a stream then holds no connection), at
        the start of a `transaction()` (so that reads after a write never see the snapshot
        from before it), or at the latest when this block ends."""
        handover = _Handover()
        token = _handover.set(handover)
        try:
            yield
        finally:
            _handover.reset(token)
            async with _outage_as_unavailable():
                await handover.close()

    @staticmethod
    async def release_handed_over() -> None:
        """Close the session left by `read(hand_over=True)` if no read has taken it."""
        handover = _handover.get()
        if handover is not None:
            async with _outage_as_unavailable():
                await handover.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commit on success, roll back on error; then send jobs queued during it.

        Jobs are sent only after the commit so a worker never sees uncommitted data;
        if sending fails, the outbox reconciler sends them later.
        """
        await self.release_handed_over()
        async with _outage_as_unavailable(), self.sessions() as session:
            async with session.begin():
                # Procure the connection now, with the option the SQLite BEGIN hook reads.
                await _connect(session, sqlite_immediate=True)
                yield session
            await jobs.send_pending(session)
            if session.info.pop(WROTE, False):
                await pagecache.changed()


async def _connect(session: AsyncSession, **options: Any) -> None:
    """Check out the connection up front: failing to reach the server (refused, timed out,
    pool exhausted) is told apart here from an OSError of the caller's own work."""
    try:
        await session.connection(execution_options=options)
    except (OSError, sa_exc.TimeoutError) as exc:
        raise DatabaseUnavailable() from exc


@asynccontextmanager
async def _outage_as_unavailable() -> AsyncIterator[None]:
    """A connection lost mid-way, or a server shutting down or starting up: a 503, not a bug."""
    try:
        yield
    except sa_exc.DBAPIError as exc:
        sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
        if exc.connection_invalidated or sqlstate.startswith(UNAVAILABLE_SQLSTATES):
            raise DatabaseUnavailable() from exc
        raise


# Set on every SQLite connection (tests/database/test_pool_and_pragmas.py reads them back).
SQLITE_PRAGMAS = (
    # Write-ahead log: readers never wait for the writer nor it for them, so pages keep being
    # served while a form is saved; the only journal mode where that holds.
    "journal_mode=WAL",
    # In WAL mode NORMAL cannot corrupt the database; it syncs at checkpoints rather than at
    # every commit, so a commit costs no fsync. A crash of the process loses nothing; a power
    # cut may lose the last commits, as it would for many hosted databases' default settings.
    "synchronous=NORMAL",
    # Wait up to 30 s for another connection's write lock instead of failing at once with
    # "database is locked" (writers are serialised by BEGIN IMMEDIATE, below).
    "busy_timeout=30000",
    "foreign_keys=ON",
    # 16 MiB of page cache per connection (the default is 2 MiB): a 5,000-project database
    # (about 30 MB) keeps its hot pages and indexes in memory; connections are few (the
    # pool's), so the total stays within a small server's memory.
    "cache_size=-16384",
    # Read the file through 256 MiB of memory map: pages come from the operating system's
    # cache, shared by every connection and process, without a copy per read.
    "mmap_size=268435456",
    # Sorts and temporary indexes (ORDER BY over a join, DISTINCT) in memory, not a file.
    "temp_store=MEMORY",
)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so the driver must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front (BEGIN IMMEDIATE): two writers
        # that both started as readers could otherwise deadlock on lock upgrade.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_unique_violation(exc: sa_exc.IntegrityError) -> bool:
    """A unique constraint (a natural key) refused the row, rather than a foreign key."""
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    return sqlstate == "23505" or "UNIQUE constraint failed" in str(exc.orig)


async def save_unique(session: AsyncSession, row: Row, *, taken: AppError) -> Row:
    """Insert or change a row whose natural key must be free, in a savepoint: when the key is taken,
    also by a request that committed a moment ago, raise `taken` (a 409 or 422 naming the
    field) and leave the caller's transaction usable. Check first for a friendly message;
    this is what makes the check hold under concurrency."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except sa_exc.IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise taken from None
    return row


async def insert_or_get(
    session: AsyncSession, row: Row, *, find: Callable[[], Awaitable[Row | None]]
) -> tuple[Row, bool]:
    """The row `find` returns, or `row` inserted (then True): of two requests making the same
    row at once, the second gets the first one's row instead of a server error."""
    existing = await find()
    if existing is not None:
        return existing, False
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except sa_exc.IntegrityError as exc:
        found = await find() if is_unique_violation(exc) else None
        if found is None:
            raise
        return found, False
    return row, True
