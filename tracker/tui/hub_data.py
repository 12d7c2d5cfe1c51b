"""TUI reads of the Hub tables: models, tasks, datasets and leaderboards.

Small, paged queries over models, paper_models, tasks, datasets, model_datasets and
results. (tracker.db.hub_queries may take these over once it lands.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select, true, union
from sqlalchemy.engine import Connection

from tracker.db.tables import MD, PM, M, P, R, T
from tracker.errors import NotFoundError

ModelSort = Literal["downloads", "likes", "recent", "name"]
MODEL_SORTS: tuple[ModelSort, ...] = ("downloads", "likes", "recent", "name")

# Used when the tasks table has no row for a pipeline tag.
_MODALITY_HINTS = {
    "audio": ("audio", "speech", "voice"),
    "vision": ("image", "video", "object-detection", "depth", "mask", "keypoint"),
    "multimodal": ("visual-question", "document-question", "image-text", "text-to-image"),
    "tabular": ("tabular", "time-series"),
    "rl": ("reinforcement", "robotics"),
}
# Metrics where lower is better; every other metric ranks highest first.
LOWER_IS_BETTER = ("wer", "cer", "perplexity", "loss", "mae", "mse", "rmse", "error", "ter")


@dataclass(frozen=True)
class ModelFilters:
    text: str = ""
    task: str = ""
    library: str = ""
    dataset: str = ""
    sort: ModelSort = "downloads"
    fits: bool = False  # only models that fit this machine (tracker.trial.checks.fit_budget)

    def describe(self) -> list[str]:
        labels = [
            f"{n}:{getattr(self, n)}" for n in ("task", "library", "dataset") if getattr(self, n)
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


@dataclass(frozen=True)
class TaskRow:
    id: str
    name: str
    modality: str
    description: str
    trial_supported: bool
    models: int
    results: int


def guess_modality(task_id: str) -> str:
    for modality, hints in _MODALITY_HINTS.items():
        if any(h in task_id for h in hints):
            return modality
    return "text" if task_id else "other"


def fetch_models(
    conn: Connection,
    f: ModelFilters,
    *,
    offset: int = 0,
    limit: int = 100,
    max_parameters: int | None = None,
) -> tuple[list[ModelRow], bool]:
    """A page of models and whether more follow; max_parameters keeps models of known size."""
    conds: list[Any] = []
    if max_parameters is not None:
        conds += [M.c.parameters.is_not(None), M.c.parameters <= max_parameters]
    if f.text.strip():
        escaped = f.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(M.c.repo_id.ilike(f"%{escaped}%", escape="\\"))
    if f.task:
        conds.append(M.c.pipeline_tag == f.task.strip())
    if f.library:
        conds.append(M.c.library == f.library.strip())
    if f.dataset:
        ds = f.dataset.strip()
        conds.append(
            M.c.id.in_(
                union(
                    select(MD.c.model_id).where(MD.c.dataset_id == ds),
                    select(R.c.model_id).where(R.c.dataset_id == ds, R.c.model_id.is_not(None)),
                )
            )
        )
    order = {
        "downloads": [M.c.downloads.desc(), M.c.repo_id],
        "likes": [M.c.likes.desc(), M.c.repo_id],
        "recent": [M.c.last_modified.desc(), M.c.repo_id],
        "name": [M.c.repo_id],
    }[f.sort]
    query = select(M).where(and_(true(), *conds)).order_by(*order).offset(offset).limit(limit + 1)
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


def model_detail(conn: Connection, repo_id: str) -> dict[str, Any]:
    """A model's card facts, papers, datasets and results."""
    m = conn.execute(select(M).where(M.c.repo_id == repo_id)).first()
    if m is None:
        raise NotFoundError(
            f"model {repo_id} is not in the database.",
            hint="Run `tracker sync` to fetch the models linked to your papers.",
        )
    papers = [
        {"arxiv_id": r.arxiv_id, "title": r.title}
        for r in conn.execute(
            select(P.c.arxiv_id, P.c.title)
            .join(PM, PM.c.paper_id == P.c.id)
            .where(PM.c.model_id == m.id)
            .order_by(P.c.published.desc())
        )
    ]
    datasets = [
        d
        for (d,) in conn.execute(
            union(
                select(MD.c.dataset_id).where(MD.c.model_id == m.id),
                select(R.c.dataset_id).where(R.c.model_id == m.id, R.c.dataset_id != ""),
            )
        )
    ]
    results = [
        _result(r)
        for r in conn.execute(
            select(R, P.c.arxiv_id)
            .outerjoin(P, P.c.id == R.c.paper_id)
            .where(or_(R.c.model_id == m.id, R.c.model_name == repo_id))
            .order_by(R.c.task_id, R.c.dataset_id, R.c.metric_type)
        )
    ]
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
        "papers": papers,
        "datasets": sorted(datasets),
        "results": results,
        "hub_url": f"https://huggingface.co/{m.repo_id}",
    }


