"""Benchmark datasets and their Hub leaderboards: which to fetch, storing and reading boards.

The benchmarks we keep are the datasets that stored eval-results scores cite and the
datasets on a watchlist. Each maps to one task of our catalogue (tracker.sources.
hub_evals.benchmark_task); a board entry links to a model of ours by its repo id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from tracker.db.hub import MODELS, PAPER_MODELS, RESULTS, ensure_tasks, model_ids
from tracker.db.leaderboards import Board
from tracker.db.models import Benchmark, BenchmarkEntry, Watch
from tracker.db.tables import table_of
from tracker.errors import NotFoundError
from tracker.records import BenchmarkEntryRecord

BENCHMARKS: Table = table_of(Benchmark)
ENTRIES: Table = table_of(BenchmarkEntry)
WATCHES: Table = table_of(Watch)
EVAL_SOURCE = "eval-results"


def cited_benchmarks(conn: Connection, watched_too: Sequence[str] = ()) -> list[str]:
    """The benchmark datasets that stored eval-results scores cite, and watched datasets
    (the watches table's, and watched_too: those of the config's [watch])."""
    cited = select(RESULTS.c.dataset_id).where(RESULTS.c.source == EVAL_SOURCE).distinct()
    watched = select(WATCHES.c.value).where(WATCHES.c.kind == "dataset").distinct()
    found = {d for (d,) in conn.execute(cited)} | {d for (d,) in conn.execute(watched)}
    found |= set(watched_too)
    return sorted(d for d in found if d and "/" in d)


def benchmarks_due(
    conn: Connection, now: datetime, max_age: timedelta, watched_too: Sequence[str] = ()
) -> list[str]:
    """Benchmarks never fetched or fetched longer than max_age ago: never first, then oldest."""
    wanted = cited_benchmarks(conn, watched_too)
    fetched = {
        row.id: row.fetched_at
        for row in conn.execute(select(BENCHMARKS.c.id, BENCHMARKS.c.fetched_at))
    }
    due = []
    for dataset_id in wanted:
        when = fetched.get(dataset_id)
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=now.tzinfo)
        if when is None or now - when >= max_age:
            due.append((when is not None, when or now, dataset_id))
    return [d for _seen, _when, d in sorted(due)]


def known_task(conn: Connection, dataset_id: str) -> str | None:
    return conn.execute(select(BENCHMARKS.c.task_id).where(BENCHMARKS.c.id == dataset_id)).scalar()


def save_board(
    conn: Connection,
    dataset_id: str,
    task_id: str,
    entries: Sequence[BenchmarkEntryRecord],
    now: datetime,
    *,
    all_models: bool = False,
) -> int:
    """The board as the Hub has it now (replacing the stored one); returns its size.

    The benchmark's eval-results scores that no table placed (task 'other') move to task_id.
    """
    ensure_tasks(conn, [task_id])
    row = {"task_id": task_id, "fetched_at": now, "entries": len(entries)}
    if known_task(conn, dataset_id) is None:
        conn.execute(insert(BENCHMARKS).values(id=dataset_id, **row))
    else:
        conn.execute(update(BENCHMARKS).where(BENCHMARKS.c.id == dataset_id).values(**row))
    conn.execute(
        delete(ENTRIES).where(
            ENTRIES.c.benchmark_id == dataset_id, ENTRIES.c.all_models == all_models
        )
    )
    ids = model_ids(conn, [e.model_repo for e in entries])
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for e in entries:
        rows[(e.model_repo, e.filename)] = {
            **asdict(e),
            "benchmark_id": dataset_id,
            "all_models": all_models,
            "model_id": ids.get(e.model_repo),
        }
    if rows:
        conn.execute(insert(ENTRIES), list(rows.values()))
    conn.execute(
        update(RESULTS)
        .where(
            RESULTS.c.dataset_id == dataset_id,
            RESULTS.c.source == EVAL_SOURCE,
            RESULTS.c.task_id == "other",
        )
        .values(task_id=task_id)
    )
    return len(rows)


def _entry_json(r: Any) -> dict[str, Any]:
    return {
        "rank": r.rank,
        "model": r.model_repo,
        "model_in_tracker": r.repo_id is not None,  # links to `tracker models` / the TUI
        "value": r.value,
        "verified": bool(r.verified),
        "status": "verified" if r.verified else "community",
        "pull_request": r.pull_request or None,
        "bench_task": r.bench_task or None,
        "variant": r.variant or None,
        "notes": r.notes or None,
        "source_name": r.source_name or None,
        "source_url": r.source_url or None,
        "author": r.author or None,
        "filename": r.filename or None,
    }


def benchmark_board(
    conn: Connection,
    dataset_id: str,
    *,
    bench_task: str | None = None,
    all_models: bool = False,
) -> dict[str, Any]:
    """A stored board: {benchmark, task, fetched_at, all_models, entries}, ranked as the Hub
    ranks them; all_models=False keeps the base-model board."""
    bench = conn.execute(
        select(BENCHMARKS).where(func.lower(BENCHMARKS.c.id) == dataset_id.strip().lower())
    ).first()
    if bench is None:
        raise NotFoundError(
            f"no leaderboard stored for benchmark '{dataset_id}'.",
            hint="`tracker sync` fetches the boards of the benchmarks your models cite and of "
            "watched datasets; `--refresh` fetches this one now.",
        )
    query = (
        select(ENTRIES, MODELS.c.repo_id)
        .outerjoin(MODELS, MODELS.c.repo_id == ENTRIES.c.model_repo)
        .where(ENTRIES.c.benchmark_id == bench.id, ENTRIES.c.all_models == all_models)
        .order_by(ENTRIES.c.variant, ENTRIES.c.rank, ENTRIES.c.model_repo)
    )
    if bench_task:
        query = query.where(or_(ENTRIES.c.bench_task == bench_task, ENTRIES.c.bench_task == ""))
    return {
        "benchmark": bench.id,
        "task": bench.task_id,
        "fetched_at": bench.fetched_at.isoformat() if bench.fetched_at else None,
        "all_models": all_models,
        "entries": [_entry_json(r) for r in conn.execute(query)],
    }


def benchmarks_of_task(conn: Connection, task_id: str) -> list[dict[str, Any]]:
    """The benchmarks mapped to task_id: [{benchmark, entries, fetched_at}], largest first."""
    query = (
        select(BENCHMARKS)
        .where(BENCHMARKS.c.task_id == task_id)
        .order_by(BENCHMARKS.c.entries.desc(), BENCHMARKS.c.id)
    )
    return [
        {
            "benchmark": r.id,
            "entries": r.entries,
            "fetched_at": r.fetched_at.isoformat() if r.fetched_at else None,
        }
        for r in conn.execute(query)
    ]


def _board_row(entry: dict[str, Any], title: str) -> dict[str, Any]:
    """A Hub board entry in the shape of leaderboard()'s rows, for the TUI's boards."""
    badge = "verified" if entry["verified"] else "community"
    if entry["pull_request"]:
        badge += f" (PR #{entry['pull_request']})"
    return {
        "rank": entry["rank"],
        "model": entry["model"],
        "value": entry["value"],
        "value_text": "",
        "config": entry["bench_task"],
        "split": entry["variant"],
        "metric_name": title,
        "verified": entry["verified"],
        "sources": [badge + (f" · {entry['notes']}" if entry["notes"] else "")],
        "paper": None,
        "direction": "higher",
        "direction_guessed": False,
        "model_in_tracker": entry["model_in_tracker"],
    }


def hub_boards(conn: Connection, dataset_id: str) -> list[Board]:
    """The benchmark's stored Hub boards (base models; a variant apart) as leaderboard Boards."""
    try:
        board = benchmark_board(conn, dataset_id)
    except NotFoundError:
        return []
    out: list[Board] = []
    for variant in dict.fromkeys(e["variant"] for e in board["entries"]):
        title = "Hub leaderboard, base models" + (f", {variant}" if variant else "")
        rows = [_board_row(e, title) for e in board["entries"] if e["variant"] == variant]
        out.append(Board(board["benchmark"], None, None, "hub", variant or None, rows))
    return out


