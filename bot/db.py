"""Engine, session factory and the declarative base with a constraint naming convention."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

import aiosqlite
from sqlalchemy import (
    BindParameter,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    Result,
    Table,
    bindparam,
    event,
    exc,
    make_url,
)
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from bot import sqlite_connection

# Stable constraint names keep Alembic autogenerate and PostgreSQL/SQLite in step.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # Every model declares its own table (none maps a join or a select), so its
        # __table__ is a Table, not just any FromClause.
        __table__: ClassVar[Table]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def bind_columns(table: Table, names: Iterable[str]) -> dict[str, BindParameter[Any]]:
    """A bind parameter for each of these columns, named after it and of its type: the values
    of a statement built once and run with a row of values each time."""
    return {name: bindparam(name, type_=table.c[name].type) for name in names}


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT, UPDATE or DELETE touched. Session.execute is typed to return a
    Result, but for those statements it is a CursorResult, which has the count."""
    return cast(CursorResult[Any], result).rowcount


# A server restart or an idle timeout kills connections that sat in the pool; one used moments
# ago is alive, so only a connection idle this long is pinged before use (pool_pre_ping would
# cost every unit of work a round trip).
PING_IDLE_AFTER = 10.0

# How long a SQLite connection waits for another's write lock before it gives up.
SQLITE_BUSY_SECONDS = 30
# Replicas that open a new SQLite file together race to switch it to write-ahead logging; the
# loser asks again after these pauses (seconds), by which time the winner has switched it.
WAL_RETRY_PAUSES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.0, 1.0)


class Database:
    """One engine and session factory per app; tests build their own."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        ping_idle_after: float = PING_IDLE_AFTER,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = url
        # Every unit of work ends in commit or rollback (transaction()), and a plain connection
        # rolls back as it closes, so the pool's extra rollback on check-in is a wasted round trip.
        kwargs: dict[str, object] = {"echo": echo, "pool_reset_on_return": None}
        if url.startswith("sqlite"):
            path = make_url(url).database or ":memory:"
            kwargs["async_creator"] = lambda: _open_sqlite(path, pause=pause)
        else:
            kwargs.update(pool_size=10, max_overflow=20)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if not url.startswith("sqlite"):
            _ping_when_idle(self.engine, after=ping_idle_after, monotonic=time.monotonic)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Each statement commits as it runs. On PostgreSQL a pooled connection switches to it
        # and back without a round trip; a SQLite connection's switch and reset are three trips
        # to its thread (bot/sqlite_connection.py), so there it is a pool of its own, set once.
        self._autocommit: AsyncEngine = (
            create_async_engine(url, isolation_level="AUTOCOMMIT", **kwargs)
            if url.startswith("sqlite")
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def sync_engines(self) -> tuple[Engine, ...]:
        """Every engine this database's statements run on (SQLite's autocommit ones have their
        own), for whatever listens to statements."""
        if self.is_sqlite:
            return (self.engine.sync_engine, self._autocommit.sync_engine)
        return (self.engine.sync_engine,)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit on success, roll back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncSession]:
        """For one write that is atomic by itself: it commits as it runs, sparing the round
        trips of BEGIN and COMMIT. Anything more needs `transaction`."""
        async with self.sessions(bind=self._autocommit) as session:
            yield session

    @asynccontextmanager
    async def reads(self) -> AsyncIterator[AsyncSession]:
        """For reads only, each in a snapshot of its own, as every statement of a READ
        COMMITTED transaction (PostgreSQL's default) is anyway, without the round trips of
        BEGIN and COMMIT. Not for reads that must agree with each other, nor for any write."""
        async with self.sessions(bind=self._autocommit) as session:
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.is_sqlite:  # its own pool (see __init__)
            await self._autocommit.dispose()


def _ping_when_idle(engine: AsyncEngine, *, after: float, monotonic: Callable[[], float]) -> None:
    """SQLAlchemy's pessimistic disconnect handling, for idle connections only: a dead one is
    replaced (DisconnectionError makes the pool connect afresh) before any statement fails."""
    pool, dialect = engine.sync_engine.pool, engine.dialect

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection: object, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = monotonic()

    @event.listens_for(pool, "checkout")
    def _lent(dbapi_connection: Any, record: Any, _proxy: object) -> None:
        returned = record.info.get("returned_at")
        if returned is None or monotonic() - returned < after:
            return  # new, or in use a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("the pooled connection had closed") from error
        if not alive:
            raise exc.DisconnectionError("the pooled connection had closed")


async def _open_sqlite(
    path: str, *, pause: Callable[[float], Awaitable[None]]
) -> aiosqlite.Connection:
    """A SQLite connection that enforces foreign keys and uses write-ahead logging, so readers
    go on while one writer writes."""
    # check_same_thread as SQLAlchemy's own aiosqlite connect passes it: aiosqlite's thread
    # runs the statements, but attributes are read from the event loop's.
    connection = await sqlite_connection.connect(
        path, timeout=SQLITE_BUSY_SECONDS, check_same_thread=False
    )
    try:
        await connection.execute("PRAGMA foreign_keys=ON")
        await _write_ahead(connection, pause)
    except BaseException:
        await connection.close()
        raise
    return connection


async def _write_ahead(
    connection: aiosqlite.Connection, pause: Callable[[float], Awaitable[None]]
) -> None:
    """Switching a file to WAL takes it from a read lock to an exclusive one. When two
    connections do that at once SQLite answers one of them "database is locked" straight away
    rather than wait on a deadlock, so that one pauses and asks again (the pause is awaited:
    the event loop goes on). Once the file is in WAL, asking again reads one byte and returns."""
    for pause_for in (*WAL_RETRY_PAUSES, None):
        try:
            await connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if pause_for is None or "database is locked" not in str(error):
                raise
        await pause(pause_for)
