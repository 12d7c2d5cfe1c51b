"""Writing a model's eval-results scores (the Hub's .eval_results files) beside its model-index.

A score that the card's model-index also gives (the same benchmark, the same value)
takes the model-index row's task, config, split and metric, so that the leaderboard
shows the two as one result with both sources listed. A "with tools" variant never
takes them: it is another setup, on a board of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.hub import RESULTS, upsert_results
from tracker.records import ResultRecord

SOURCE = "eval-results"  # tracker.sources.hub_evals.SOURCE

# model id -> (repo id, the model's paper id, its eval-results scores as the Hub has them now)
EvalCards = dict[int, tuple[str, int | None, list[ResultRecord]]]


def same_value(a: float, b: float) -> bool:
    """Equal, or equal once one of them is read as a percentage (0.412 and 41.2)."""
    return any(
        abs(x - y) <= 1e-6 + 1e-4 * max(abs(x), abs(y))
        for x, y in ((a, b), (a * 100, b), (a, b * 100))
    )


def _twin(result: ResultRecord, stored: Sequence[Any]) -> Any | None:
    if result.variant or result.value is None:
        return None
    for row in stored:
        if row.dataset_id.lower() != result.dataset_id.lower() or row.value is None:
            continue
        configs = {result.dataset_config.lower(), "", "default"}
        if row.dataset_config.lower() in configs and same_value(row.value, result.value):
            return row
    return None


def align(results: Sequence[ResultRecord], stored: Sequence[Any]) -> list[ResultRecord]:
    """Each score that a stored model-index row also gives, keyed like that row; the
    other scores of that benchmark task (a variant) go to the same task of ours."""
    out = []
    tasks: dict[tuple[str, str], str] = {}
    for result in results:
        twin = _twin(result, stored)
        if twin is not None:
            tasks[(result.dataset_id.lower(), result.dataset_config.lower())] = twin.task_id
            result = replace(
                result,
                task_id=twin.task_id,
                dataset_config=twin.dataset_config,
                dataset_split=twin.dataset_split,
                metric_type=twin.metric_type,
                metric_name=twin.metric_name,
            )
        elif result.variant:
            result = replace(result, metric_name=f"{result.metric_name} ({result.variant})")
        out.append(result)
    return [
        replace(r, task_id=tasks.get((r.dataset_id.lower(), r.dataset_config.lower()), r.task_id))
        if r.variant
        else r
        for r in out
    ]


def _model_index_rows(conn: Connection, model_ids: list[int]) -> dict[int, list[Any]]:
    rows: dict[int, list[Any]] = {}
    for part in chunks(model_ids):
        query = select(RESULTS).where(
            RESULTS.c.model_id.in_(part), RESULTS.c.source == "model-index"
        )
        for row in conn.execute(query):
            rows.setdefault(row.model_id, []).append(row)
    return rows


def replace_eval_results(conn: Connection, cards: EvalCards) -> int:
    """The models' eval-results scores as the Hub now lists them (write model-index
    first: scores align to it). Returns how many results are new."""
    empty = [mid for mid, (_repo, _paper, results) in cards.items() if not results]
    for part in chunks(empty):
        conn.execute(
            delete(RESULTS).where(RESULTS.c.model_id.in_(part), RESULTS.c.source == SOURCE)
        )
    stored = _model_index_rows(conn, [mid for mid, card in cards.items() if card[2]])
    records: list[ResultRecord] = []
    for mid, (repo_id, _paper, results) in cards.items():
        named = [replace(r, model_name=repo_id) for r in results if r.source == SOURCE]
        records += align(named, stored.get(mid, []))
    if not records:
        return 0
    return upsert_results(
        conn,
        records,
        {repo_id: mid for mid, (repo_id, _p, _r) in cards.items()},
        {},
        replace=True,
        model_papers={repo_id: paper for repo_id, paper, _r in cards.values()},
    )
