"""Reads over models, tasks, datasets and results: `tracker models/tasks/datasets/leaderboard`.

Leaderboards rank the results of one task, one board per (dataset, config, split,
metric): higher is better except for loss/error/perplexity/WER/CER-style metrics.
Hub (model-index) and archive (pwc-archive) rows are merged; a row that both sources
hold (the same model name, or the same paper with the same value) is shown once,
with every source listed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from tracker.db.queries import iso
from tracker.db.tables import MD, PM, D, M, P, R, T
from tracker.errors import NotFoundError, UsageError
from tracker.ids import parse_arxiv_id
from tracker.tasks_catalog import MODALITIES, canonical_task

ModelSort = Literal["downloads", "likes", "trending", "params", "date"]
MODEL_SORTS: tuple[str, ...] = ("downloads", "likes", "trending", "params", "date")

# Words (or word parts) of a metric whose smaller values are better.
_LOWER_WORDS = {
    "loss",
    "error",
    "err",
    "perplexity",
    "ppl",
    "wer",
    "cer",
    "ter",
    "fid",
    "kid",
    "mae",
    "mse",
    "rmse",
    "nll",
    "bpc",
    "bpb",
    "bpd",
    "eer",
    "latency",
    "distance",
}
_LOWER_PHRASES = ("bits per", "bits/", "word error", "character error", "miss rate")
# Which source a merged row shows, best first.
SOURCE_RANK = {"model-index": 0, "model-card": 1, "paper": 2, "demo": 3, "pwc-archive": 4}


def lower_is_better(metric_type: str, metric_name: str = "") -> bool:
    """True for loss, error, perplexity, WER, CER, FID ... (smaller values win)."""
    text = f"{metric_type} {metric_name}".lower()
    if any(p in text for p in _LOWER_PHRASES):
        return True
    return any(word in _LOWER_WORDS for word in re.split(r"[^a-z0-9]+", text))


def _norm_name(name: str) -> str:
    """'google-bert/bert-base-uncased' -> 'bertbaseuncased'; 'BERT-Base' -> 'bertbase'."""
    return re.sub(r"[^a-z0-9]", "", name.rsplit("/", 1)[-1].lower())


# --- models --------------------------------------------------------------------------


def _arxiv(raw: str) -> str:
    return parse_arxiv_id(raw)[0]


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
    """Models matching every filter given, best first by sort.

    max_parameters keeps models of known size up to that many parameters (`--fits`).
    """
    if sort not in MODEL_SORTS:
        raise UsageError(f"--sort: '{sort}' is not one of {', '.join(MODEL_SORTS)}.")
    query = select(M)
    if paper:
        arxiv_id = _arxiv(paper)
        query = query.where(
            M.c.id.in_(
                select(PM.c.model_id)
                .join(P, P.c.id == PM.c.paper_id)
                .where(P.c.arxiv_id == arxiv_id)
            )
        )
    if task:
        query = query.where(M.c.pipeline_tag == canonical_task(task))
    if dataset:
        wanted = dataset.lower()
        query = query.where(
            or_(
                M.c.id.in_(select(MD.c.model_id).where(func.lower(MD.c.dataset_id) == wanted)),
                M.c.id.in_(
                    select(R.c.model_id).where(
                        or_(
                            func.lower(R.c.dataset_id) == wanted,
                            func.lower(R.c.dataset_name) == wanted,
                        )
                    )
                ),
            )
        )
    if library:
        query = query.where(func.lower(M.c.library) == library.lower())
    if max_parameters is not None:
        query = query.where(M.c.parameters.is_not(None), M.c.parameters <= max_parameters)
    order = {
        "downloads": [M.c.downloads.desc(), M.c.likes.desc()],
        "likes": [M.c.likes.desc(), M.c.downloads.desc()],
        "trending": [M.c.trending_score.desc(), M.c.likes.desc()],
        "params": [M.c.parameters.is_(None), M.c.parameters.desc()],
        "date": [M.c.created_at.is_(None), M.c.created_at.desc(), M.c.last_modified.desc()],
    }[sort]
    query = query.order_by(*order, M.c.repo_id)
    if limit:
        query = query.limit(limit)
    rows = conn.execute(query).all()
    ids = [r.id for r in rows]
    papers: dict[int, list[str]] = defaultdict(list)
    sets: dict[int, list[str]] = defaultdict(list)
    results: dict[int, int] = {}
    if ids:
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
        results = dict(
            conn.execute(
                select(R.c.model_id, func.count())
                .where(R.c.model_id.in_(ids))
                .group_by(R.c.model_id)
            ).all()
        )
    return [
        {
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
            "papers": papers.get(r.id, []),
            "datasets": sets.get(r.id, []),
            "results": results.get(r.id, 0),
            "url": f"https://huggingface.co/{r.repo_id}",
        }
        for r in rows
    ]


# --- tasks and datasets -----------------------------------------------------------------


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


# --- leaderboards --------------------------------------------------------------------------


def _dataset_filter(dataset: str) -> Any:
    wanted = dataset.lower()
    exact = or_(func.lower(R.c.dataset_id) == wanted, func.lower(R.c.dataset_name) == wanted)
    if "/" not in dataset:
        return exact
    base, _, config = wanted.rpartition("/")
    return or_(
        exact, and_(func.lower(R.c.dataset_id) == base, func.lower(R.c.dataset_config) == config)
    )


def _same_value(a: float, b: float) -> bool:
    return any(
        abs(x - y) <= 1e-6 + 1e-4 * max(abs(x), abs(y))
        for x, y in ((a, b), (a * 100, b), (a, b * 100))
    )


def leaderboard(
    conn: Connection,
    task: str,
    *,
    dataset: str | None = None,
    metric: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Ranked rows, one board per (dataset, config, split, metric), boards with most rows first."""
    task_id = canonical_task(task)
    query = (
        select(R, M.c.repo_id, P.c.arxiv_id, P.c.title)
        .outerjoin(M, M.c.id == R.c.model_id)
        .outerjoin(P, P.c.id == R.c.paper_id)
        .where(R.c.task_id == task_id, R.c.value.is_not(None))
    )
    if dataset:
        query = query.where(_dataset_filter(dataset))
    if metric:
        wanted = metric.lower()
        query = query.where(
            or_(func.lower(R.c.metric_type) == wanted, func.lower(R.c.metric_name) == wanted)
        )
    rows = conn.execute(query).all()
    if not rows:
        known = conn.execute(
            select(func.count()).select_from(R).where(R.c.task_id == task_id)
        ).scalar()
        if not known:
            raise NotFoundError(
                f"no results for task '{task_id}'.",
                hint="See `tracker tasks` for the tasks with results; `tracker sync` or "
                "`tracker import pwc-evaluations FILE` adds results.",
            )
        return []
    boards: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (r.dataset_id, r.dataset_config, r.dataset_split, r.metric_type)
        boards[key].append(
            {
                "model": r.model_name,
                "model_repo": r.repo_id,
                "paper": r.arxiv_id if r.arxiv_id else None,
                "paper_title": r.title or None,
                "task": r.task_id,
                "dataset": r.dataset_id,
                "dataset_name": r.dataset_name or r.dataset_id,
                "config": r.dataset_config or None,
                "split": r.dataset_split or None,
                "metric": r.metric_type,
                "metric_name": r.metric_name or r.metric_type,
                "value": r.value,
                "value_text": r.value_text,
                "verified": bool(r.verified),
                "source": r.source,
                "_paper_id": r.paper_id,
            }
        )
    out: list[dict[str, Any]] = []
    ordered = sorted(boards.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for (_d, _c, _s, metric_type), entries in ordered:
        lower = lower_is_better(metric_type, entries[0]["metric_name"])
        merged = _merge(entries)
        merged.sort(key=lambda e: (e["value"] if lower else -e["value"], e["model"]))
        for rank, entry in enumerate(merged[:limit] if limit else merged, start=1):
            entry.pop("_paper_id", None)
            out.append({"rank": rank, **entry, "lower_is_better": lower})
    return out


def _merge(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per result held by several sources: the best source's row, all sources listed."""
    entries = sorted(entries, key=lambda e: (SOURCE_RANK.get(e["source"], 9), not e["verified"]))
    kept: list[dict[str, Any]] = []
    for entry in entries:
        twin = next((k for k in kept if _same_result(k, entry)), None)
        if twin is None:
            kept.append({**entry, "sources": [entry["source"]]})
        elif entry["source"] not in twin["sources"]:
            twin["sources"].append(entry["source"])
            twin["paper"] = twin["paper"] or entry["paper"]
            twin["paper_title"] = twin["paper_title"] or entry["paper_title"]
    return kept


def _same_result(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["source"] == b["source"]:
        return False  # one source holds one row per model and metric (the results key)
    if _norm_name(a["model"]) == _norm_name(b["model"]):
        return True
    same_paper = a["_paper_id"] is not None and a["_paper_id"] == b["_paper_id"]
    return same_paper and _same_value(a["value"], b["value"])
