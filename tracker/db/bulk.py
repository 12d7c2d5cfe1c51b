"""Bulk inserts for the hot write paths (sync pages, imports).

SQLAlchemy's executemany spends more time per row binding and type-processing
than SQLite spends storing it. On SQLite we hand plain tuples to the driver's
executemany (dates pre-formatted exactly as SQLAlchemy's DateTime stores them, so
the ORM reads them back unchanged); other databases take the Core path.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

# SQLAlchemy's SQLite DATETIME storage format.
_SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def db_datetime(conn: Connection, value: datetime | None) -> Any:
    """A UTC datetime as this connection's driver should receive it in a raw statement."""
    if value is None or conn.dialect.name != "sqlite":
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime(_SQLITE_DATETIME)


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """INSERT rows (tuples in `columns` order); optionally skip rows that conflict.

    Datetime values must already have gone through db_datetime().
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"{verb} INTO {table.name} ({names}) VALUES ({marks})", list(rows))
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(table)
    if ignore_conflicts:
        statement = statement.on_conflict_do_nothing()
    conn.execute(statement, [dict(zip(columns, row, strict=True)) for row in rows])
