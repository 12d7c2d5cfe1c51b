"""Full-text index maintenance: SQLite FTS5 over title, abstract and authors.

The index is an external-content FTS5 table keyed by papers.id. We maintain it
ourselves, in bulk, in the same transaction as the rows (no triggers): inserting
a page of papers costs one executemany into the index, and a changed paper costs
a 'delete' of its old text plus an insert of the new.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection

from tracker.errors import DatabaseError

FTS_TABLE = "papers_fts"
# bm25 weights for title, abstract, authors.
WEIGHTS = (10.0, 1.0, 4.0)

IndexRow = tuple[int, str, str, str]  # (paper id, title, abstract, authors)


def _require_sqlite(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        raise DatabaseError(
            f"full-text search is not available on {conn.dialect.name} yet.",
            hint="Use a sqlite:/// database URL.",
        )


def create_index(conn: Connection) -> None:
    _require_sqlite(conn)
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, abstract, authors, content='papers', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )


def index_rows(conn: Connection, rows: Sequence[IndexRow]) -> None:
    if rows:
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
            list(rows),
        )


def unindex_rows(conn: Connection, old_rows: Sequence[IndexRow]) -> None:
    """Remove rows from the index; FTS5 needs the exact text that was indexed."""
    if old_rows:
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, abstract, authors) "
            "VALUES ('delete', ?, ?, ?, ?)",
            list(old_rows),
        )


def rebuild(conn: Connection) -> None:
    conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def integrity_check(conn: Connection) -> None:
    conn.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)"))
