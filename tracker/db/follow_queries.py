"""Reads for the digest, recommendations and the hot sort: new papers, the facts about
starred papers and followed boards, and what makes a paper popular.

New rows are found by id watermarks (papers, models and results ids only grow), not
by timestamps: a sync stamps a whole run with its start time, so a page committed
after a digest can carry a time before it, but never an id below its watermark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.dataset_filter import on_datasets
from tracker.db.tables import CL, IS_PAPER, MD, PC, PM, PT, PU, M, P, R


def max_ids(conn: Connection) -> dict[str, int]:
    """The highest row id of papers, models and results (the digest's watermarks)."""
    return {
        name: int(conn.execute(select(func.coalesce(func.max(t.c.id), 0))).scalar_one())
        for name, t in (("papers", P), ("models", M), ("results", R))
    }


@dataclass
class NewPaper:
    id: int
    arxiv_id: str
    title: str
    authors: str
    primary_category: str
    published: datetime | None
    upvotes: int
    categories: set[str] = field(default_factory=set)
    downloads: int = 0
    tasks: set[str] = field(default_factory=set)
    datasets: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)


def new_papers(
    conn: Connection,
    *,
    after_id: int | None = None,
    since: datetime | None = None,
    up_to_id: int | None = None,
) -> dict[str, NewPaper]:
    """Papers (not stubs) with an id above after_id, or first seen since a time."""
    query = select(
        P.c.id,
        P.c.arxiv_id,
        P.c.title,
        P.c.authors,
        P.c.primary_category,
        P.c.published,
        P.c.upvotes,
    ).where(IS_PAPER)
    if after_id is not None:
        query = query.where(P.c.id > after_id)
    if since is not None:
        query = query.where(P.c.first_seen >= since)
    if up_to_id is not None:
        query = query.where(P.c.id <= up_to_id)
    papers = {row.id: NewPaper(*row) for row in conn.execute(query.order_by(P.c.id))}
    ids = list(papers)
    for part in chunks(ids):
        for pid, category in conn.execute(
            select(PC.c.paper_id, PC.c.category).where(PC.c.paper_id.in_(part))
        ):
            papers[pid].categories.add(category)
        models = select(PM.c.paper_id, M.c.id, M.c.author, M.c.repo_id, M.c.pipeline_tag).join(
            M, M.c.id == PM.c.model_id
        )
        model_papers: dict[int, list[int]] = defaultdict(list)
        for pid, mid, author, repo_id, tag in conn.execute(models.where(PM.c.paper_id.in_(part))):
            paper = papers[pid]
            model_papers[mid].append(pid)
            if tag:
                paper.tasks.add(tag)
            paper.organisations.add((author or repo_id.split("/")[0]).lower())
        for pid, downloads in conn.execute(
            select(PM.c.paper_id, func.sum(M.c.downloads))
            .join(M, M.c.id == PM.c.model_id)
            .where(PM.c.paper_id.in_(part))
            .group_by(PM.c.paper_id)
        ):
            papers[pid].downloads = int(downloads or 0)
        for mid, dataset in conn.execute(
            select(MD.c.model_id, MD.c.dataset_id).where(MD.c.model_id.in_(list(model_papers)))
        ):
            for pid in model_papers[mid]:
                papers[pid].datasets.add(dataset.lower())
        for pid, task, dataset in conn.execute(
            select(R.c.paper_id, R.c.task_id, R.c.dataset_id).where(R.c.paper_id.in_(part))
        ):
            if task:
                papers[pid].tasks.add(task)
            if dataset:
                papers[pid].datasets.add(dataset.lower())
    return {p.arxiv_id: p for p in papers.values()}


# --- starred papers ------------------------------------------------------------------------


def starred_facts(conn: Connection) -> dict[str, dict[str, Any]]:
    """For each starred paper: title, version, code links, models (with downloads)."""
    rows = conn.execute(
        select(P.c.id, P.c.arxiv_id, P.c.title, P.c.version)
        .join(PU, PU.c.paper_id == P.c.id)
        .where(PU.c.starred.is_(True), IS_PAPER)
        .order_by(P.c.arxiv_id)
    ).all()
    by_id = {
        r.id: {"id": r.id, "title": r.title, "version": r.version, "code": [], "models": {}}
        for r in rows
    }
    ids = list(by_id)
    for part in chunks(ids):
        for pid, url in conn.execute(
            select(CL.c.paper_id, CL.c.url).where(CL.c.paper_id.in_(part)).order_by(CL.c.id)
        ):
            by_id[pid]["code"].append(url)
        for pid, repo_id, downloads in conn.execute(
            select(PM.c.paper_id, M.c.repo_id, M.c.downloads)
            .join(M, M.c.id == PM.c.model_id)
            .where(PM.c.paper_id.in_(part))
        ):
            by_id[pid]["models"][repo_id] = int(downloads)
    return {r.arxiv_id: by_id[r.id] for r in rows}


