"""SQLite connections whose statements each take one trip to the connection's thread.

aiosqlite runs every call on a thread of its own, one call per trip there and back, and
SQLAlchemy's adapter makes four trips per statement (cursor, execute, fetchall, close). A trip
costs about 70 µs of CPU (a future, a queue, a thread wake-up and a wake-up of the event loop):
under bench/ack.py's sign-ups, more than SQLite spent running the statements.
Here a cursor's execute opens a cursor, runs the statement, reads its rows and closes it in one
trip, and keeps what SQLAlchemy reads afterwards (rows, description, row count, last row id).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import aiosqlite

_Description = tuple[tuple[Any, ...], ...] | None
_Outcome = tuple[_Description, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any, *, many: bool) -> _Outcome:
    """On the connection's thread: the statement run, its rows read (so the row count of a
    RETURNING statement is final), the cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """The cursor SQLAlchemy's aiosqlite adapter drives: each execute is one trip; fetching and
    closing answer from what that trip brought back."""

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self.description: _Description = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1
        self._rows: deque[Any] = deque()  # read from the front, one at a time or in batches

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._rows.clear()

    async def execute(self, sql: str, parameters: Any = ()) -> OneTripCursor:
        self._take(await self._connection.on_thread(_run, sql, parameters, many=False))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> OneTripCursor:
        self._take(await self._connection.on_thread(_run, sql, parameters, many=True))
        return self

    def _take(self, outcome: _Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def close(self) -> None:
        self._rows.clear()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection, with cursors that take one trip per statement. (Before 0.22 an
    aiosqlite connection is itself a Thread: no method here may take a Thread's name.)"""

    # SQLAlchemy enters the cursor (`async with`); nothing needs the thread until it executes.
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    async def on_thread(
        self, function: Callable[..., _Outcome], *args: Any, **kwargs: Any
    ) -> _Outcome:
        """`function(sqlite3_connection, *args, **kwargs)` on the connection's thread."""
        return await self._execute(lambda: function(self._conn, *args, **kwargs))


# Rows per trip when iterating aiosqlite's own cursor, as aiosqlite.connect sets it.
ITER_CHUNK_SIZE = 64


def connect(path: str, **kwargs: Any) -> OneTripConnection:
    """As `aiosqlite.connect(path, **kwargs)`: await it to open the connection."""
    return OneTripConnection(lambda: sqlite3.connect(path, **kwargs), ITER_CHUNK_SIZE)
