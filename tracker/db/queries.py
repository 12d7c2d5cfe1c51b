"""Read queries shared by the CLI and the TUI: a paper's detail, counts, recent papers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from tracker.db.tables import CL, PA, PC, PM, PT, PU, A, M, P, R
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
    pid = conn.execute(
        select(P.c.id).where(P.c.arxiv_id == arxiv_id, P.c.is_stub.is_(False))
    ).scalar()
    if pid is None:
        raise NotFoundError(
            f"paper {arxiv_id} is not in the database.",
            hint="Run `tracker sync` (it fetches followed categories), or check the id.",
        )
    return int(pid)


def paper_detail(conn: Connection, raw_id: str) -> dict[str, Any]:
    """Everything `tracker show` prints, in DESIGN.md's JSON shape."""
    pid = paper_id_for(conn, raw_id)
    paper = conn.execute(select(P).where(P.c.id == pid)).one()
    authors = [
        row.name
        for row in conn.execute(
            select(A.c.name)
            .join(PA, PA.c.author_id == A.c.id)
            .where(PA.c.paper_id == pid)
            .order_by(PA.c.position)
        )
    ]
    categories = [
        c
        for (c,) in conn.execute(
            select(PC.c.category).where(PC.c.paper_id == pid).order_by(PC.c.category)
        )
    ]
    if paper.primary_category in categories:
        categories.remove(paper.primary_category)
        categories.insert(0, paper.primary_category)
    code_links = [
        url
        for (url,) in conn.execute(select(CL.c.url).where(CL.c.paper_id == pid).order_by(CL.c.id))
    ]
    models = [
        {
            "repo_id": m.repo_id,
            "task": m.pipeline_tag or None,
            "downloads": m.downloads,
            "likes": m.likes,
            "library": m.library or None,
            "parameters": m.parameters,
            "gated": m.gated or False,
        }
        for m in conn.execute(
            select(M)
            .join(PM, PM.c.model_id == M.c.id)
            .where(PM.c.paper_id == pid)
            .order_by(M.c.downloads.desc(), M.c.repo_id)
        )
    ]
    model_ids = select(PM.c.model_id).where(PM.c.paper_id == pid)
    results = [
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
        }
        for r in conn.execute(
            select(R)
            .where((R.c.paper_id == pid) | (R.c.model_id.in_(model_ids)))
            .order_by(R.c.task_id, R.c.dataset_id, R.c.metric_type, R.c.model_name)
        )
    ]
    tasks = sorted(
        {m["task"] for m in models if m["task"]} | {r["task"] for r in results if r["task"]}
    )
    datasets = sorted({r["dataset"] for r in results if r["dataset"]})
    datasets = sorted(set(datasets) | set(_model_datasets(conn, pid)))
    user = conn.execute(select(PU).where(PU.c.paper_id == pid)).first()
    tags = [
        t for (t,) in conn.execute(select(PT.c.tag).where(PT.c.paper_id == pid).order_by(PT.c.tag))
    ]
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": authors,
        "primary_category": paper.primary_category,
        "categories": categories,
        "published": iso(paper.published),
        "updated": iso(paper.updated),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comment": paper.comment,
        "withdrawn": bool(paper.withdrawn),
        "upvotes": paper.upvotes,
        "abs_url": abs_url(paper.arxiv_id),
        "pdf_url": pdf_url(paper.arxiv_id, paper.version),
        "code_links": code_links,
        "models": models,
        "tasks": tasks,
        "datasets": datasets,
        "results": results,
        "starred": bool(user.starred) if user else False,
        "read": bool(user and user.read_at),
        "note": user.note if user else "",
        "tags": tags,
    }


def _model_datasets(conn: Connection, pid: int) -> list[str]:
    from tracker.db.models import ModelDataset

    MD = ModelDataset.__table__
    return [
        d
        for (d,) in conn.execute(
            select(MD.c.dataset_id)
            .join(PM, PM.c.model_id == MD.c.model_id)
            .where(PM.c.paper_id == pid)
            .distinct()
        )
    ]


def counts(conn: Connection) -> dict[str, int]:
    """Row counts of the main tables, for doctor, demo and status lines."""
    return {
        "papers": conn.execute(
            select(func.count()).select_from(P).where(P.c.is_stub.is_(False))
        ).scalar_one(),
        "code_links": conn.execute(select(func.count()).select_from(CL)).scalar_one(),
        "models": conn.execute(select(func.count()).select_from(M)).scalar_one(),
        "results": conn.execute(select(func.count()).select_from(R)).scalar_one(),
    }
