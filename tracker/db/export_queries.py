"""Reads for `tracker export` and the TUI's export: which papers a selection names,
and their full records (authors in order, categories, tags, star and note).

Selections are sets of paper row ids; the caller combines them. Every read is
chunked, so an export of a whole category costs a few queries per thousand papers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.queries import paper_id_for
from tracker.db.search import SearchFilters, search_papers
from tracker.db.tables import MD, PA, PC, PM, PT, PU, A, M, P, R
from tracker.export.record import ExportPaper

# search_papers' limit when every match is wanted.
EVERY_MATCH = 2**31 - 1


def ids_named(conn: Connection, raw_ids: Iterable[str]) -> list[int]:
    """Row ids of papers named by any arXiv id form, in order, without repeats;
    NotFoundError names the first one that is not in the database."""
    ids: list[int] = []
    for raw in raw_ids:
        pid = paper_id_for(conn, raw)
        if pid not in ids:
            ids.append(pid)
    return ids


def ids_of_arxiv(conn: Connection, arxiv_ids: Sequence[str]) -> list[int]:
    """Row ids of these canonical arXiv ids, in their order (unknown ones are left out)."""
    found: dict[str, int] = {}
    for part in chunks(list(arxiv_ids)):
        for pid, aid in conn.execute(select(P.c.id, P.c.arxiv_id).where(P.c.arxiv_id.in_(part))):
            found[aid] = pid
    return [found[a] for a in arxiv_ids if a in found]


def tagged(conn: Connection, tags: Iterable[str]) -> set[int]:
    """Papers with any of these tags."""
    wanted = [t.strip() for t in tags if t.strip()]
    return {pid for (pid,) in conn.execute(select(PT.c.paper_id).where(PT.c.tag.in_(wanted)))}


def starred(conn: Connection) -> set[int]:
    return {pid for (pid,) in conn.execute(select(PU.c.paper_id).where(PU.c.starred.is_(True)))}


def matching(
    conn: Connection, query: str, *, category: str | None = None, author: str | None = None
) -> set[int]:
    """Every paper the full-text query matches (as `tracker search` reads it), or with an
    empty query every paper that passes the filters."""
    hits = search_papers(
        conn,
        query,
        filters=SearchFilters(category=category, author=author),
        sort="date",
        limit=EVERY_MATCH,
        candidates=0,
    )
    return set(ids_of_arxiv(conn, [h["arxiv_id"] for h in hits]))


def _with_task(task: str) -> Any:
    return union(
        select(PM.c.paper_id).join(M, M.c.id == PM.c.model_id).where(M.c.pipeline_tag == task),
        select(R.c.paper_id).where(R.c.task_id == task, R.c.paper_id.is_not(None)),
    )


def _with_dataset(dataset: str) -> Any:
    name = dataset.lower()
    return union(
        select(PM.c.paper_id)
        .join(MD, MD.c.model_id == PM.c.model_id)
        .where(func.lower(MD.c.dataset_id) == name),
        select(R.c.paper_id).where(func.lower(R.c.dataset_id) == name, R.c.paper_id.is_not(None)),
    )


def _of_organisation(organisation: str) -> Any:
    name = organisation.lower()
    pattern = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
    return (
        select(PM.c.paper_id)
        .join(M, M.c.id == PM.c.model_id)
        .where(or_(func.lower(M.c.author) == name, func.lower(M.c.repo_id).like(pattern, "\\")))
    )


def watched(
    conn: Connection,
    kind: str,
    value: str,
    *,
    category: str | None = None,
    author: str | None = None,
) -> set[int]:
    """Papers a watchlist entry follows (tracker.follow.watchlists kinds)."""
    if kind == "search":
        return matching(conn, value, category=category, author=author)
    if kind == "author":
        return matching(conn, "", author=value)
    if kind == "category":
        return matching(conn, "", category=value)
    builders = {"task": _with_task, "dataset": _with_dataset, "organisation": _of_organisation}
    if kind not in builders:
        raise ValueError(f"unknown watch kind {kind!r}")
    query = builders[kind](value).subquery()
    return {pid for (pid,) in conn.execute(select(query.c.paper_id).distinct())}


def _lists(conn: Connection, query: Any) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for pid, value in conn.execute(query):
        out[pid].append(value)
    return out


def export_papers(conn: Connection, ids: Sequence[int]) -> list[ExportPaper]:
    """The records of these papers, in the order of ids (stubs and unknown ids left out)."""
    papers: dict[int, ExportPaper] = {}
    for part in chunks(list(ids)):
        authors = _lists(
            conn,
            select(PA.c.paper_id, A.c.name)
            .join(A, A.c.id == PA.c.author_id)
            .where(PA.c.paper_id.in_(part))
            .order_by(PA.c.paper_id, PA.c.position),
        )
        categories = _lists(
            conn,
            select(PC.c.paper_id, PC.c.category)
            .where(PC.c.paper_id.in_(part))
            .order_by(PC.c.paper_id, PC.c.category),
        )
        tags = _lists(
            conn,
            select(PT.c.paper_id, PT.c.tag).where(PT.c.paper_id.in_(part)).order_by(PT.c.tag),
        )
        user = {
            row.paper_id: row for row in conn.execute(select(PU).where(PU.c.paper_id.in_(part)))
        }
        rows = conn.execute(select(P).where(P.c.id.in_(part), P.c.is_stub.is_(False)))
        for row in rows:
            mark = user.get(row.id)
            primary = row.primary_category
            cats = categories.get(row.id, [])
            papers[row.id] = ExportPaper(
                arxiv_id=row.arxiv_id,
                title=row.title,
                authors=authors.get(row.id, []),
                version=row.version,
                abstract=row.abstract,
                primary_category=primary,
                categories=[primary, *(c for c in cats if c != primary)] if primary else cats,
                published=row.published,
                updated=row.updated,
                doi=row.doi or None,
                journal_ref=row.journal_ref or None,
                comment=row.comment or None,
                tags=tags.get(row.id, []),
                starred=bool(mark and mark.starred),
                note=(mark.note or "") if mark else "",
            )
    return [papers[i] for i in ids if i in papers]
