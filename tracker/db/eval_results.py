"""Writing a model's eval-results scores (the Hub's .eval_results files) beside its model-index.

Each score keeps its benchmark's key (task, dataset, benchmark task as config, metric
'score'), so that every model's score on a benchmark is on one board; a score that
the card's model-index also gives is shown as one result with both sources by the
reads (tracker.db.result_twins). A "with tools" variant is another setup: its metric
name says so and it keys a row, and a board, of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import delete
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.hub import RESULTS, upsert_results
from tracker.records import ResultRecord

SOURCE = "eval-results"  # tracker.sources.hub_evals.SOURCE

# model id -> (repo id, the model's paper id, its eval-results scores as the Hub has them now)
EvalCards = dict[int, tuple[str, int | None, list[ResultRecord]]]


def tag_variants(results: Sequence[ResultRecord]) -> list[ResultRecord]:
    """A variant's metric name says so ('score (with tools)'): it keys a row of its own."""
    return [
        replace(r, metric_name=f"{r.metric_name} ({r.variant})") if r.variant else r
        for r in results
    ]


def replace_eval_results(conn: Connection, cards: EvalCards) -> int:
    """The models' eval-results scores as the Hub now lists them; returns how many are new."""
    empty = [mid for mid, (_repo, _paper, results) in cards.items() if not results]
    for part in chunks(empty):
        conn.execute(
            delete(RESULTS).where(RESULTS.c.model_id.in_(part), RESULTS.c.source == SOURCE)
        )
    records: list[ResultRecord] = []
    for repo_id, _paper, results in cards.values():
        named = [replace(r, model_name=repo_id) for r in results if r.source == SOURCE]
        records += tag_variants(named)
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
