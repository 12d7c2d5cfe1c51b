"""Full-text search over papers, ranked, with filters; fast on millions of rows.

Ranking every match of a common word with bm25 is what makes naive FTS5 slow
(p95 325 ms at 200k papers). We rank only what a user can see: the newest
`candidates` matches (FTS5 walks its index in rowid order and stops early, and
rowid grows with arrival). Rare queries have fewer matches than that and are
ranked in full. On SQLite tracker.db.relevance plans the walks and the scoring
(bm25) so that their cost does not grow with the collection; on PostgreSQL one
statement finds and scores them (ts_rank_cd).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from tracker.db import fulltext, relevance
from tracker.db.bulk import chunks
from tracker.db.paper_rule import is_paper_sql
from tracker.db.papers import PAPERS as P
from tracker.db.queries import iso
from tracker.db.query_syntax import Query, parse

Sort = Literal["relevance", "date"]


@dataclass(frozen=True)
class SearchFilters:
    category: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None


_NO_FILTER = is_paper_sql("p")


def _filter_sql(filters: SearchFilters, params: dict[str, Any]) -> str:
    clauses = [_NO_FILTER]
    if filters.category:
        clauses.append(
            "EXISTS (SELECT 1 FROM paper_categories c WHERE c.paper_id = p.id "
            "AND c.category = :category)"
        )
        params["category"] = filters.category
    if filters.author:
        # Substring match on the display list: "vaswani" finds "Ashish Vaswani".
        clauses.append("lower(p.authors) LIKE lower(:author) ESCAPE '\\'")
        escaped = filters.author.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["author"] = f"%{escaped}%"
    if filters.since:
        clauses.append("p.published >= :since")
        params["since"] = filters.since
    if filters.until:
        clauses.append("p.published < :until")
        params["until"] = filters.until
    return " AND ".join(clauses)


_COLUMNS = (P.c.id, P.c.arxiv_id, P.c.title, P.c.published, P.c.primary_category, P.c.authors)


def _rows(conn: Connection, ids: list[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    for part in chunks(ids):
        for row in conn.execute(select(*_COLUMNS).where(P.c.id.in_(part))):
            rows[row.id] = row
    return rows


def _typed(statement: TextClause, params: dict[str, Any]) -> TextClause:
    """Bind dates through the column type, so they compare as stored."""
    for name in ("since", "until"):
        if name in params:
            statement = statement.bindparams(bindparam(name, type_=P.c.published.type))
    return statement


def rows_passing(
    conn: Connection, ids: list[int], filters: SearchFilters = SearchFilters()
) -> dict[int, Any]:
    """The listing rows (and abstracts) of the papers among ids that pass the filters:
    how search by meaning, which ranks ids first, applies the same filters."""
    found: dict[int, Any] = {}
    for part in chunks(ids):
        params: dict[str, Any] = {"ids": list(part)}
        where = _filter_sql(filters, params)
        statement = text(
            "SELECT p.id, p.arxiv_id, p.title, p.published, p.primary_category, p.authors, "
            f"p.abstract FROM papers p WHERE p.id IN :ids AND {where}"
        ).bindparams(bindparam("ids", expanding=True))
        # Typed result columns: dates come back as datetimes on SQLite too.
        statement = statement.columns(*_COLUMNS, P.c.abstract)  # type: ignore[assignment]
        for row in conn.execute(_typed(statement, params), params):
            found[row.id] = row
    return found


def as_hit(row: Any, score: float | None, mode: str) -> dict[str, Any]:
    """A search hit of any mode: the keyword hit's keys, its score and the mode."""
    return {**_as_dict(row, None), "score": score, "mode": mode}


def _as_dict(row: Any, score: float | None) -> dict[str, Any]:
    return {
        "arxiv_id": row.arxiv_id,
        "title": row.title,
        "published": iso(row.published),
        "primary_category": row.primary_category,
        "authors": row.authors,
        "score": None if score is None else round(-score, 4),
    }


