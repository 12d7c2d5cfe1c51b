"""Engines and transactions. SQLite gets WAL, a busy timeout and foreign keys.

Write transactions on SQLite start with BEGIN IMMEDIATE: a deferred transaction that
reads and then writes fails at once with "database is locked" when another writer got
in between, whatever the busy timeout; an immediate one waits its turn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tracker.db import migrations
from tracker.errors import DatabaseError

BUSY_TIMEOUT_MS = 30_000
# Pages the WAL may hold before a commit copies them into the database (SQLite's
# default is 1,000, 4 MB: a sync page of 2,000 papers then pays a checkpoint, with
# its fsyncs, at nearly every commit). 64 MB checkpoints a tenth as often, and a
# page rewritten by several commits is copied once. The file is cut back to that
# size after a checkpoint.
WAL_AUTOCHECKPOINT_PAGES = 16_384
WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def sqlite_path(url: str) -> Path | None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.endswith(":memory:"):
        return Path(url[len(prefix) :])
    return None


def make_engine(url: str) -> Engine:
    """An engine for url; SQLite files get their folder created and their pragmas set."""
    path = sqlite_path(url)
    kwargs: dict[str, Any] = {}
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    try:
        engine = create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise DatabaseError(
            f"cannot use database URL {url!r}: {exc}",
            hint="Check [database] url in your config (sqlite:///path or postgresql+psycopg://...).",
        ) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cursor.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def bulk_write_transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction for the bulk loaders (sync pages, the snapshot import).

    On SQLite its foreign keys are not checked: the loaders key every author and
    category row by a paper id read or written in this same transaction, and the
    checks (a seek into the papers b-tree per row) took about a tenth of the time
    a sync spends storing a page. Every other transaction keeps them on.
    """
    with engine.connect() as conn:
        driver = conn.connection.driver_connection if is_sqlite(conn) else None
        if driver is not None:
            # Only outside a transaction does this pragma take effect.
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            conn = conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
            with conn.begin():
                yield conn
        finally:
            if driver is not None:
                try:
                    driver.execute("PRAGMA foreign_keys = ON")
                except sqlite3.Error:
                    # A connection we cannot restore must not go back to the pool.
                    conn.invalidate()
                    raise


def checkpoint(engine: Engine) -> None:
    """Copy what the WAL holds into the database file now, without waiting on readers.

    The bulk loaders call it when they finish, so their cost includes the copy and
    the file on disk is current when a cron job ends.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None  # an open connection always has its driver connection
        raw.execute("PRAGMA wal_checkpoint(PASSIVE)")


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def open_database(url: str, *, create: bool = True) -> Engine:
    """Open (and create or upgrade) the database at url. Errors become DatabaseError."""
    path = sqlite_path(url)
    if path is not None and not create and not path.exists():
        raise DatabaseError(
            f"no database at {path}.",
            hint="Run `tracker sync` to fetch papers, or `tracker demo` to try the demo data.",
        )
    engine = make_engine(url)
    try:
        with write_transaction(engine) as conn:
            migrations.migrate(conn)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseError(
            f"cannot open database {path or url}: {exc.orig}",
            hint="Check that the file is a tracker database and that no other program holds it.",
        ) from exc
    except sqlite3.DatabaseError as exc:  # pragma: no cover - raised through SQLAlchemy
        engine.dispose()
        raise DatabaseError(f"cannot open database {path or url}: {exc}") from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot open database {path or url}: {exc}") from exc
    return engine


def table_names(engine: Engine) -> list[str]:
    return inspect(engine).get_table_names()
