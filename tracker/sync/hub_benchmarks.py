"""The Hub pass's benchmark step: leaderboards of the benchmarks our models cite.

A benchmark is a dataset that stored eval-results scores cite, or a watched dataset.
Its board (get_dataset_leaderboard, base models as the Hub ranks them) is fetched
when never fetched or older than BENCHMARK_MAX_AGE, at most BENCHMARKS_PER_RUN a run,
those left first next time (the hub:benchmarks cursor). Its task is ours from a small
table, else from the dataset card's task_categories (one more request, once), else
"other". Board entries are stored as the Hub gives them: no model is fetched for them
(a model that cites a paper comes in through the listing walk, and links by repo id).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from tracker.db.benchmarks import benchmarks_due, known_task, save_board
from tracker.db.engine import read_connection, write_transaction
from tracker.errors import TrackerError
from tracker.sources.hub import HubSource
from tracker.sources.hub_evals import BENCHMARK_TASKS, benchmark_task
from tracker.sync.hub_walks import (
    BENCHMARK_MAX_AGE,
    BENCHMARKS_PER_RUN,
    benchmarks_cursor,
    pending_benchmarks,
)
from tracker.sync.state import aware, read_state, save_state

log = logging.getLogger(__name__)

BENCHMARKS_KEY = "hub:benchmarks"


@dataclass
class BoardsDone:
    fetched: int = 0
    entries: int = 0
    left: int = 0
    error: str | None = None


def fetch_board(
    engine: Engine, hub: HubSource, dataset_id: str, now: datetime, *, all_models: bool = False
) -> int:
    """Fetch and store one benchmark's board; returns its size (0 when it has none)."""
    with read_connection(engine) as conn:
        task = known_task(conn, dataset_id)
    if task is None:  # asked once: a benchmark's card seldom changes its task
        task = (
            benchmark_task(dataset_id)
            if dataset_id.lower() in BENCHMARK_TASKS
            else benchmark_task(dataset_id, hub.dataset_task_categories(dataset_id))
        )
    entries = hub.dataset_leaderboard(dataset_id, all_models=all_models) or []
    with write_transaction(engine) as conn:
        return save_board(conn, dataset_id, task, entries, now, all_models=all_models)


def benchmarks_pass(
    engine: Engine,
    hub: HubSource,
    now: datetime,
    *,
    per_run: int = BENCHMARKS_PER_RUN,
    max_age: timedelta = BENCHMARK_MAX_AGE,
    watched: Sequence[str] = (),
) -> BoardsDone:
    """Fetch the boards due, the ones an earlier run left first; keep the rest for later."""
    state = read_state(engine, BENCHMARKS_KEY)
    with read_connection(engine) as conn:
        due = benchmarks_due(conn, now, max_age, watched)
    queue = list(dict.fromkeys([*pending_benchmarks(state.cursor if state else None), *due]))
    todo, left = queue[:per_run], queue[per_run:]
    done = BoardsDone(left=len(left))
    try:
        for dataset_id in todo:
            done.entries += fetch_board(engine, hub, dataset_id, now)
            done.fetched += 1
    except TrackerError as exc:
        done.error = exc.message
        left = todo[done.fetched :] + left
        log.error("hub: benchmark boards: %s", exc.message)
    last = aware(state.last_success) if state else None
    save_state(
        engine,
        BENCHMARKS_KEY,
        cursor=benchmarks_cursor(left),
        last_run=now,
        last_success=now if done.error is None else last,
        last_error=done.error,
    )
    done.left = len(left)
    return done