def _sqlite_walk(conn: Connection, where: str, params: dict[str, Any]) -> relevance.Walk:
    """Walks of the FTS5 index, scored with bm25 as they go or not; papers are
    joined only for filters (stubs are never indexed)."""
    table = fulltext.FTS_TABLE
    weights = ", ".join(str(w) for w in fulltext.WEIGHTS)
    join = "" if where == _NO_FILTER else f"JOIN papers p ON p.id = {table}.rowid"
    condition = "" if where == _NO_FILTER else f"AND {where}"

    def walk(match: str, scored: bool, newest: int | None) -> list[tuple[int, float]]:
        value = f", bm25({table}, {weights})" if scored else ""
        order = f"DESC LIMIT {int(newest)}" if newest else "ASC"
        statement = _typed(
            text(
                f"SELECT {table}.rowid{value} FROM {table} {join} "
                f"WHERE {table} MATCH :match {condition} ORDER BY {table}.rowid {order}"
            ),
            params,
        )
        result = conn.execute(statement, {**params, "match": match})
        if scored:
            return [(row[0], row[1]) for row in result.all()]
        return [(rowid, 0.0) for rowid in result.scalars().all()]

    return walk


def _postgres_candidates(parsed: Query, where: str, cap: str, params: dict[str, Any]) -> str:
    """The same on PostgreSQL: the GIN index finds matches, ts_rank_cd scores them
    (title, authors and abstract weighted A, B, C)."""
    params["tsquery"] = parsed.tsquery()
    column = fulltext.PG_COLUMN
    return (
        f"SELECT p.id, -ts_rank_cd(p.{column}, q) FROM papers p, "
        f"to_tsquery('{fulltext.PG_CONFIG}', :tsquery) q "
        f"WHERE p.{column} @@ q AND {where} ORDER BY p.id DESC {cap}"
    )


def search_papers(
    conn: Connection,
    query: str,
    *,
    filters: SearchFilters = SearchFilters(),
    sort: Sort = "relevance",
    limit: int = 20,
    candidates: int = 2000,
) -> list[dict[str, Any]]:
    """Papers matching query, best first ({arxiv_id, title, published, primary_category})."""
    params: dict[str, Any] = {}
    where = _filter_sql(filters, params)
    parsed = parse(query)
    if parsed.empty:
        if query.strip():
            # Only exclusions or punctuation: nothing positive to look for.
            return []
        # No query at all: the newest papers that pass the filters.
        params["limit"] = limit
        newest = conn.execute(
            _typed(
                text(
                    f"SELECT p.id FROM papers p WHERE {where} ORDER BY p.published DESC LIMIT :limit"
                ),
                params,
            ),
            params,
        )
        ids = [r[0] for r in newest]
        by_id = _rows(conn, ids)
        return [_as_dict(by_id[i], None) for i in ids]

    if conn.dialect.name == "sqlite" and sort == "relevance":
        walk = _sqlite_walk(conn, where, params)
        best = relevance.best(conn, parsed, walk, candidates, limit)
    else:
        scored: list[tuple[int, float]]
        if conn.dialect.name == "postgresql":
            cap = f"LIMIT {int(candidates)}" if candidates > 0 else ""
            statement = _postgres_candidates(parsed, where, cap, params)
            found = conn.execute(_typed(text(statement), params), params).all()
            scored = [(r[0], r[1]) for r in found]
        else:
            most = candidates if candidates > 0 else None
            scored = _sqlite_walk(conn, where, params)(parsed.fts5() or "", False, most)
        if sort == "date":
            by_id = _rows(conn, [rid for rid, _ in scored])
            oldest = datetime.min.replace(tzinfo=UTC)
            ordered = sorted(by_id.values(), key=lambda r: r.published or oldest, reverse=True)
            return [_as_dict(r, None) for r in ordered[:limit]]
        # Scores are lower-is-better (negated ts_rank); ties go to the newer paper.
        best = heapq.nsmallest(limit, scored, key=lambda pair: (pair[1], -pair[0]))
    rows = _rows(conn, [rid for rid, _ in best])
    return [_as_dict(rows[rid], score) for rid, score in best if rid in rows]
