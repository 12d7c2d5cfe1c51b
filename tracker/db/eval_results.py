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

from sqlalchemy.engine import Connection

from tracker.db.hub import CardResults, replace_source_results
from tracker.records import ResultRecord

SOURCE = "eval-results"  # tracker.sources.hub_evals.SOURCE

# model id -> (repo id, the model's paper id, its eval-results scores as the Hub has them now)
EvalCards = CardResults


def tag_variants(results: Sequence[ResultRecord]) -> list[ResultRecord]:
    """A variant's metric name says so ('score (with tools)'): it keys a row of its own."""
    return [
        replace(r, metric_name=f"{r.metric_name} ({r.variant})") if r.variant else r
        for r in results
    ]


def replace_eval_results(conn: Connection, cards: EvalCards) -> int:
    """The models' eval-results scores as the Hub now lists them; returns how many are new."""
    return replace_source_results(conn, cards, SOURCE, tag_variants)
