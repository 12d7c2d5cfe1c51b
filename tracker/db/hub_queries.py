"""Reads over the Hub side: tasks and datasets (`tracker tasks`, `tracker datasets`, the TUI's
tasks view). Models live in tracker.db.model_queries and leaderboards in
tracker.db.leaderboards; both are re-exported here for the callers that know this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from tracker.db.leaderboards import SOURCE_RANK, Board, boards, leaderboard
from tracker.db.metrics import lower_is_better, metric_direction
from tracker.db.model_queries import MODEL_SORTS, ModelSort, list_models
from tracker.db.tables import MD, D, M, R, T
from tracker.errors import UsageError
from tracker.tasks_catalog import MODALITIES, canonical_task

__all__ = [
    "MODEL_SORTS",
    "SOURCE_RANK",
    "Board",
    "ModelSort",
    "TaskRow",
    "boards",
    "leaderboard",
    "list_datasets",
    "list_models",
    "list_tasks",
    "lower_is_better",
    "metric_direction",
    "task_catalogue",
    "task_datasets",
]

# Used when the tasks table has no row for a pipeline tag.
_MODALITY_HINTS = {
    "audio": ("audio", "speech", "voice"),
    "vision": ("image", "video", "object-detection", "depth", "mask", "keypoint"),
    "multimodal": ("visual-question", "document-question", "image-text", "text-to-image"),
    "tabular": ("tabular", "time-series"),
    "rl": ("reinforcement", "robotics"),
}


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


def list_tasks(conn: Connection, *, modality: str | None = None) -> list[dict[str, Any]]:
    """The task catalogue with how many models and results each task has here."""
    if modality and modality.lower() not in MODALITIES:
        raise UsageError(
            f"--modality: '{modality}' is not a modality.",
            hint=f"Use one of: {', '.join(MODALITIES)}.",
        )
    models: dict[str, int] = dict(
        conn.execute(select(M.c.pipeline_tag, func.count()).group_by(M.c.pipeline_tag)).all()
    )
    results: dict[str, int] = dict(
        conn.execute(select(R.c.task_id, func.count()).group_by(R.c.task_id)).all()
    )
    query = select(T)
    if modality:
        query = query.where(T.c.modality == modality.lower())
    rows = list(conn.execute(query).all())
    order = {m: i for i, m in enumerate(MODALITIES)}
    rows.sort(key=lambda t: (order.get(t.modality, len(order)), t.id))
    return [
        {
            "id": t.id,
            "name": t.name,
            "modality": t.modality,
            "description": t.description,
            "trial_supported": bool(t.trial_supported),
            "models": models.get(t.id, 0),
            "results": results.get(t.id, 0),
        }
        for t in rows
    ]


def list_datasets(conn: Connection, *, task: str | None = None) -> list[dict[str, Any]]:
    """Datasets that models were trained or evaluated on, most used first."""
    task_id = canonical_task(task) if task else None
    used: dict[str, set[str]] = defaultdict(set)  # dataset -> model names
    tasks: dict[str, set[str]] = defaultdict(set)
    result_count: dict[str, int] = defaultdict(int)
    trained = select(MD.c.dataset_id, M.c.repo_id, M.c.pipeline_tag).join(
        M, M.c.id == MD.c.model_id
    )
    if task_id:
        trained = trained.where(M.c.pipeline_tag == task_id)
    for did, repo_id, tag in conn.execute(trained):
        used[did].add(repo_id)
        if tag:
            tasks[did].add(tag)
    evaluated = select(R.c.dataset_id, R.c.model_name, R.c.task_id).where(R.c.dataset_id != "")
    if task_id:
        evaluated = evaluated.where(R.c.task_id == task_id)
    for did, name, tid in conn.execute(evaluated):
        used[did].add(name)
        result_count[did] += 1
        if tid:
            tasks[did].add(tid)
    names: dict[str, str] = dict(conn.execute(select(D.c.id, D.c.name)).all())
    out: list[dict[str, Any]] = [
        {
            "id": did,
            "name": names.get(did) or did,
            "models": len(models),
            "results": result_count.get(did, 0),
            "tasks": sorted(tasks.get(did, set())),
        }
        for did, models in used.items()
    ]
    out.sort(key=lambda d: (-d["models"], -d["results"], d["id"]))
    return out


def task_catalogue(conn: Connection) -> list[TaskRow]:
    """Every known task: the tasks table plus any pipeline tag or result task in use."""
    known = {r.id: r for r in conn.execute(select(T))}
    model_counts: dict[str, int] = dict(
        conn.execute(
            select(M.c.pipeline_tag, func.count())
            .where(M.c.pipeline_tag != "")
            .group_by(M.c.pipeline_tag)
        ).all()
    )
    result_counts: dict[str, int] = dict(
        conn.execute(
            select(R.c.task_id, func.count()).where(R.c.task_id != "").group_by(R.c.task_id)
        ).all()
    )
    out = []
    for task_id in sorted(set(known) | set(model_counts) | set(result_counts)):
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
