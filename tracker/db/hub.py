"""Writing Hub and archive data: tasks, models, paper links, datasets and results.

Everything runs in the caller's transaction and is idempotent: models are keyed by
repo id, links and dataset rows are inserted with ON CONFLICT DO NOTHING, results
are upserted on their identity (models.Result's uq_results_identity). A field a
record does not know (None) never overwrites a stored value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from tracker.db.bulk import chunks
from tracker.db.migrations import RESULT_PROVENANCE
from tracker.db.models import Dataset, Model, ModelDataset, Paper, PaperModel, Result, Task
from tracker.db.papers import add_code_links, insert_ignore
from tracker.db.tables import IS_PAPER, table_of
from tracker.records import DailyPaperRecord, ModelRecord, ResultRecord
from tracker.tasks_catalog import TASKS, task_rows, unknown_task

MODELS: Table = table_of(Model)
PAPER_MODELS: Table = table_of(PaperModel)
TASKS_TABLE: Table = table_of(Task)
DATASETS: Table = table_of(Dataset)
MODEL_DATASETS: Table = table_of(ModelDataset)
RESULTS: Table = table_of(Result)
PAPERS: Table = table_of(Paper)

# record attribute -> models column (same names but two)
MODEL_FIELDS = {
    "author": "author",
    "pipeline_tag": "pipeline_tag",
    "library": "library",
    "downloads": "downloads",
    "likes": "likes",
    "trending_score": "trending_score",
    "created_at": "created_at",
    "last_modified": "last_modified",
    "gated": "gated",
    "private": "private",
    "license": "license",
    "parameters": "parameters",
    "safetensors": "safetensors",
    "base_model": "base_model",
    "sha": "sha",
}
_MODEL_DEFAULTS: dict[str, Any] = {
    "author": "",
    "pipeline_tag": "",
    "library": "",
    "downloads": 0,
    "likes": 0,
    "trending_score": 0.0,
    "gated": "",
    "private": False,
    "license": "",
    "safetensors": False,
    "base_model": "",
    "sha": "",
}
RESULT_KEY = (
    "source",
    "model_name",
    "task_id",
    "dataset_id",
    "dataset_config",
    "dataset_split",
    "metric_type",
    "metric_name",
)
_RESULT_VALUES = (
    "model_id",
    "paper_id",
    "dataset_name",
    "value",
    "value_text",
    "verified",
    *RESULT_PROVENANCE,
)


@dataclass
class ModelWrite:
    ids: dict[str, int] = field(default_factory=dict)  # repo_id -> models.id
    new: int = 0
    updated: int = 0


def _insert(conn: Connection, table: Table) -> Any:
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


# --- tasks and datasets --------------------------------------------------------------


def seed_tasks(conn: Connection) -> None:
    """Write the task catalogue (catalogue text wins over what a tag once left)."""
    stmt = _insert(conn, TASKS_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={c: stmt.excluded[c] for c in ("name", "modality", "description", "trial_supported")},
    )
    conn.execute(stmt, task_rows())


def ensure_tasks(
    conn: Connection, task_ids: Iterable[str], names: dict[str, str] | None = None
) -> None:
    """Keep every task id we meet; unknown ones get modality 'other'."""
    names = names or {}
    rows = []
    for task_id in sorted({t for t in task_ids if t}):
        info = TASKS.get(task_id) or unknown_task(task_id, names.get(task_id, ""))
        rows.append(
            {
                "id": info.id,
                "name": info.name,
                "modality": info.modality,
                "description": info.description,
                "trial_supported": info.trial_supported,
            }
        )
    insert_ignore(conn, TASKS_TABLE, rows)


def ensure_datasets(conn: Connection, datasets: dict[str, str]) -> None:
    """dataset id -> display name; an existing row keeps its name."""
    insert_ignore(
        conn,
        DATASETS,
        [{"id": d, "name": name or d} for d, name in sorted(datasets.items()) if d],
    )


# --- models --------------------------------------------------------------------------


def rename_model(conn: Connection, old: str, new: str) -> None:
    """The Hub renamed old to new: keep one row, named new, with both rows' links."""
    old_id = conn.execute(select(MODELS.c.id).where(MODELS.c.repo_id == old)).scalar()
    if old_id is None or old == new:
        return
    new_id = conn.execute(select(MODELS.c.id).where(MODELS.c.repo_id == new)).scalar()
    if new_id is None:
        conn.execute(update(MODELS).where(MODELS.c.id == old_id).values(repo_id=new))
        conn.execute(
            update(RESULTS)
            .where(RESULTS.c.model_id == old_id, RESULTS.c.source == "model-index")
            .values(model_name=new)
        )
        return
    papers = conn.execute(select(PAPER_MODELS.c.paper_id).where(PAPER_MODELS.c.model_id == old_id))
    insert_ignore(conn, PAPER_MODELS, [{"paper_id": p, "model_id": new_id} for (p,) in papers])
    sets = conn.execute(
        select(MODEL_DATASETS.c.dataset_id).where(MODEL_DATASETS.c.model_id == old_id)
    )
    insert_ignore(conn, MODEL_DATASETS, [{"model_id": new_id, "dataset_id": d} for (d,) in sets])
    conn.execute(delete(RESULTS).where(RESULTS.c.model_id == old_id))
    conn.execute(delete(PAPER_MODELS).where(PAPER_MODELS.c.model_id == old_id))
    conn.execute(delete(MODEL_DATASETS).where(MODEL_DATASETS.c.model_id == old_id))
    conn.execute(delete(MODELS).where(MODELS.c.id == old_id))


