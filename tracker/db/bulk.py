"""Bulk inserts for the hot write paths (sync pages, imports).

SQLAlchemy's executemany spends more time per row binding and type-processing
than SQLite spends storing it. On SQLite we hand plain tuples to the driver's
executemany (dates pre-formatted exactly as SQLAlchemy's DateTime stores them, so
the ORM reads them back unchanged); other databases take the Core path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

# SQLite allows 32766 bound variables per statement; stay well below.
CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def db_datetime(conn: Connection, value: datetime | None) -> Any:
    """A UTC datetime as this connection's driver should receive it in a raw statement."""
    if value is None or conn.dialect.name != "sqlite":
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    # SQLAlchemy's SQLite DATETIME text, "%Y-%m-%d %H:%M:%S.%f"; isoformat writes the
    # same at a fraction of strftime's cost.
    return value.isoformat(" ", "microseconds")


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


def first_new_id(conn: Connection, table: Table) -> int | None:
    """On SQLite, the id the next row of table gets; None elsewhere.

    A bulk writer inserts a batch with ids first_new_id, +1, ... and so knows them
    without reading them back. That is what SQLite itself would assign (max + 1;
    these tables have no AUTOINCREMENT), and no other writer can interleave: write
    transactions begin IMMEDIATE and hold the lock to the end.
    """
    if conn.dialect.name != "sqlite":
        return None
    raw = conn.connection.driver_connection
    top = raw.execute(f"SELECT max(id) FROM {table.name}").fetchone()[0]  # type: ignore[union-attr]
    return (top or 0) + 1


def ids_by_key(conn: Connection, table: Table, key: str, values: Sequence[Any]) -> dict[Any, int]:
    """{key value: id} for the rows of table whose `key` column is one of values.

    The write paths look up the ids of rows they have just inserted, a page of
    them at a time; on SQLite the driver's own cursor does it, without SQLAlchemy
    compiling an IN list and wrapping each row.
    """
    found: dict[Any, int] = {}
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        for part in chunks(values):
            marks = ", ".join("?" * len(part))
            sql = f"SELECT {key}, id FROM {table.name} WHERE {key} IN ({marks})"
            found.update(raw.execute(sql, tuple(part)).fetchall())  # type: ignore[union-attr]
        return found
    statement = select(table.c[key], table.c.id).where(
        table.c[key].in_(bindparam("values", expanding=True))
    )
    for part in chunks(values):
        found.update(conn.execute(statement, {"values": list(part)}).tuples().all())
    return found
