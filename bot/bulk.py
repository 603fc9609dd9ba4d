"""Writes of many rows at once, for sweeps that write tens of thousands.

Binding each value of each row through SQLAlchemy's parameter processing costs more than the
database's own work, so values are converted here, once per distinct value and exactly as the
column types would, and handed over in bulk:

- on PostgreSQL as one typed array per column, which `unnest` reads back as a table: the
  driver encodes the arrays in its binary format, and the server neither parses JSON nor
  converts text to each column's type;
- on SQLite as one JSON document that `json_each` reads back as a table, for updates, and as
  plain tuples to the driver's `executemany` for inserts, where the statement loop is faster
  than its JSON functions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Insert,
    String,
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
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
# One value per column, in the order of the columns given with it.
Row = Sequence[Any]


class _Converter:
    """Each column's values as the driver (or a JSON document) wants them."""

    def __init__(self, dialect: Dialect, columns: Columns, *, for_json: bool) -> None:
        self.names = list(columns)
        # By the column's place in a row.
        self.process: dict[int, Callable[[Any], Any]] = {}
        for at, type_ in enumerate(columns.values()):
            if for_json and isinstance(type_, JSON):
                continue  # nested in the document as it is
            process: Callable[[Any], Any] | None
            process = type_.dialect_impl(dialect).bind_processor(dialect)
            if for_json and _is_time(type_):
                process = _then_iso(process)
            if process is None:
                continue
            # A sweep repeats the same few dates and times thousands of times.
            self.process[at] = process if isinstance(type_, JSON) else _once_each(process)

    def tuples(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """The rows with each value converted."""
        if not self.process:
            return [tuple(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for at, process in self.process.items():
                if values[at] is not None:
                    values[at] = process(values[at])
            out.append(tuple(values))
        return out

    def dicts(self, rows: Sequence[Row]) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in self.tuples(rows)]


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


def _array_item(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    """The plain type of a PostgreSQL array that carries a column's converted values: its
    own type without a TypeDecorator's processing (done once per value here), and text for
    JSON (read back with a cast)."""
    if isinstance(type_, JSON):
        return Text()
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, DateTime):
        return DateTime(timezone=type_.timezone)
    if isinstance(type_, Date):
        return Date()
    return type_


class Rows:
    """A table of `columns` read from bind parameters named after `name`: one typed array per
    column on PostgreSQL, one JSON document on SQLite."""

    def __init__(self, dialect: Dialect, name: str, columns: Columns) -> None:
        self.name = name
        self._dialect = dialect
        self._columns = columns
        self.source: FromClause
        self.c: dict[str, ColumnElement[Any]]
        if dialect.name == "postgresql":
            arrays = [
                bindparam(f"{name}_{n}", type_=postgresql.ARRAY(_array_item(t)))
                for n, t in columns.items()
            ]
            source = (
                func.unnest(*arrays)
                .table_valued(*(column(n, _array_item(t)) for n, t in columns.items()))
                .render_derived(name=name)
            )
            self.source = source
            self.c = {
                n: cast(source.c[n], t) if isinstance(t, JSON) else source.c[n]
                for n, t in columns.items()
            }
        else:
            each = func.json_each(bindparam(name, type_=String)).table_valued("value").alias(name)
            self.source = each
            self.c = {
                n: func.json_extract(each.c.value, f"$.{n}", type_=t) for n, t in columns.items()
            }

    def params(self, rows: Sequence[Row]) -> dict[str, Any]:
        """The bind parameters that carry `rows` (tuples in the columns' order)."""
        if self._dialect.name == "postgresql":
            return _arrays(self._dialect, self.name, self._columns, rows)
        convert = _Converter(self._dialect, self._columns, for_json=True)
        return {self.name: json.dumps(convert.dicts(rows), separators=(",", ":"))}


def _arrays(dialect: Dialect, name: str, columns: Columns, rows: Sequence[Row]) -> dict[str, Any]:
    """Each column's values, converted, as one list (a PostgreSQL array) per column."""
    process = _Converter(dialect, columns, for_json=False).process
    out: dict[str, Any] = {}
    by_column = zip(*rows, strict=True) if rows else ((),) * len(columns)
    for at, ((n, type_), values) in enumerate(zip(columns.items(), by_column, strict=True)):
        if isinstance(type_, JSON):
            values = tuple(None if v is None else _json(v) for v in values)
        elif at in process:
            convert = process[at]
            values = tuple(None if v is None else convert(v) for v in values)
        out[f"{name}_{n}"] = list(values)
    return out


# One encoder for every value: json.dumps with separators makes a new one each call.
_json = json.JSONEncoder(separators=(",", ":")).encode


async def insert_new(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Row],
    *,
    columns: Columns,
    constants: Mapping[str, tuple[Any, TypeEngine[Any]]],
    key: str,
) -> int:
    """Insert rows (tuples in the order of `columns`, plus the same `constants` for all) whose
    `key` is not taken yet; returns how many were inserted."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        source, statement = _insert_from_arrays(dialect, table, columns, constants, key)
        params = source.params(rows)
        params.update({f"constant_{n}": value for n, (value, _) in constants.items()})
        result = await session.execute(statement, params)
        return rowcount(result) or 0
    fixed_types = {name: type_ for name, (_, type_) in constants.items()}
    fixed_values = tuple(value for value, _ in constants.values())
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


# Statements built once: building one costs more than the server's work for a few rows.
_INSERTS: dict[Hashable, tuple[Rows, Insert]] = {}


def _insert_from_arrays(
    dialect: Dialect,
    table: Table,
    columns: Columns,
    constants: Mapping[str, tuple[Any, TypeEngine[Any]]],
    key: str,
) -> tuple[Rows, Insert]:
    """INSERT ... SELECT FROM unnest(arrays) ON CONFLICT (key) DO NOTHING, with each constant
    a bind parameter `constant_<name>`."""
    signature = (
        dialect,
        table,
        key,
        tuple((n, type(t)) for n, t in columns.items()),
        tuple((n, type(t)) for n, (_, t) in constants.items()),
    )
    found = _INSERTS.get(signature)
    if found is None:
        source = Rows(dialect, "rows", columns)
        fixed = [bindparam(f"constant_{n}", type_=t) for n, (_, t) in constants.items()]
        statement = (
            postgresql.insert(table)
            .from_select(
                [*columns, *constants],
                select(*source.c.values(), *fixed).select_from(source.source).where(true()),
            )
            .on_conflict_do_nothing(index_elements=[key])
        )
        if len(_INSERTS) >= 64:  # engines come and go in tests
            _INSERTS.clear()
        found = _INSERTS[signature] = (source, statement)
    return found
