"""Full-text index over title, abstract and authors.

SQLite: an external-content FTS5 table keyed by papers.id. We maintain it
ourselves, in bulk, in the same transaction as the rows (no triggers): inserting
a page of papers costs one executemany into the index, and a changed paper costs
a 'delete' of its old text plus an insert of the new.

PostgreSQL: a generated, weighted tsvector column (title A, authors B, abstract C)
with a GIN index; the database keeps it in step by itself, so the maintenance
functions here do nothing there.
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


PG_COLUMN = "search_vector"
PG_CONFIG = "english"  # stemming, like FTS5's porter tokenizer


def _is_sqlite(conn: Connection) -> bool:
    if conn.dialect.name == "sqlite":
        return True
    if conn.dialect.name == "postgresql":
        return False
    raise DatabaseError(
        f"full-text search is not available on {conn.dialect.name}.",
        hint="Use a sqlite:/// or postgresql+psycopg:// database URL.",
    )


def create_index(conn: Connection) -> None:
    if not _is_sqlite(conn):
        conn.exec_driver_sql(
            f"ALTER TABLE papers ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ("
            f"setweight(to_tsvector('{PG_CONFIG}', coalesce(title, '')), 'A') || "
            f"setweight(to_tsvector('{PG_CONFIG}', coalesce(authors, '')), 'B') || "
            f"setweight(to_tsvector('{PG_CONFIG}', coalesce(abstract, '')), 'C')) STORED"
        )
        conn.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_papers_{PG_COLUMN} ON papers USING GIN ({PG_COLUMN})"
        )
        return
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, abstract, authors, content='papers', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )


def index_rows(conn: Connection, rows: Sequence[IndexRow]) -> None:
    if rows and _is_sqlite(conn):
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}(rowid, title, abstract, authors) VALUES (?, ?, ?, ?)",
            list(rows),
        )


def unindex_rows(conn: Connection, old_rows: Sequence[IndexRow]) -> None:
    """Remove rows from the index; FTS5 needs the exact text that was indexed."""
    if old_rows and _is_sqlite(conn):
        conn.exec_driver_sql(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, abstract, authors) "
            "VALUES ('delete', ?, ?, ?, ?)",
            list(old_rows),
        )


def rebuild(conn: Connection) -> None:
    if _is_sqlite(conn):
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def integrity_check(conn: Connection) -> None:
    if _is_sqlite(conn):
        conn.execute(
            text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        )


def index_stats(conn: Connection) -> tuple[int, int]:
    """(documents in the index, the newest indexed rowid), both read in O(1).

    The document count is the one FTS5's own bm25() uses: the first varint of the
    index's averages record (rowid 1 of the %_data table); the newest rowid is the
    last key of %_docsize. Either is counted the slow way if it cannot be read.
    """
    newest = conn.exec_driver_sql(f"SELECT max(id) FROM {FTS_TABLE}_docsize").scalar() or 0
    block = conn.exec_driver_sql(f"SELECT block FROM {FTS_TABLE}_data WHERE id = 1").scalar()
    if isinstance(block, bytes) and block:
        return _varint(block), newest
    count = conn.exec_driver_sql(f"SELECT count(*) FROM {FTS_TABLE}_docsize").scalar()
    return int(count or 0), newest


def _varint(data: bytes) -> int:
    """The first SQLite varint in data: big-endian 7-bit groups, the ninth byte whole."""
    value = 0
    for i, byte in enumerate(data[:9]):
        if i == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            break
    return value
