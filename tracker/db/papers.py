"""Writing papers: bulk upserts that keep authors, categories, code links and the
full-text index in step, in the caller's transaction.

Rules: one paper, one row (keyed by the canonical arXiv id); a newer version or a
later update replaces the stored text, an older one never does; user data
(paper_user, paper_tags) is never touched here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.db import fulltext
from tracker.db.bulk import chunks, db_datetime, first_new_id, ids_by_key, insert_rows
from tracker.db.index_state import finish_stale_index
from tracker.db.models import Author, CodeLink, Paper, PaperAuthor, PaperCategory
from tracker.db.tables import table_of
from tracker.records import PaperRecord

log = logging.getLogger(__name__)

PAPERS: Table = table_of(Paper)
AUTHORS: Table = table_of(Author)
PAPER_AUTHORS: Table = table_of(PaperAuthor)
PAPER_CATEGORIES: Table = table_of(PaperCategory)
CODE_LINKS: Table = table_of(CodeLink)


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # arxiv_id -> papers.id
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING, for SQLite and PostgreSQL alike."""
    if not rows:
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(table).on_conflict_do_nothing(), rows)


def display_authors(names: Sequence[str]) -> str:
    return ", ".join(names)


# Built once with an expanding parameter: SQLAlchemy caches its compiled form, where
# an in_(list) would be compiled again for every chunk of every page.
_STORED = select(
    PAPERS.c.id,
    PAPERS.c.arxiv_id,
    PAPERS.c.version,
    PAPERS.c.updated,
    PAPERS.c.title,
    PAPERS.c.abstract,
    PAPERS.c.authors,
    PAPERS.c.primary_category,
    PAPERS.c.comment,
    PAPERS.c.journal_ref,
    PAPERS.c.doi,
    PAPERS.c.withdrawn,
    PAPERS.c.is_stub,
).where(PAPERS.c.arxiv_id.in_(bindparam("ids", expanding=True)))

_INSERT_COLUMNS = (
    "arxiv_id",
    "version",
    "title",
    "abstract",
    "authors",
    "primary_category",
    "published",
    "updated",
    "comment",
    "journal_ref",
    "doi",
    "withdrawn",
    "upvotes",
    "is_stub",
    "first_seen",
    "last_synced",
)


def _is_newer(record: PaperRecord, stored: Any) -> bool:
    if stored.is_stub:
        return True
    if record.version != stored.version:
        return bool(record.version > stored.version)
    if record.updated and stored.updated and record.updated < stored.updated:
        return False
    return bool(
        record.title != stored.title
        or record.abstract != stored.abstract
        or display_authors(record.authors) != stored.authors
        or record.updated != stored.updated
        or record.primary_category != stored.primary_category
        or record.comment != stored.comment
        or record.journal_ref != stored.journal_ref
        or record.doi != stored.doi
        or record.withdrawn != stored.withdrawn
    )


def _row(record: PaperRecord, now: datetime) -> dict[str, Any]:
    return {
        "arxiv_id": record.arxiv_id,
        "version": record.version,
        "title": record.title,
        "abstract": record.abstract,
        "authors": display_authors(record.authors),
        "primary_category": record.primary_category,
        "published": record.published,
        "updated": record.updated,
        "comment": record.comment,
        "journal_ref": record.journal_ref,
        "doi": record.doi,
        "withdrawn": record.withdrawn,
        "is_stub": False,
        "last_synced": now,
    }


def upsert_papers(
    conn: Connection, records: Sequence[PaperRecord], now: datetime, *, index: bool = True
) -> UpsertResult:
    """Insert new papers, update those with a newer version; return what happened.

    index=False leaves the full-text index alone, for bulk loads that rebuild it
    once at the end (fulltext.rebuild).
    """
    result = UpsertResult()
    # Removing a changed paper's old text needs an index that holds every paper.
    if index and finish_stale_index(conn):
        log.warning("rebuilt the full-text index that an interrupted import had left incomplete")
    # The last record of an id wins within one batch (a feed can repeat an entry).
    by_id = {r.arxiv_id: r for r in records}
    if not by_id:
        return result
    stored = _stored_rows(conn, list(by_id))
    fresh = [r for aid, r in by_id.items() if aid not in stored]
    changed = [r for aid, r in by_id.items() if aid in stored and _is_newer(r, stored[aid])]
    result.unchanged = len(by_id) - len(fresh) - len(changed)
    if fresh:
        _insert_fresh(conn, fresh, now, result)
    if changed:
        _update_changed(conn, changed, stored, now, index, result)
    for aid, row in stored.items():
        result.ids[aid] = row.id
    touched = fresh + changed
    if touched:
        _write_dependents(conn, touched, result.ids, replace=bool(changed), index=index)
    return result


def _stored_rows(conn: Connection, arxiv_ids: list[str]) -> dict[str, Any]:
    """arxiv_id -> the stored row (the columns _is_newer compares), for those stored."""
    stored: dict[str, Any] = {}
    for part in chunks(arxiv_ids):
        for row in conn.execute(_STORED, {"ids": list(part)}):
            stored[row.arxiv_id] = row
    return stored


