"""The demo data set's models and results ("models" and "results" in data/demo/demo.json).

Registered in tracker.demo.EXTRA_LOADERS; goes through the same upserts as a sync,
so loading the demo twice changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from tracker.db import hub as store
from tracker.db.papers import ensure_stubs
from tracker.records import ModelRecord, ResultRecord, parse_utc


def model_records(data: dict[str, Any]) -> list[ModelRecord]:
    return [
        ModelRecord(
            repo_id=m["repo_id"],
            author=m.get("author") or m["repo_id"].split("/")[0],
            pipeline_tag=m.get("pipeline_tag") or "",
            library=m.get("library") or "",
            downloads=int(m.get("downloads") or 0),
            likes=int(m.get("likes") or 0),
            trending_score=float(m.get("trending_score") or 0),
            created_at=parse_utc(m.get("created_at")),
            last_modified=parse_utc(m.get("last_modified")),
            gated=m["gated"] if isinstance(m.get("gated"), str) else "",
            private=False,
            license=m.get("license") or "",
            parameters=m.get("parameters"),
            safetensors=bool(m.get("safetensors")),
            base_model=m.get("base_model") or "",
            arxiv_ids=list(m.get("papers") or []),
            datasets=list(m.get("datasets") or []),
            detailed=True,
        )
        for m in data.get("models") or []
    ]


def result_records(data: dict[str, Any]) -> list[ResultRecord]:
    return [
        ResultRecord(
            model_name=r["model"],
            task_id=r["task"],
            dataset_id=r["dataset"],
            dataset_name=r.get("dataset_name") or r["dataset"],
            dataset_config=r.get("config") or "",
            dataset_split=r.get("split") or "",
            metric_type=r["metric_type"],
            metric_name=r.get("metric_name") or r["metric_type"],
            value=float(r["value"]) if r.get("value") is not None else None,
            value_text=str(r.get("value", "")),
            verified=bool(r.get("verified")),
            source=r.get("source") or "demo",
            paper_arxiv_id=r.get("paper"),
        )
        for r in data.get("results") or []
    ]


def load_demo_models(conn: Connection, data: dict[str, Any], now: datetime) -> None:
    """Models, their paper links and datasets, and the results of the demo set."""
    store.seed_tasks(conn)
    models = model_records(data)
    results = result_records(data)
    written = store.upsert_models(conn, models, now, fetched=True)
    papers = {a for m in models for a in m.arxiv_ids}
    papers |= {r.paper_arxiv_id for r in results if r.paper_arxiv_id}
    pids = ensure_stubs(conn, papers, now)
    store.link_papers(
        conn, [(pids[a], written.ids[m.repo_id]) for m in models for a in m.arxiv_ids]
    )
    store.add_model_datasets(
        conn, {written.ids[m.repo_id]: m.datasets for m in models if m.datasets}
    )
    ids = written.ids | store.model_ids(conn, {r.model_name for r in results})
    store.upsert_results(conn, results, ids, pids)
