"""The one dataset filter: a name matches a dataset's id or its display name, any case.

`tracker models --dataset`, `tracker leaderboard --dataset`, the TUI's models view
its papers filter and the digest's followed datasets all go through `on_datasets`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, or_, select, union

from tracker.db.tables import MD, PM, R


def on_datasets(datasets: Iterable[str]) -> Any:
    """Condition on results: evaluated on any of these datasets (id or name, any case)."""
    wanted = sorted({d.strip().lower() for d in datasets})
    return or_(func.lower(R.c.dataset_id).in_(wanted), func.lower(R.c.dataset_name).in_(wanted))


def on_dataset(dataset: str) -> Any:
    """Condition on results: evaluated on this dataset (id or name, any case)."""
    return on_datasets([dataset])


def models_on_dataset(dataset: str) -> Any:
    """Ids of models trained on the dataset (card metadata) or evaluated on it."""
    wanted = dataset.strip().lower()
    return union(
        select(MD.c.model_id).where(func.lower(MD.c.dataset_id) == wanted),
        select(R.c.model_id).where(on_dataset(dataset), R.c.model_id.is_not(None)),
    )


def papers_on_dataset(dataset: str) -> Any:
    """Ids of papers with a result on the dataset, or with a model on it."""
    models = models_on_dataset(dataset).subquery()
    return union(
        select(R.c.paper_id).where(on_dataset(dataset), R.c.paper_id.is_not(None)),
        select(PM.c.paper_id).where(PM.c.model_id.in_(select(models.c.model_id))),
    )
