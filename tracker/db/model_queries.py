"""Reads over models: `tracker models`, the TUI's models view and a model's detail.

One query builder (`_select_models`) serves both the CLI's list and the TUI's pages,
so that a sort and a filter mean the same thing in both; the sorts are
tracker.db.sorts.MODEL_SORTS and the dataset filter is tracker.db.dataset_filter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, union
from sqlalchemy.engine import Connection

from tracker.db.dataset_filter import models_on_dataset
from tracker.db.queries import iso
from tracker.db.result_twins import provenance, twins
from tracker.db.sorts import MODEL_SORTS, ModelSort
from tracker.db.tables import MD, PM, M, P, R, T
from tracker.errors import NotFoundError, UsageError
from tracker.ids import parse_arxiv_id
from tracker.tasks_catalog import canonical_task

__all__ = [
    "MODEL_SORTS",
    "ModelFilters",
    "ModelRow",
    "ModelSort",
    "list_models",
    "model_detail",
    "model_page",
]


@dataclass(frozen=True)
class ModelFilters:
    """What a list of models shows; every field is optional."""

    text: str = ""  # part of the repo id, any case
    paper: str = ""  # an arXiv id the model links to
    task: str = ""
    library: str = ""
    dataset: str = ""  # tracker.db.dataset_filter: id or name, any case
    sort: ModelSort = "downloads"
    fits: bool = False  # only models that fit this machine (tracker.trial.checks.fit_budget)

    def describe(self) -> list[str]:
        labels = [
            f"{n}:{getattr(self, n)}"
            for n in ("paper", "task", "library", "dataset")
            if getattr(self, n)
        ]
        return labels + (["fits this machine"] if self.fits else [])


@dataclass(frozen=True)
class ModelRow:
    id: int
    repo_id: str
    task: str
    library: str
    downloads: int
    likes: int
    parameters: int | None
    last_modified: datetime | None


_ORDER: dict[str, list[Any]] = {
    "downloads": [M.c.downloads.desc(), M.c.likes.desc()],
    "likes": [M.c.likes.desc(), M.c.downloads.desc()],
    "trending": [M.c.trending_score.desc(), M.c.likes.desc()],
    "params": [M.c.parameters.is_(None), M.c.parameters.desc()],
    "date": [M.c.created_at.is_(None), M.c.created_at.desc(), M.c.last_modified.desc()],
    "name": [],
}


def _conditions(f: ModelFilters, max_parameters: int | None) -> list[Any]:
    conds: list[Any] = []
    if f.paper:
        arxiv_id = parse_arxiv_id(f.paper)[0]
        linked = select(PM.c.model_id).join(P, P.c.id == PM.c.paper_id)
        conds.append(M.c.id.in_(linked.where(P.c.arxiv_id == arxiv_id)))
    if f.text.strip():
        escaped = f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(M.c.repo_id.ilike(f"%{escaped}%", escape="\\"))
    if f.task.strip():
        conds.append(M.c.pipeline_tag == canonical_task(f.task.strip()))
    if f.library.strip():
        conds.append(func.lower(M.c.library) == f.library.strip().lower())
    if f.dataset.strip():
        conds.append(M.c.id.in_(models_on_dataset(f.dataset)))
    if max_parameters is not None:
        conds += [M.c.parameters.is_not(None), M.c.parameters <= max_parameters]
    return conds


def _select_models(f: ModelFilters, max_parameters: int | None) -> Any:
    """The models matching f, in f.sort's order (ties by repo id)."""
    if f.sort not in MODEL_SORTS:
        raise UsageError(f"--sort: '{f.sort}' is not one of {', '.join(MODEL_SORTS)}.")
    query = select(M).where(*_conditions(f, max_parameters))
    return query.order_by(*_ORDER[f.sort], M.c.repo_id)


def model_page(
    conn: Connection,
    f: ModelFilters,
    *,
    offset: int = 0,
    limit: int = 100,
    max_parameters: int | None = None,
) -> tuple[list[ModelRow], bool]:
    """A page of models and whether more follow; max_parameters keeps models of known size."""
    query = _select_models(f, max_parameters).offset(offset).limit(limit + 1)
    rows = [
        ModelRow(
            id=r.id,
            repo_id=r.repo_id,
            task=r.pipeline_tag,
            library=r.library,
            downloads=r.downloads,
            likes=r.likes,
            parameters=r.parameters,
            last_modified=r.last_modified,
        )
        for r in conn.execute(query)
    ]
    return rows[:limit], len(rows) > limit


def list_models(
    conn: Connection,
    *,
    paper: str | None = None,
    task: str | None = None,
    dataset: str | None = None,
    library: str | None = None,
    sort: str = "downloads",
    limit: int | None = 50,
    max_parameters: int | None = None,
) -> list[dict[str, Any]]:
    """Models matching every filter given, best first by sort (`tracker models`).

    max_parameters keeps models of known size up to that many parameters (`--fits`).
    """
    f = ModelFilters(
        paper=paper or "",
        task=task or "",
        dataset=dataset or "",
        library=library or "",
        sort=sort,  # type: ignore[arg-type]  # _select_models checks it
    )
    query = _select_models(f, max_parameters)
    rows = conn.execute(query.limit(limit) if limit else query).all()
    links = _model_links([r.id for r in rows], conn)
    return [_model_json(r, links) for r in rows]