def model_ids(conn: Connection, repo_ids: Iterable[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for part in chunks(sorted(set(repo_ids))):
        for mid, repo_id in conn.execute(
            select(MODELS.c.id, MODELS.c.repo_id).where(MODELS.c.repo_id.in_(part))
        ):
            ids[repo_id] = mid
    return ids


def upsert_models(
    conn: Connection, records: Sequence[ModelRecord], now: datetime, *, fetched: bool = False
) -> ModelWrite:
    """Insert new models, update changed ones; fetched=True stamps fetched_at (card read)."""
    for record in records:
        if record.renamed_from:
            rename_model(conn, record.renamed_from, record.repo_id)
    by_id = {r.repo_id: r for r in records}
    out = ModelWrite()
    if not by_id:
        return out
    stored: dict[str, Any] = {}
    for part in chunks(list(by_id)):
        for row in conn.execute(select(MODELS).where(MODELS.c.repo_id.in_(part))):
            stored[row.repo_id] = row
    fresh = []
    changes = []
    for repo_id, record in by_id.items():
        known = {
            col: getattr(record, attr)
            for attr, col in MODEL_FIELDS.items()
            if getattr(record, attr) is not None
        }
        if repo_id not in stored:
            base = {
                **_MODEL_DEFAULTS,
                "parameters": None,
                "created_at": None,
                "last_modified": None,
            }
            fresh.append(
                base | known | {"repo_id": repo_id, "fetched_at": now if fetched else None}
            )
            continue
        old = stored[repo_id]
        diff = {col: v for col, v in known.items() if getattr(old, col) != v}
        if fetched:
            diff["fetched_at"] = now
        if diff:
            changes.append((old.id, diff))
            if set(diff) - {"fetched_at"}:
                out.updated += 1
    if fresh:
        conn.execute(insert(MODELS), fresh)
        out.new = len(fresh)
    for mid, diff in changes:
        conn.execute(update(MODELS).where(MODELS.c.id == mid).values(**diff))
    out.ids = model_ids(conn, by_id)
    ensure_tasks(conn, [r.pipeline_tag for r in records if r.pipeline_tag])
    return out


def link_papers(conn: Connection, pairs: Iterable[tuple[int, int]]) -> int:
    """(paper id, model id) links; returns how many were new."""
    wanted = sorted(set(pairs))
    if not wanted:
        return 0
    have: set[tuple[int, int]] = set()
    for part in chunks(wanted):
        have |= {
            (p, m)
            for p, m in conn.execute(
                select(PAPER_MODELS.c.paper_id, PAPER_MODELS.c.model_id).where(
                    tuple_(PAPER_MODELS.c.paper_id, PAPER_MODELS.c.model_id).in_(part)
                )
            )
        }
    insert_ignore(conn, PAPER_MODELS, [{"paper_id": p, "model_id": m} for p, m in wanted])
    return len(wanted) - len(have)


def add_model_datasets(conn: Connection, datasets: dict[int, list[str]]) -> None:
    """model id -> dataset ids (from dataset: tags and the card)."""
    ensure_datasets(conn, {d: d for ds in datasets.values() for d in ds})
    insert_ignore(
        conn,
        MODEL_DATASETS,
        [{"model_id": m, "dataset_id": d} for m, ds in datasets.items() for d in dict.fromkeys(ds)],
    )


# --- results --------------------------------------------------------------------------


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[k] for k in RESULT_KEY)


def _result_row(r: ResultRecord, model_id: int | None, paper_id: int | None) -> dict[str, Any]:
    return {
        "source": r.source,
        "model_name": r.model_name,
        "task_id": r.task_id,
        "dataset_id": r.dataset_id,
        "dataset_config": r.dataset_config,
        "dataset_split": r.dataset_split,
        "metric_type": r.metric_type,
        "metric_name": r.metric_name,
        "model_id": model_id,
        "paper_id": paper_id,
        "dataset_name": r.dataset_name,
        "value": r.value,
        "value_text": r.value_text,
        "verified": r.verified,
        **{name: getattr(r, name) for name in RESULT_PROVENANCE},
    }


def _existing_keys(conn: Connection, rows: list[dict[str, Any]]) -> dict[tuple[Any, ...], int]:
    pairs = sorted({(r["source"], r["model_name"]) for r in rows})
    found: dict[tuple[Any, ...], int] = {}
    for part in chunks(pairs):
        query = select(RESULTS.c.id, *(RESULTS.c[k] for k in RESULT_KEY)).where(
            tuple_(RESULTS.c.source, RESULTS.c.model_name).in_(part)
        )
        for row in conn.execute(query):
            found[tuple(row[1:])] = row[0]
    return found


def upsert_results(
    conn: Connection,
    records: Sequence[ResultRecord],
    model_ids: dict[str, int],
    paper_ids: dict[str, int],
    *,
    replace: bool = False,
    model_papers: dict[str, int | None] | None = None,
) -> int:
    """Upsert results; returns how many are new. A record without a paper takes its
    model's (model_papers). replace=True also deletes the stored results of the same
    (source, model) that the records no longer list."""
    rows_by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
    model_papers = model_papers or {}
    for r in records:
        if r.paper_arxiv_id:
            paper_id = paper_ids.get(r.paper_arxiv_id)
        else:
            paper_id = model_papers.get(r.model_name)
        row = _result_row(r, model_ids.get(r.model_name), paper_id)
        rows_by_key[_key(row)] = row  # the last of a repeated metric wins
    rows = list(rows_by_key.values())
    existing = _existing_keys(conn, rows) if rows else {}
    ensure_tasks(
        conn, [r.task_id for r in records], {r.task_id: r.task_name for r in records if r.task_name}
    )
    ensure_datasets(conn, {r.dataset_id: r.dataset_name for r in records if r.dataset_id})
    if rows:
        stmt = _insert(conn, RESULTS)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(RESULT_KEY),
            set_={c: stmt.excluded[c] for c in _RESULT_VALUES},
        )
        for part in chunks(rows, 200):
            conn.execute(stmt, list(part))
    if replace:
        stale = [rid for key, rid in existing.items() if key not in rows_by_key]
        for part in chunks(stale):
            conn.execute(delete(RESULTS).where(RESULTS.c.id.in_(part)))
    return sum(1 for key in rows_by_key if key not in existing)