def _result(r: Any) -> dict[str, Any]:
    return {
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
        "paper": r.arxiv_id,
    }


def tasks(conn: Connection) -> list[TaskRow]:
    """Every known task: the tasks table plus any pipeline tag or result task in use."""
    known = {r.id: r for r in conn.execute(select(T))}
    model_counts = dict(
        conn.execute(
            select(M.c.pipeline_tag, func.count())
            .where(M.c.pipeline_tag != "")
            .group_by(M.c.pipeline_tag)
        ).all()
    )
    result_counts = dict(
        conn.execute(
            select(R.c.task_id, func.count()).where(R.c.task_id != "").group_by(R.c.task_id)
        ).all()
    )
    ids = set(known) | set(model_counts) | set(result_counts)
    out = []
    for task_id in sorted(ids):
        row = known.get(task_id)
        out.append(
            TaskRow(
                id=task_id,
                name=row.name if row and row.name else task_id.replace("-", " ").capitalize(),
                modality=row.modality if row else guess_modality(task_id),
                description=row.description if row else "",
                trial_supported=bool(row.trial_supported) if row else False,
                models=int(model_counts.get(task_id, 0)),
                results=int(result_counts.get(task_id, 0)),
            )
        )
    return out


def task_datasets(conn: Connection, task_id: str) -> list[dict[str, Any]]:
    """Datasets with results for a task: id, name, result and model counts."""
    query = (
        select(
            R.c.dataset_id,
            func.max(R.c.dataset_name).label("name"),
            func.count().label("results"),
            func.count(func.distinct(R.c.model_name)).label("models"),
        )
        .where(R.c.task_id == task_id, R.c.dataset_id != "")
        .group_by(R.c.dataset_id)
        .order_by(func.count().desc(), R.c.dataset_id)
    )
    return [
        {
            "id": r.dataset_id,
            "name": r.name or r.dataset_id,
            "results": r.results,
            "models": r.models,
        }
        for r in conn.execute(query)
    ]


def leaderboard_metrics(conn: Connection, task_id: str, dataset_id: str) -> list[str]:
    """Metric types on this board, most reported first."""
    query = (
        select(R.c.metric_type)
        .where(R.c.task_id == task_id, R.c.dataset_id == dataset_id)
        .group_by(R.c.metric_type)
        .order_by(func.count().desc(), R.c.metric_type)
    )
    return [r[0] for r in conn.execute(query)]


def leaderboard(
    conn: Connection, task_id: str, dataset_id: str, metric_type: str, limit: int = 500
) -> list[dict[str, Any]]:
    """Ranked results for one task, dataset and metric, best first, with provenance."""
    lower = any(word in metric_type.lower() for word in LOWER_IS_BETTER)
    value_order = R.c.value.asc() if lower else R.c.value.desc()
    # A result without a paper of its own points at its model's (newest) paper.
    model_paper = (
        select(P.c.arxiv_id)
        .join(PM, PM.c.paper_id == P.c.id)
        .where(PM.c.model_id == R.c.model_id)
        .order_by(P.c.published.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(R, func.coalesce(P.c.arxiv_id, model_paper).label("arxiv_id"))
        .outerjoin(P, P.c.id == R.c.paper_id)
        .where(
            R.c.task_id == task_id,
            R.c.dataset_id == dataset_id,
            R.c.metric_type == metric_type,
        )
        .order_by(R.c.value.is_(None), value_order, R.c.model_name)
        .limit(limit)
    )
    rows = []
    for rank, r in enumerate(conn.execute(query), start=1):
        item = _result(r)
        item["rank"] = rank
        item["lower_is_better"] = lower
        rows.append(item)
    return rows
