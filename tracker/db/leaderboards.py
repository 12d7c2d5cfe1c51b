"""Leaderboards: ranked results of one task, one board per (dataset, config, split, metric).

The direction of each board comes from tracker.db.metrics (one rule everywhere).
Hub (model-index, eval-results) and archive (pwc-archive) rows are merged; a row
that several sources hold (the same model name, or the same paper with the same
value) is shown once, with every source listed. A card's model-index score that its
eval-results file repeats is shown on the benchmark's board (tracker.db.result_twins). `tracker leaderboard`, the TUI's leaderboard and the
digest read these rows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from tracker.db.dataset_filter import on_dataset
from tracker.db.metrics import metric_direction
from tracker.db.result_twins import provenance, twins
from tracker.db.tables import M, P, R
from tracker.errors import NotFoundError
from tracker.tasks_catalog import canonical_task

# Which source a merged row shows, best first.
SOURCE_RANK = {
    "model-index": 0,
    "eval-results": 1,
    "model-card": 2,
    "paper": 3,
    "demo": 4,
    "pwc-archive": 5,
}


def _norm_name(name: str) -> str:
    """'google-bert/bert-base-uncased' -> 'bertbaseuncased'; 'BERT-Base' -> 'bertbase'."""
    return re.sub(r"[^a-z0-9]", "", name.rsplit("/", 1)[-1].lower())


def _dataset_filter(dataset: str) -> Any:
    """on_dataset, plus 'glue/sst2' for the sst2 config of glue."""
    exact = on_dataset(dataset)
    if "/" not in dataset:
        return exact
    base, _, config = dataset.strip().lower().rpartition("/")
    return or_(
        exact, and_(func.lower(R.c.dataset_id) == base, func.lower(R.c.dataset_config) == config)
    )


def _same_value(a: float, b: float) -> bool:
    return any(
        abs(x - y) <= 1e-6 + 1e-4 * max(abs(x), abs(y))
        for x, y in ((a, b), (a * 100, b), (a, b * 100))
    )


def _result_rows(
    conn: Connection, task_id: str, dataset: str | None, metric: str | None
) -> list[Any]:
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
    return list(conn.execute(query).all())


def _no_results(conn: Connection, task_id: str) -> None:
    """NotFoundError when the task has no results at all (a filter that empties is fine)."""
    known = conn.execute(select(func.count()).select_from(R).where(R.c.task_id == task_id)).scalar()
    if not known:
        raise NotFoundError(
            f"no results for task '{task_id}'.",
            hint="See `tracker tasks` for the tasks with results; `tracker sync` or "
            "`tracker import pwc-evaluations FILE` adds results.",
        )


def _entry(r: Any) -> dict[str, Any]:
    return {
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
        "variant": r.variant or None,
        "provenance": provenance(r),
        "_paper_id": r.paper_id,
        "_id": r.id,
    }


def leaderboard(
    conn: Connection,
    task: str,
    *,
    dataset: str | None = None,
    metric: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Ranked rows, one board per (dataset, config, split, metric), boards with most rows first.

    Every row carries its board's direction: lower_is_better, direction ('higher' |
    'lower') and direction_guessed (no known word in the metric's name).
    """
    task_id = canonical_task(task)
    rows = _result_rows(conn, task_id, dataset, metric)
    if not rows:
        _no_results(conn, task_id)
        return []
    pairs = twins(conn, [r.model_id for r in rows])
    shown_as = set(pairs.values())  # eval-results scores that their card repeats
    rows = [r for r in rows if r.id not in pairs]
    # A variant ("with tools") is another setup: a board of its own, never ranked with the default.
    boards: dict[tuple[str, str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (r.dataset_id, r.dataset_config, r.dataset_split, r.variant, r.metric_type)
        boards[key].append(_entry(r))
    out: list[dict[str, Any]] = []
    for (*_where, metric_type), entries in sorted(
        boards.items(), key=lambda kv: (-len(kv[1]), kv[0])
    ):
        direction = metric_direction(metric_type, entries[0]["metric_name"])
        lower = direction.lower_is_better
        merged = _merge(entries)
        for entry in merged:
            if entry.pop("_id") in shown_as and "model-index" not in entry["sources"]:
                entry["sources"].append("model-index")
        merged.sort(key=lambda e: (e["value"] if lower else -e["value"], e["model"]))
        for rank, entry in enumerate(merged[:limit] if limit else merged, start=1):
            entry.pop("_paper_id", None)
            out.append({"rank": rank, **entry, **direction.as_json()})
    return out


@dataclass
class Board:
    """One board of a leaderboard: its (dataset, config, split, metric) and ranked rows."""

    dataset: str
    config: str | None
    split: str | None
    metric: str
    variant: str | None = None
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """'accuracy (validation)' or 'f1 (plain_text/test)'."""
        where = "/".join(x for x in (self.config, self.split) if x)
        name = self.rows[0]["metric_name"] if self.rows else self.metric
        return f"{name} ({where})" if where else name


def boards(rows: list[dict[str, Any]]) -> list[Board]:
    """leaderboard()'s rows cut into their boards, in the same order."""
    out: list[Board] = []
    for row in rows:
        key = (row["dataset"], row["config"], row["split"], row["metric"], row.get("variant"))
        last = out[-1] if out else None
        if (
            last is None
            or (last.dataset, last.config, last.split, last.metric, last.variant) != key
        ):
            out.append(Board(*key))
        out[-1].rows.append(row)
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
            twin["provenance"] = twin["provenance"] or entry["provenance"]
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