def _model_links(ids: list[int], conn: Connection) -> dict[str, dict[int, Any]]:
    """For these models: linked arXiv ids, datasets of the card, and result counts."""
    papers: dict[int, list[str]] = defaultdict(list)
    sets: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return {"papers": papers, "datasets": sets, "results": {}}
    for mid, aid in conn.execute(
        select(PM.c.model_id, P.c.arxiv_id)
        .join(P, P.c.id == PM.c.paper_id)
        .where(PM.c.model_id.in_(ids))
        .order_by(P.c.arxiv_id)
    ):
        papers[mid].append(aid)
    for mid, did in conn.execute(
        select(MD.c.model_id, MD.c.dataset_id)
        .where(MD.c.model_id.in_(ids))
        .order_by(MD.c.dataset_id)
    ):
        sets[mid].append(did)
    results: dict[int, int] = dict(
        conn.execute(
            select(R.c.model_id, func.count()).where(R.c.model_id.in_(ids)).group_by(R.c.model_id)
        ).all()
    )
    return {"papers": papers, "datasets": sets, "results": results}


def _model_json(r: Any, links: dict[str, dict[int, Any]]) -> dict[str, Any]:
    return {
        "repo_id": r.repo_id,
        "author": r.author or None,
        "task": r.pipeline_tag or None,
        "library": r.library or None,
        "downloads": r.downloads,
        "likes": r.likes,
        "trending_score": r.trending_score,
        "parameters": r.parameters,
        "gated": r.gated or False,
        "license": r.license or None,
        "safetensors": bool(r.safetensors),
        "base_model": r.base_model or None,
        "created_at": iso(r.created_at),
        "last_modified": iso(r.last_modified),
        "papers": links["papers"].get(r.id, []),
        "datasets": links["datasets"].get(r.id, []),
        "results": links["results"].get(r.id, 0),
        "url": f"https://huggingface.co/{r.repo_id}",
    }


# --- one model ------------------------------------------------------------------------------


def model_detail(conn: Connection, repo_id: str) -> dict[str, Any]:
    """A model's card facts, papers, datasets and results (the TUI's model view)."""
    m = conn.execute(select(M).where(M.c.repo_id == repo_id)).first()
    if m is None:
        raise NotFoundError(
            f"model {repo_id} is not in the database.",
            hint="Run `tracker sync` to fetch the models linked to your papers.",
        )
    task = conn.execute(select(T).where(T.c.id == m.pipeline_tag)).first()
    return {
        "repo_id": m.repo_id,
        "author": m.author,
        "task": m.pipeline_tag,
        "task_name": task.name if task else m.pipeline_tag,
        "trial_supported": bool(task.trial_supported) if task else False,
        "library": m.library,
        "downloads": m.downloads,
        "likes": m.likes,
        "license": m.license,
        "gated": m.gated,
        "parameters": m.parameters,
        "safetensors": bool(m.safetensors),
        "last_modified": m.last_modified,
        "created_at": m.created_at,
        "base_model": m.base_model,
        "papers": _linked_papers(conn, m.id),
        "datasets": _model_datasets(conn, m.id),
        "results": _model_results(conn, m.id, repo_id),
        "hub_url": f"https://huggingface.co/{m.repo_id}",
    }


def _linked_papers(conn: Connection, model_id: int) -> list[dict[str, Any]]:
    query = (
        select(P.c.arxiv_id, P.c.title)
        .join(PM, PM.c.paper_id == P.c.id)
        .where(PM.c.model_id == model_id)
        .order_by(P.c.published.desc())
    )
    return [{"arxiv_id": r.arxiv_id, "title": r.title} for r in conn.execute(query)]


def _model_datasets(conn: Connection, model_id: int) -> list[str]:
    query = union(
        select(MD.c.dataset_id).where(MD.c.model_id == model_id),
        select(R.c.dataset_id).where(R.c.model_id == model_id, R.c.dataset_id != ""),
    )
    return sorted(d for (d,) in conn.execute(query))


def _model_results(conn: Connection, model_id: int, repo_id: str) -> list[dict[str, Any]]:
    """The model's results, one row per result: a model-index score that an eval-results
    file repeats is that row's second source (tracker.db.result_twins)."""
    query = (
        select(R, P.c.arxiv_id)
        .outerjoin(P, P.c.id == R.c.paper_id)
        .where(or_(R.c.model_id == model_id, R.c.model_name == repo_id))
        .order_by(R.c.task_id, R.c.dataset_id, R.c.metric_type)
    )
    pairs = twins(conn, [model_id])
    repeated = set(pairs.values())
    return [
        {
            "model": r.model_name,
            "task": r.task_id,
            "dataset": r.dataset_id,
            "dataset_name": r.dataset_name or r.dataset_id,
            "config": r.dataset_config,
            "split": r.dataset_split,
            "metric": r.metric_name or r.metric_type,
            "metric_type": r.metric_type,
            "value": r.value,
            "value_text": r.value_text,
            "verified": bool(r.verified),
            "source": r.source,
            "sources": [r.source, "model-index"] if r.id in repeated else [r.source],
            "paper": r.arxiv_id,
            "variant": r.variant or None,
            "provenance": provenance(r),
        }
        for r in conn.execute(query)
        if r.id not in pairs
    ]