CardResults = dict[int, tuple[str, int | None, list[ResultRecord]]]


def replace_model_results(conn: Connection, cards: CardResults) -> int:
    """Models' model-index as their cards now have it: model id -> (repo id, paper id,
    results). Returns how many results are new."""
    return replace_source_results(conn, cards, "model-index")


def replace_source_results(
    conn: Connection,
    cards: CardResults,
    source: str,
    tag: Callable[[list[ResultRecord]], list[ResultRecord]] = list,
) -> int:
    """One source's results of these models as the Hub now gives them (a model whose
    list is empty loses its rows of that source); tag may rename what keys a row.
    Returns how many results are new."""
    empty = [mid for mid, (_repo, _paper, results) in cards.items() if not results]
    for part in chunks(empty):
        conn.execute(
            delete(RESULTS).where(RESULTS.c.model_id.in_(part), RESULTS.c.source == source)
        )
    records: list[ResultRecord] = []
    for repo_id, _paper, results in cards.values():
        records += tag([replace(r, model_name=repo_id) for r in results if r.source == source])
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


# --- papers ------------------------------------------------------------------------------


def apply_daily_papers(
    conn: Connection, records: Sequence[DailyPaperRecord], paper_ids: dict[str, int]
) -> int:
    """Upvotes and GitHub repos for the papers we have; returns how many were touched."""
    known = [r for r in records if r.arxiv_id in paper_ids]
    if known:
        conn.execute(
            update(PAPERS).where(PAPERS.c.id == bindparam("pid")).values(upvotes=bindparam("up")),
            [{"pid": paper_ids[r.arxiv_id], "up": r.upvotes} for r in known],
        )
    add_code_links(
        conn,
        [(paper_ids[r.arxiv_id], r.github_repo, "hub") for r in known if r.github_repo],
    )
    return len(known)


def paper_ids(conn: Connection, arxiv_ids: Iterable[str], *, stubs: bool = True) -> dict[str, int]:
    """arxiv id -> papers.id for the ids we have (stubs included unless stubs=False)."""
    ids: dict[str, int] = {}
    for part in chunks(sorted(set(arxiv_ids))):
        query = select(PAPERS.c.id, PAPERS.c.arxiv_id).where(PAPERS.c.arxiv_id.in_(part))
        if not stubs:
            query = query.where(IS_PAPER)
        for pid, aid in conn.execute(query):
            ids[aid] = pid
    return ids
