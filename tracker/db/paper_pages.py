"""Paged reads of papers (the TUI's papers list): filters, sorts and a page at a time.

The row, page and filter types live in tracker.db.paper_list (no SQLAlchemy),
re-exported here.

Every function takes a Connection that the calling worker opened; none of them
loads more than a page (plus, for a full-text query with extra filters, the
search's capped candidate list). The default order (newest first, no text) pages
by keyset on (published, id), which walks ix_papers_published and costs the same
on page 10,000 as on page 1; other orders page by OFFSET. The hot sort ranks the
same capped pool as `tracker search --sort hot` (the best text matches, or the
newest papers that pass the filters) with tracker.follow.hot, and returns a page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true, union
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.dataset_filter import papers_on_dataset
from tracker.db.paper_list import (
    PAGE_SIZE,
    SORT_LABELS,
    SORTS,
    Page,
    PaperFilters,
    PaperRow,
    Sort,
)
from tracker.db.search import SearchFilters, search_papers
from tracker.db.tables import CL, IS_PAPER, PC, PM, PT, PU, M, P, R
from tracker.follow.hot import hot_search, rank_hot

__all__ = [
    "PAGE_SIZE",
    "SORTS",
    "SORT_LABELS",
    "Page",
    "PaperFilters",
    "PaperRow",
    "Sort",
    "categories",
    "count_papers",
    "enrich",
    "fetch_papers",
]

# The hot pool when [search] candidates is 0 (no cap), as in tracker.follow.hot.hot_search.
HOT_POOL = 10_000


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(f: PaperFilters, *, text_filters: bool) -> list[ColumnElement[bool]]:
    """SQL conditions on papers p for the filters (text_filters: also category/dates)."""
    conds: list[ColumnElement[bool]] = []
    if text_filters:
        conds.append(IS_PAPER)
        if f.category:
            conds.append(
                exists().where(PC.c.paper_id == P.c.id, PC.c.category == f.category.strip())
            )
        if f.since:
            conds.append(P.c.published >= _start(f.since))
        if f.until:
            conds.append(P.c.published < _start(f.until + timedelta(days=1)))
    if f.task:
        task = f.task.strip()
        conds.append(
            P.c.id.in_(
                union(
                    select(PM.c.paper_id)
                    .join(M, M.c.id == PM.c.model_id)
                    .where(M.c.pipeline_tag == task),
                    select(R.c.paper_id).where(R.c.task_id == task, R.c.paper_id.is_not(None)),
                )
            )
        )
    if f.dataset:
        conds.append(P.c.id.in_(papers_on_dataset(f.dataset)))
    if f.tag:
        conds.append(P.c.id.in_(select(PT.c.paper_id).where(PT.c.tag == f.tag.strip())))
    if f.has_models:
        conds.append(P.c.id.in_(select(PM.c.paper_id)))
    if f.has_code:
        conds.append(P.c.id.in_(select(CL.c.paper_id)))
    if f.starred:
        conds.append(P.c.id.in_(select(PU.c.paper_id).where(PU.c.starred.is_(True))))
    if f.unread:
        conds.append(
            ~exists().where(PU.c.paper_id == P.c.id, PU.c.read_at.is_not(None)),
        )
    return conds


def _model_count() -> Any:
    return select(func.count()).where(PM.c.paper_id == P.c.id).scalar_subquery()


def enrich(conn: Connection, ids: list[int]) -> list[PaperRow]:
    """The list columns for these paper ids, in the given order."""
    by_id: dict[int, PaperRow] = {}
    for part in chunks(ids):
        query = (
            select(
                P.c.id,
                P.c.arxiv_id,
                P.c.title,
                P.c.published,
                P.c.primary_category,
                P.c.upvotes,
                _model_count().label("models"),
                exists().where(CL.c.paper_id == P.c.id).label("has_code"),
                PU.c.starred,
                PU.c.read_at,
            )
            .select_from(P.outerjoin(PU, PU.c.paper_id == P.c.id))
            .where(P.c.id.in_(list(part)))
        )
        for r in conn.execute(query):
            by_id[r.id] = PaperRow(
                id=r.id,
                arxiv_id=r.arxiv_id,
                title=r.title,
                published=r.published,
                category=r.primary_category,
                upvotes=r.upvotes or 0,
                models=r.models or 0,
                has_code=bool(r.has_code),
                starred=bool(r.starred),
                read=r.read_at is not None,
            )
    return [by_id[i] for i in ids if i in by_id]


def _order(sort: Sort, *, ascending: bool = False) -> list[Any]:
    if sort == "upvotes":
        return [P.c.upvotes.desc(), P.c.published.desc(), P.c.id.desc()]
    if sort == "models":
        return [_model_count().desc(), P.c.published.desc(), P.c.id.desc()]
    if ascending:
        return [P.c.published.asc(), P.c.id.asc()]
    return [P.c.published.desc(), P.c.id.desc()]


def _browse(
    conn: Connection,
    f: PaperFilters,
    offset: int,
    limit: int,
    after: PaperRow | None,
    before: PaperRow | None,
) -> Page:
    sort = f.effective_sort
    conds = _conditions(f, text_filters=True)
    query = select(P.c.id).where(and_(true(), *conds))
    keyset = sort == "newest" and (after or before)
    if keyset and after is not None and after.published is not None:
        key = after
        query = query.where(
            P.c.published <= key.published,
            or_(P.c.published < key.published, P.c.id < key.id),
        ).order_by(*_order(sort))
    elif keyset and before is not None and before.published is not None:
        key = before
        query = query.where(
            P.c.published >= key.published,
            or_(P.c.published > key.published, P.c.id > key.id),
        ).order_by(*_order(sort, ascending=True))
    else:
        query = query.order_by(*_order(sort)).offset(offset)
        keyset = False
    ids = [row[0] for row in conn.execute(query.limit(limit + 1))]
    has_more = len(ids) > limit
    ids = ids[:limit]
    if keyset and before is not None:
        ids.reverse()
        has_more = True  # we came from the page after this one
    return Page(enrich(conn, ids), offset, has_more, f)


def _text_ids(conn: Connection, f: PaperFilters, wanted: int, candidates: int) -> list[int]:
    """Ids of papers matching the text query, best first (or newest first)."""
    found = search_papers(
        conn,
        f.text,
        filters=_search_filters(f),
        sort="date" if f.effective_sort == "newest" else "relevance",
        limit=wanted,
        candidates=candidates,
    )
    return _ids_of(conn, [r["arxiv_id"] for r in found])


def _ids_of(conn: Connection, arxiv_ids: list[str]) -> list[int]:
    """The paper ids of these arXiv ids, in the given order."""
    id_of: dict[str, int] = {}
    for part in chunks(arxiv_ids):
        for row in conn.execute(select(P.c.id, P.c.arxiv_id).where(P.c.arxiv_id.in_(list(part)))):
            id_of[row.arxiv_id] = row.id
    return [id_of[a] for a in arxiv_ids if a in id_of]


def _search_filters(f: PaperFilters) -> SearchFilters:
    return SearchFilters(
        category=f.category.strip() or None,
        since=_start(f.since) if f.since else None,
        until=_start(f.until + timedelta(days=1)) if f.until else None,
    )


def _search(conn: Connection, f: PaperFilters, offset: int, limit: int, candidates: int) -> Page:
    sort = f.effective_sort
    reorder = sort in ("upvotes", "models")
    if f.extra or reorder:
        ids = _text_ids(conn, f, max(candidates, offset + limit + 1), candidates)
        conds = _conditions(f, text_filters=False)
        kept: list[tuple[Any, ...]] = []
        for part in chunks(ids):
            query = select(P.c.id, P.c.upvotes, _model_count().label("models")).where(
                P.c.id.in_(list(part)), *conds
            )
            kept += [tuple(row) for row in conn.execute(query)]
        rank = {pid: i for i, pid in enumerate(ids)}
        if sort == "upvotes":
            kept.sort(key=lambda r: (-r[1], rank[r[0]]))
        elif sort == "models":
            kept.sort(key=lambda r: (-r[2], rank[r[0]]))
        else:
            kept.sort(key=lambda r: rank[r[0]])
        ids = [r[0] for r in kept]
    else:
        ids = _text_ids(conn, f, offset + limit + 1, candidates)
    window = ids[offset : offset + limit]
    return Page(enrich(conn, window), offset, len(ids) > offset + limit, f)


def _hot(conn: Connection, f: PaperFilters, offset: int, limit: int, candidates: int) -> Page:
    """A page of the hot sort: the pool `tracker search --sort hot` ranks (candidates
    papers: the best text matches, or the newest that pass the filters), hottest first."""
    pool = candidates if candidates > 0 else HOT_POOL
    if f.text.strip():
        hits = hot_search(
            conn, f.text, filters=_search_filters(f), limit=pool, candidates=candidates
        )
        ids = _ids_of(conn, [h["arxiv_id"] for h in hits])
        conds = _conditions(f, text_filters=False)
        if conds:  # the filters search cannot apply: keep the ranked order
            kept: set[int] = set()
            for part in chunks(ids):
                query = select(P.c.id).where(P.c.id.in_(list(part)), *conds)
                kept.update(row[0] for row in conn.execute(query))
            ids = [i for i in ids if i in kept]
    else:
        query = (
            select(P.c.id, P.c.arxiv_id)
            .where(and_(true(), *_conditions(f, text_filters=True)))
            .order_by(*_order("newest"))
            .limit(pool)
        )
        newest = [{"id": r.id, "arxiv_id": r.arxiv_id} for r in conn.execute(query)]
        ids = [h["id"] for h in rank_hot(conn, newest)]
    window = ids[offset : offset + limit]
    return Page(enrich(conn, window), offset, len(ids) > offset + limit, f)


def fetch_papers(
    conn: Connection,
    filters: PaperFilters,
    *,
    offset: int = 0,
    limit: int = PAGE_SIZE,
    after: PaperRow | None = None,
    before: PaperRow | None = None,
    candidates: int = 4000,
) -> Page:
    """One page of the papers list. after/before: the row next to the wanted page."""
    if filters.effective_sort == "hot":
        return _hot(conn, filters, max(offset, 0), limit, candidates)
    if filters.text.strip():
        return _search(conn, filters, max(offset, 0), limit, candidates)
    return _browse(conn, filters, max(offset, 0), limit, after, before)


def count_papers(conn: Connection, filters: PaperFilters) -> int | None:
    """How many papers the list holds (None for a text query or the hot sort: both
    rank a capped pool)."""
    if filters.text.strip() or filters.effective_sort == "hot":
        return None
    conds = _conditions(filters, text_filters=True)
    query = select(func.count()).select_from(P).where(and_(true(), *conds))
    return int(conn.execute(query).scalar_one())


def interrupted(exc: BaseException) -> bool:
    """True for the error a read raises when another thread interrupted its connection
    (the papers view stops a stale first page that way)."""
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError) and "interrupted" in str(exc.orig)


def categories(conn: Connection, limit: int = 200) -> list[str]:
    """The primary categories in use, most frequent first (for filter suggestions)."""
    query = (
        select(P.c.primary_category)
        .where(IS_PAPER, P.c.primary_category != "")
        .group_by(P.c.primary_category)
        .order_by(func.count().desc())
        .limit(limit)
    )
    return [r[0] for r in conn.execute(query)]
