"""Search by meaning as a page of the TUI's papers list.

The list's own filters that search understands (category, dates) apply; the others
(task, dataset, tag, marks) are for the keyword list. A page holds the best
PAGE_SIZE papers; meaning has no "next page" worth paging to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import read_connection
from tracker.db.paper_list import PAGE_SIZE, Page, PaperFilters
from tracker.db.papers import PAPERS as P
from tracker.db.search import SearchFilters
from tracker.embed.semantic import QueryEncoder, hybrid_search, semantic_search


def _search_filters(f: PaperFilters) -> SearchFilters:
    def start(day: date | None) -> datetime | None:
        return datetime.combine(day, time(), tzinfo=UTC) if day is not None else None

    until = start(f.until)
    return SearchFilters(
        category=f.category.strip() or None,
        since=start(f.since),
        until=until + timedelta(days=1) if until else None,
    )


def meaning_page(
    engine: Engine, config: Config, filters: PaperFilters, mode: str, encode: QueryEncoder
) -> Page:
    """The first page of a semantic or hybrid search for filters.text."""
    from tracker.db.paper_pages import enrich

    find = semantic_search if mode == "semantic" else hybrid_search
    hits = find(
        engine, config, filters.text, encode, filters=_search_filters(filters), limit=PAGE_SIZE
    )
    order = [h["arxiv_id"] for h in hits]
    with read_connection(engine) as conn:
        found = conn.execute(select(P.c.arxiv_id, P.c.id).where(P.c.arxiv_id.in_(order)))
        ids = {row.arxiv_id: row.id for row in found}
        rows = enrich(conn, [ids[a] for a in order if a in ids])
    return Page(rows, 0, False, filters)
