"""Load the demo data set's models and results for TUI tests.

tracker.demo loads the papers; the Hub part of the demo (models, results) gets its
own loader with the Hub work. Until then (and harmlessly after) tests fill those
tables from data/demo/demo.json here, when they are empty.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from tracker.db.engine import write_transaction
from tracker.db.models import Dataset, Model, ModelDataset, Paper, PaperModel, Result
from tracker.db.papers import insert_ignore
from tracker.demo import load_demo, read_demo

M: Any = Model.__table__
P: Any = Paper.__table__


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC) if value else None


def load_demo_with_hub(engine: Engine) -> None:
    load_demo(engine)
    data = read_demo()
    with write_transaction(engine) as conn:
        if conn.execute(select(func.count()).select_from(M)).scalar_one():
            return
        paper_ids = dict(conn.execute(select(P.c.arxiv_id, P.c.id)).all())
        for m in data["models"]:
            conn.execute(
                M.insert().values(
                    repo_id=m["repo_id"],
                    author=m.get("author") or "",
                    pipeline_tag=m.get("pipeline_tag") or "",
                    library=m.get("library") or "",
                    downloads=m.get("downloads") or 0,
                    likes=m.get("likes") or 0,
                    trending_score=m.get("trending_score") or 0,
                    created_at=_date(m.get("created_at")),
                    last_modified=_date(m.get("last_modified")),
                    gated="manual" if m.get("gated") else "",
                    private=False,
                    license=m.get("license") or "",
                    parameters=m.get("parameters"),
                    safetensors=bool(m.get("safetensors")),
                    base_model=m.get("base_model") or "",
                    sha="",
                )
            )
        model_ids = dict(conn.execute(select(M.c.repo_id, M.c.id)).all())
        for m in data["models"]:
            mid = model_ids[m["repo_id"]]
            insert_ignore(
                conn,
                PaperModel.__table__,  # type: ignore[arg-type]
                [
                    {"paper_id": paper_ids[a], "model_id": mid}
                    for a in m["papers"]
                    if a in paper_ids
                ],
            )
            insert_ignore(
                conn,
                Dataset.__table__,  # type: ignore[arg-type]
                [{"id": d, "name": d} for d in m.get("datasets", [])],
            )
            insert_ignore(
                conn,
                ModelDataset.__table__,  # type: ignore[arg-type]
                [{"model_id": mid, "dataset_id": d} for d in m.get("datasets", [])],
            )
        for r in data["results"]:
            insert_ignore(
                conn,
                Result.__table__,  # type: ignore[arg-type]
                [
                    {
                        "model_id": model_ids.get(r["model"]),
                        "model_name": r["model"],
                        "paper_id": paper_ids.get(r.get("paper") or ""),
                        "task_id": r.get("task") or "",
                        "dataset_id": r.get("dataset") or "",
                        "dataset_name": r.get("dataset_name") or "",
                        "dataset_config": r.get("config") or "",
                        "dataset_split": r.get("split") or "",
                        "metric_type": r.get("metric_type") or "",
                        "metric_name": r.get("metric_name") or "",
                        "value": r.get("value"),
                        "value_text": "",
                        "verified": bool(r.get("verified")),
                        "source": r.get("source") or "demo",
                    }
                ],
            )