def paper_results(
    conn: Connection, paper_ids: Sequence[int], after_id: int
) -> dict[int, list[dict[str, Any]]]:
    """Results newer than after_id of each paper (its own, or of its models)."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not paper_ids:
        return out
    model_papers: dict[int, set[int]] = defaultdict(set)
    for part in chunks(list(paper_ids)):
        for pid, mid in conn.execute(
            select(PM.c.paper_id, PM.c.model_id).where(PM.c.paper_id.in_(part))
        ):
            model_papers[mid].add(pid)
    wanted = set(paper_ids)
    query = select(R).where(
        R.c.id > after_id,
        R.c.value.is_not(None),
        or_(R.c.paper_id.in_(list(wanted)), R.c.model_id.in_(list(model_papers))),
    )
    for r in conn.execute(query.order_by(R.c.id)):
        owners = set(model_papers.get(r.model_id, set()))
        if r.paper_id in wanted:
            owners.add(r.paper_id)
        for pid in owners:
            out[pid].append(result_dict(r))
    return out


def result_dict(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "model": r.model_name,
        "task": r.task_id,
        "dataset": r.dataset_id,
        "dataset_name": r.dataset_name or r.dataset_id,
        "config": r.dataset_config,
        "split": r.dataset_split,
        "metric": r.metric_type,
        "metric_name": r.metric_name or r.metric_type,
        "value": r.value,
        "variant": r.variant,  # 'with tools' is a board of its own (m007)
    }


# --- followed tasks, datasets and organisations -------------------------------------------------


def board_results(
    conn: Connection, tasks: Iterable[str], datasets: Iterable[str]
) -> list[dict[str, Any]]:
    """Every scored result of the followed tasks and datasets."""
    tasks, datasets = list(tasks), list(datasets)
    if not tasks and not datasets:
        return []
    conditions = []
    if tasks:
        conditions.append(R.c.task_id.in_(tasks))
    if datasets:
        conditions.append(on_datasets(datasets))
    query = select(R).where(R.c.value.is_not(None), or_(*conditions)).order_by(R.c.id)
    return [result_dict(r) for r in conn.execute(query)]


def popular_models(
    conn: Connection, tasks: Iterable[str], min_downloads: int
) -> dict[str, dict[str, int]]:
    """task -> {repo id: downloads} of its models with at least min_downloads."""
    out: dict[str, dict[str, int]] = {t: {} for t in tasks}
    if not out:
        return out
    for tag, repo_id, downloads in conn.execute(
        select(M.c.pipeline_tag, M.c.repo_id, M.c.downloads).where(
            M.c.pipeline_tag.in_(list(out)), M.c.downloads >= min_downloads
        )
    ):
        out[tag][repo_id] = int(downloads)
    return out


def organisation_models(
    conn: Connection, organisations: Iterable[str], after_id: int
) -> dict[str, list[dict[str, Any]]]:
    """organisation -> its models with an id above after_id, most downloaded first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for org in organisations:
        pattern = org.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = conn.execute(
            select(M.c.repo_id, M.c.pipeline_tag, M.c.downloads)
            .where(
                M.c.id > after_id,
                or_(
                    func.lower(M.c.author) == org.lower(),
                    func.lower(M.c.repo_id).like(pattern + "/%", escape="\\"),
                ),
            )
            .order_by(M.c.downloads.desc(), M.c.repo_id)
        ).all()
        out[org] = [
            {"repo_id": r.repo_id, "task": r.pipeline_tag, "downloads": int(r.downloads)}
            for r in rows
        ]
    return out


# --- popularity and user marks -------------------------------------------------------------------


def popularity(conn: Connection, arxiv_ids: Sequence[str]) -> dict[str, tuple[int, int, Any]]:
    """arxiv id -> (Hub upvotes, downloads of its models, published)."""
    out: dict[str, tuple[int, int, Any]] = {}
    for part in chunks(list(arxiv_ids)):
        downloads = (
            select(PM.c.paper_id, func.sum(M.c.downloads).label("downloads"))
            .join(M, M.c.id == PM.c.model_id)
            .group_by(PM.c.paper_id)
            .subquery()
        )
        query = (
            select(P.c.arxiv_id, P.c.upvotes, downloads.c.downloads, P.c.published)
            .outerjoin(downloads, downloads.c.paper_id == P.c.id)
            .where(P.c.arxiv_id.in_(part))
        )
        for aid, upvotes, dl, published in conn.execute(query):
            out[aid] = (int(upvotes or 0), int(dl or 0), published)
    return out


def marked_papers(conn: Connection) -> dict[int, set[str]]:
    """paper id -> the user's tags, with "starred" for a star (papers the user marked)."""
    out: dict[int, set[str]] = defaultdict(set)
    for (pid,) in conn.execute(select(PU.c.paper_id).where(PU.c.starred.is_(True))):
        out[pid].add("starred")
    for pid, tag in conn.execute(select(PT.c.paper_id, PT.c.tag)):
        out[pid].add(tag)
    return out


def paper_texts(
    conn: Connection, *, newest: int, include: Iterable[int] = ()
) -> list[tuple[int, str, str, str, datetime | None]]:
    """(id, arxiv id, title, abstract, published) of the newest papers and of include."""
    cols = (P.c.id, P.c.arxiv_id, P.c.title, P.c.abstract, P.c.published)
    rows = {
        r[0]: tuple(r)
        for r in conn.execute(select(*cols).where(IS_PAPER).order_by(P.c.id.desc()).limit(newest))
    }
    missing = [pid for pid in include if pid not in rows]
    for part in chunks(missing):
        for r in conn.execute(select(*cols).where(P.c.id.in_(part), IS_PAPER)):
            rows[r[0]] = tuple(r)
    return [rows[k] for k in sorted(rows)]