def _insert_fresh(
    conn: Connection, fresh: list[PaperRecord], now: datetime, result: UpsertResult
) -> None:
    """Insert papers never stored; their new ids go into result.ids."""
    stamp = db_datetime(conn, now)
    rows = [
        (
            r.arxiv_id,
            r.version,
            r.title,
            r.abstract,
            display_authors(r.authors),
            r.primary_category,
            db_datetime(conn, r.published),
            db_datetime(conn, r.updated),
            r.comment,
            r.journal_ref,
            r.doi,
            r.withdrawn,
            0,
            False,
            stamp,
            stamp,
        )
        for r in fresh
    ]
    fresh_ids = [r.arxiv_id for r in fresh]
    first_id = first_new_id(conn, PAPERS)
    if first_id is None:
        insert_rows(conn, PAPERS, _INSERT_COLUMNS, rows)
        result.ids.update(ids_by_key(conn, PAPERS, "arxiv_id", fresh_ids))
    else:
        ids = range(first_id, first_id + len(rows))
        insert_rows(
            conn,
            PAPERS,
            ("id", *_INSERT_COLUMNS),
            [(pid, *row) for pid, row in zip(ids, rows, strict=True)],
        )
        result.ids.update(zip(fresh_ids, ids, strict=True))
    result.new = len(fresh)
    result.new_ids = fresh_ids


def _update_changed(
    conn: Connection,
    changed: list[PaperRecord],
    stored: dict[str, Any],
    now: datetime,
    index: bool,
    result: UpsertResult,
) -> None:
    """Replace the stored text of changed papers (and take their old text out of the index)."""
    if index:
        old_index = [
            (
                stored[r.arxiv_id].id,
                stored[r.arxiv_id].title,
                stored[r.arxiv_id].abstract,
                stored[r.arxiv_id].authors,
            )
            for r in changed
            if not stored[r.arxiv_id].is_stub
        ]
        fulltext.unindex_rows(conn, old_index)
    rows = [_row(r, now) | {"pid": stored[r.arxiv_id].id} for r in changed]
    conn.execute(
        update(PAPERS)
        .where(PAPERS.c.id == bindparam("pid"))
        .values({k: bindparam(k) for k in rows[0] if k not in ("pid", "arxiv_id")}),
        rows,
    )
    result.updated = len(changed)
    result.updated_ids = [r.arxiv_id for r in changed]


def _write_dependents(
    conn: Connection,
    touched: list[PaperRecord],
    ids: dict[str, int],
    *,
    replace: bool,
    index: bool,
) -> None:
    """The index rows, authors, categories and code links of inserted or updated papers."""
    if index:
        fulltext.index_rows(
            conn,
            [(ids[r.arxiv_id], r.title, r.abstract, display_authors(r.authors)) for r in touched],
        )
    _replace_authors(conn, touched, ids, replace=replace)
    _replace_categories(conn, touched, ids, replace=replace)
    add_code_links(
        conn, [(ids[r.arxiv_id], url, src) for r in touched for url, src in r.code_links]
    )


def _author_ids(conn: Connection, names: set[str]) -> dict[str, int]:
    insert_rows(conn, AUTHORS, ("name",), [(n,) for n in sorted(names)], ignore_conflicts=True)
    return ids_by_key(conn, AUTHORS, "name", sorted(names))


def _replace_authors(
    conn: Connection, records: Sequence[PaperRecord], ids: dict[str, int], replace: bool
) -> None:
    paper_ids = [ids[r.arxiv_id] for r in records]
    if replace:
        for part in chunks(paper_ids):
            conn.execute(delete(PAPER_AUTHORS).where(PAPER_AUTHORS.c.paper_id.in_(part)))
    names = {n for r in records for n in r.authors}
    if not names:
        return
    author_ids = _author_ids(conn, names)
    rows = []
    for r in records:
        pid = ids[r.arxiv_id]
        rows += [(pid, position, author_ids[name]) for position, name in enumerate(r.authors)]
    insert_rows(conn, PAPER_AUTHORS, ("paper_id", "position", "author_id"), rows)


def _replace_categories(
    conn: Connection, records: Sequence[PaperRecord], ids: dict[str, int], replace: bool
) -> None:
    if replace:
        for part in chunks([ids[r.arxiv_id] for r in records]):
            conn.execute(delete(PAPER_CATEGORIES).where(PAPER_CATEGORIES.c.paper_id.in_(part)))
    rows = [
        (ids[r.arxiv_id], c)
        for r in records
        for c in dict.fromkeys(r.categories or [r.primary_category])
        if c
    ]
    insert_rows(conn, PAPER_CATEGORIES, ("paper_id", "category"), rows)


def add_code_links(conn: Connection, links: Sequence[tuple[int, str, str]]) -> None:
    """Add (paper id, url, source) links; a link already stored is kept as it is."""
    unique = {(pid, url): src for pid, url, src in links}
    insert_rows(
        conn,
        CODE_LINKS,
        ("paper_id", "url", "source"),
        [(pid, url, src) for (pid, url), src in unique.items()],
        ignore_conflicts=True,
    )


def ensure_stubs(conn: Connection, arxiv_ids: Iterable[str], now: datetime) -> dict[str, int]:
    """Make sure each id has a row (a stub, filled by the next sync); return their ids."""
    wanted = sorted(set(arxiv_ids))
    ids = ids_by_key(conn, PAPERS, "arxiv_id", wanted)
    missing = [aid for aid in wanted if aid not in ids]
    if missing:
        conn.execute(
            insert(PAPERS),
            [
                {
                    "arxiv_id": aid,
                    "version": 0,
                    "title": "",
                    "abstract": "",
                    "authors": "",
                    "primary_category": "",
                    "withdrawn": False,
                    "upvotes": 0,
                    "is_stub": True,
                    "first_seen": now,
                }
                for aid in missing
            ],
        )
        ids.update(ids_by_key(conn, PAPERS, "arxiv_id", missing))
    return ids