# --- for the digest ---------------------------------------------------------------------------


def board_tops(conn: Connection, dataset_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """For each stored benchmark among dataset_ids (any case): its base board's leader
    (default setup) and how many entries it has: {id: {best, model, entries}}."""
    wanted = {d.lower() for d in dataset_ids}
    if not wanted:
        return {}
    out: dict[str, dict[str, Any]] = {}
    query = (
        select(ENTRIES.c.benchmark_id, ENTRIES.c.model_repo, ENTRIES.c.value)
        .where(
            func.lower(ENTRIES.c.benchmark_id).in_(sorted(wanted)),
            ENTRIES.c.all_models.is_(False),
            ENTRIES.c.variant == "",
            ENTRIES.c.value.is_not(None),
        )
        .order_by(ENTRIES.c.benchmark_id, ENTRIES.c.rank, ENTRIES.c.model_repo)
    )
    for bench, model, value in conn.execute(query):
        top = out.setdefault(bench, {"best": value, "model": model, "entries": 0})
        top["entries"] += 1
    return out


def verified_scores(conn: Connection, paper_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """paper id -> {key: score} of the verified eval-results scores of its models."""
    out: dict[int, dict[str, Any]] = {}
    if not paper_ids:
        return out
    query = (
        select(PAPER_MODELS.c.paper_id, RESULTS)
        .join(RESULTS, RESULTS.c.model_id == PAPER_MODELS.c.model_id)
        .where(
            PAPER_MODELS.c.paper_id.in_(list(paper_ids)),
            RESULTS.c.source == EVAL_SOURCE,
            RESULTS.c.verified.is_(True),
        )
    )
    for r in conn.execute(query):
        where = "/".join(x for x in (r.dataset_id, r.dataset_config, r.variant) if x)
        key = f"{r.model_name}\t{where}\t{r.metric_type}"
        out.setdefault(r.paper_id, {})[key] = {
            "model": r.model_name,
            "benchmark": where,
            "value": r.value,
        }
    return out
