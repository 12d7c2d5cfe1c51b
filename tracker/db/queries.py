"""Reads of one paper and of the totals: a paper's detail (`tracker show`, the TUI's paper
view), the id behind an arXiv id, and the row counts. A paper is never a stub
(tracker.db.paper_rule).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from tracker.db.models import Trial
from tracker.db.paper_hub import paper_page
from tracker.db.result_twins import provenance, twins
from tracker.db.tables import CL, IS_PAPER, MD, PA, PC, PM, PT, PU, A, M, P, R, table_of
from tracker.errors import NotFoundError
from tracker.ids import parse_arxiv_id


def iso(value: datetime | None) -> str | None:
    """A UTC datetime -> ISO 8601 with a Z (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    suffix = f"v{version}" if version else ""
    return f"https://arxiv.org/pdf/{arxiv_id}{suffix}"


def paper_id_for(conn: Connection, raw_id: str) -> int:
    """The row id of a paper named by any arXiv id form; NotFoundError if absent."""
    arxiv_id, _version = parse_arxiv_id(raw_id)
    pid = conn.execute(select(P.c.id).where(P.c.arxiv_id == arxiv_id, IS_PAPER)).scalar()
    if pid is None:
        raise NotFoundError(
            f"paper {arxiv_id} is not in the database.",
            hint="Run `tracker sync` (it fetches followed categories), or check the id.",
        )
    return int(pid)


def paper_detail(conn: Connection, raw_id: str) -> dict[str, Any]:
    """Everything `tracker show` prints, in the shape of `tracker show --json`."""
    pid = paper_id_for(conn, raw_id)
    paper = conn.execute(select(P).where(P.c.id == pid)).one()
    models = _paper_models(conn, pid)
    results = _paper_results(conn, pid)
    tasks = sorted(
        {m["task"] for m in models if m["task"]} | {r["task"] for r in results if r["task"]}
    )
    datasets = {r["dataset"] for r in results if r["dataset"]} | set(_model_datasets(conn, pid))
    return {
        **_paper_record(paper),
        "authors": _authors(conn, pid),
        "categories": _categories(conn, pid, paper.primary_category),
        "code_links": [
            url
            for (url,) in conn.execute(
                select(CL.c.url).where(CL.c.paper_id == pid).order_by(CL.c.id)
            )
        ],
        "models": models,
        "tasks": tasks,
        "datasets": sorted(datasets),
        "results": results,
        **paper_page(conn, pid),
        **_user_data(conn, pid),
    }


def _paper_record(paper: Any) -> dict[str, Any]:
    """The paper row's own fields, in the order `tracker show --json` prints them."""
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": [],
        "primary_category": paper.primary_category,
        "categories": [],
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comment": paper.comment,
        "withdrawn": bool(paper.withdrawn),
        "upvotes": paper.upvotes,
        "abs_url": abs_url(paper.arxiv_id),
        "pdf_url": pdf_url(paper.arxiv_id, paper.version),
    }


def _authors(conn: Connection, pid: int) -> list[str]:
    query = (
        select(A.c.name)
        .join(PA, PA.c.author_id == A.c.id)
        .where(PA.c.paper_id == pid)
        .order_by(PA.c.position)
    )
    return [row.name for row in conn.execute(query)]


def _categories(conn: Connection, pid: int, primary: str) -> list[str]:
    """The paper's categories, its primary one first."""
    query = select(PC.c.category).where(PC.c.paper_id == pid).order_by(PC.c.category)
    categories = [c for (c,) in conn.execute(query)]
    if primary in categories:
        categories.remove(primary)
        categories.insert(0, primary)
    return categories


def _paper_models(conn: Connection, pid: int) -> list[dict[str, Any]]:
    query = (
        select(M)
        .join(PM, PM.c.model_id == M.c.id)
        .where(PM.c.paper_id == pid)
        .order_by(M.c.downloads.desc(), M.c.repo_id)
    )
    return [
        {
            "repo_id": m.repo_id,
            "task": m.pipeline_tag or None,
            "downloads": m.downloads,
            "likes": m.likes,
            "library": m.library or None,
            "parameters": m.parameters,
            "gated": m.gated or False,
        }
        for m in conn.execute(query)
    ]


def _paper_results(conn: Connection, pid: int) -> list[dict[str, Any]]:
    """Results of the paper, and of the models that link to it: one row per result (a
    card's score that an eval-results file repeats is that row's, tracker.db.result_twins)."""
    model_ids = select(PM.c.model_id).where(PM.c.paper_id == pid)
    query = (
        select(R)
        .where((R.c.paper_id == pid) | (R.c.model_id.in_(model_ids)))
        .order_by(R.c.task_id, R.c.dataset_id, R.c.metric_type, R.c.model_name)
    )
    rows = list(conn.execute(query))
    pairs = twins(conn, [r.model_id for r in rows])
    repeated = set(pairs.values())
    return [
        {
            "model": r.model_name,
            "task": r.task_id or None,
            "dataset": r.dataset_id or None,
            "dataset_name": r.dataset_name or None,
            "split": r.dataset_split or None,
            "metric": r.metric_name or r.metric_type,
            "metric_type": r.metric_type or None,
            "value": r.value,
            "verified": bool(r.verified),
            "source": r.source,
            "sources": [r.source, "model-index"] if r.id in repeated else [r.source],
            "variant": r.variant or None,
            "provenance": provenance(r),
        }
        for r in rows
        if r.id not in pairs
    ]


def _user_data(conn: Connection, pid: int) -> dict[str, Any]:
    user = conn.execute(select(PU).where(PU.c.paper_id == pid)).first()
    tags = [
        t for (t,) in conn.execute(select(PT.c.tag).where(PT.c.paper_id == pid).order_by(PT.c.tag))
    ]
    return {
        "starred": bool(user.starred) if user else False,
        "read": bool(user and user.read_at),
        "note": user.note if user else "",
        "tags": tags,
    }


def _model_datasets(conn: Connection, pid: int) -> list[str]:
    query = (
        select(MD.c.dataset_id)
        .join(PM, PM.c.model_id == MD.c.model_id)
        .where(PM.c.paper_id == pid)
        .distinct()
    )
    return [d for (d,) in conn.execute(query)]


TR: Any = table_of(Trial)


def has_papers(conn: Connection) -> bool:
    """Whether the database holds a paper (a count would scan a million rows)."""
    return conn.execute(select(P.c.id).where(IS_PAPER).limit(1)).first() is not None


def counts(conn: Connection) -> dict[str, int]:
    """Row counts of the main tables, for doctor, demo and status lines (no stubs)."""
    found = {
        "papers": conn.execute(select(func.count()).select_from(P).where(IS_PAPER)).scalar_one()
    }
    for name, table in {"code_links": CL, "models": M, "results": R}.items():
        found[name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return found


def trial_count(conn: Connection) -> int:
    """How many trials the ledger holds (`tracker doctor`)."""
    return int(conn.execute(select(func.count()).select_from(TR)).scalar_one())
