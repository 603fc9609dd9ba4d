"""Writes of many rows at once, for sweeps that write tens of thousands.

Binding each value of each row through SQLAlchemy's parameter processing costs more than the
database's own work, so values are converted here, once per distinct value and exactly as the
column types would, and handed over in bulk:

- as one JSON document that the database reads back as a table (`json_to_recordset` on
  PostgreSQL, `json_each` on SQLite), for updates and for PostgreSQL's inserts;
- as plain tuples to the driver's `executemany` for SQLite's inserts, where the statement
  loop is faster than its JSON functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    Table,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import FromClause
from sqlalchemy.types import TypeDecorator, TypeEngine

from bot.db import rowcount

Columns = Mapping[str, TypeEngine[Any]]
Row = Mapping[str, Any]


class _Converter:
    """Each column's values as the driver (or a JSON document) wants them."""

    def __init__(self, dialect: Dialect, columns: Columns, *, for_json: bool) -> None:
        self.names = list(columns)
        self.process: dict[str, Callable[[Any], Any]] = {}
        for name, type_ in columns.items():
            if for_json and isinstance(type_, JSON):
                continue  # nested in the document as it is
            process: Callable[[Any], Any] | None
            process = type_.dialect_impl(dialect).bind_processor(dialect)
            if for_json and _is_time(type_):
                process = _then_iso(process)
            if process is None:
                continue
            # A sweep repeats the same few dates and times thousands of times.
            self.process[name] = process if isinstance(type_, JSON) else _once_each(process)

    def dict(self, row: Row) -> dict[str, Any]:
        out = dict(row)
        for name, process in self.process.items():
            value = out.get(name)
            if value is not None:
                out[name] = process(value)
        return out

    def tuples(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """Rows as tuples in column order; every row must have every column."""
        pick = itemgetter(*self.names)
        at = [(self.names.index(n), process) for n, process in self.process.items()]
        out = []
        for row in rows:
            values = list(pick(row))
            for i, process in at:
                if values[i] is not None:
                    values[i] = process(values[i])
            out.append(tuple(values))
        return out


def _once_each(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        done = seen.get(value, _MISSING)
        if done is _MISSING:
            done = seen[value] = process(value)
        return done

    return convert


_MISSING = object()


def _is_time(type_: TypeEngine[Any]) -> bool:
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    try:
        return issubclass(type_.python_type, date)
    except NotImplementedError:
        return False


def _then_iso(process: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    # What is left a date or a datetime after the type's own conversion (PostgreSQL's
    # drivers take them as they are) goes into JSON as ISO 8601, with its offset.
    def convert(value: Any) -> Any:
        if process is not None:
            value = process(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    return convert


class JsonRows:
    """A table of `columns` read from one JSON bind parameter called `name`."""

    def __init__(self, dialect: Dialect, name: str, columns: Columns) -> None:
        self.name = name
        self._dialect = dialect
        self._columns = columns
        document = bindparam(name, type_=String)
        self.source: FromClause
        self.c: dict[str, ColumnElement[Any]]
        if dialect.name == "postgresql":
            source = (
                func.json_to_recordset(cast(document, JSON))
                .table_valued(*(column(n, t) for n, t in columns.items()))
                .render_derived(name=name, with_types=True)
            )
            self.source = source
            self.c = {n: source.c[n] for n in columns}
        else:
            each = func.json_each(document).table_valued("value").alias(name)
            self.source = each
            self.c = {
                n: func.json_extract(each.c.value, f"$.{n}", type_=t) for n, t in columns.items()
            }

    def params(self, rows: Sequence[Row]) -> dict[str, str]:
        convert = _Converter(self._dialect, self._columns, for_json=True)
        document = json.dumps([convert.dict(r) for r in rows], separators=(",", ":"))
        return {self.name: document}


async def insert_new(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Row],
    *,
    columns: Columns,
    constants: Mapping[str, tuple[Any, TypeEngine[Any]]],
    key: str,
) -> int:
    """Insert rows (dicts of `columns`, plus the same `constants` for all) whose `key` is not
    taken yet; returns how many were inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        source = JsonRows(dialect, "rows", columns)
        fixed = [literal(value, type_) for value, type_ in constants.values()]
        statement = (
            postgresql.insert(table)
            .from_select(
                [*columns, *constants],
                select(*source.c.values(), *fixed).select_from(source.source).where(true()),
            )
            .on_conflict_do_nothing(index_elements=[key])
        )
        result = await session.execute(statement, source.params(rows))
        return rowcount(result) or 0
    fixed_types = {name: type_ for name, (_, type_) in constants.items()}
    fixed_values = {name: value for name, (value, _) in constants.items()}
    (fixed_row,) = _Converter(dialect, fixed_types, for_json=False).tuples([fixed_values])
    values = [row + fixed_row for row in _Converter(dialect, columns, for_json=False).tuples(rows)]
    names = [*columns, *constants]
    quote = dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))}) ON CONFLICT ({quote(key)}) DO NOTHING"
    )
    connection = await session.connection()
    result = await connection.exec_driver_sql(sql, values)
    return result.rowcount or 0
