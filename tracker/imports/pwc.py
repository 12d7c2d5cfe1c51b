"""The Papers with Code archive: evaluation tables in the sota-extractor format.

A file (evaluation-tables.json, optionally .gz) is a list of tasks; each task has
datasets (and subdatasets) whose `sota.rows` hold a method name, a paper URL and a
dict of metric name -> value text; subtasks nest the same shape. Each metric of each
row becomes a result with source "pwc-archive", linked to its paper by the arXiv id
in the paper URL (papers we lack become stubs that the next sync fills).
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from tracker.db import hub as store
from tracker.db.engine import write_transaction
from tracker.db.papers import add_code_links, ensure_stubs
from tracker.errors import UsageError
from tracker.ids import try_parse_arxiv_id
from tracker.records import ResultRecord
from tracker.sources.hub_records import as_dict, parse_number

SOURCE = "pwc-archive"
_SPLITS = {
    "test": "test",
    "dev": "validation",
    "val": "validation",
    "validation": "validation",
    "train": "train",
    "training": "train",
}
_METRIC_ALIASES = {"em": "exact_match", "acc": "accuracy", "f1-score": "f1", "f1score": "f1"}


def slug(text: str) -> str:
    """'CMRC 2018 (Chinese ...)' -> 'cmrc-2018-chinese-...'; 'Natural Language Inference' -> 'natural-language-inference'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_metric(name: str) -> tuple[str, str]:
    """'% Test Accuracy' -> ('accuracy', 'test'); 'TEST-EM' -> ('exact_match', 'test')."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    split = ""
    rest = []
    for word in words:
        if not split and word in _SPLITS:
            split = _SPLITS[word]
        else:
            rest.append(word)
    metric = "_".join(rest) or slug(name) or name
    return _METRIC_ALIASES.get(metric, metric), split


@dataclass
class Archive:
    results: list[ResultRecord] = field(default_factory=list)
    task_names: dict[str, str] = field(default_factory=dict)
    code_links: list[tuple[str, str]] = field(default_factory=list)  # (arxiv id, url)
    rows: int = 0


def read_file(path: Path) -> list[dict[str, Any]]:
    """The task list of an evaluation-tables file (.json or .json.gz)."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file.") from None
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"{path}: not a JSON evaluation-tables file ({exc}).",
            hint="Pass evaluation-tables.json or .json.gz from the Papers with Code archive.",
        ) from exc
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(t, dict) and "task" in t for t in data):
        raise UsageError(
            f"{path}: not in the sota-extractor format (a list of tasks with 'task' and 'datasets').",
            hint="Pass evaluation-tables.json or .json.gz from the Papers with Code archive.",
        )
    return data


def _datasets(
    dataset: dict[str, Any], parent: str = ""
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(dataset name, config, dataset record) for a dataset and its subdatasets."""
    name = str(dataset.get("dataset") or "").strip()
    if parent:
        yield parent, name, dataset
    else:
        yield name, "", dataset
    for sub in dataset.get("subdatasets") or []:
        if isinstance(sub, dict):
            yield from _datasets(sub, parent or name)


def _tasks(task: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield task
    for sub in task.get("subtasks") or []:
        if isinstance(sub, dict):
            yield from _tasks(sub)


def parse(tasks: list[dict[str, Any]]) -> Archive:
    archive = Archive()
    for top in tasks:
        for task in _tasks(top):
            task_name = str(task.get("task") or "").strip()
            if not task_name:
                continue
            task_id = slug(task_name)
            archive.task_names[task_id] = task_name
            for dataset in task.get("datasets") or []:
                if not isinstance(dataset, dict):
                    continue
                for name, config, record in _datasets(dataset):
                    _rows(archive, task_id, task_name, name, config, record)
    return archive


def _rows(
    archive: Archive, task_id: str, task_name: str, name: str, config: str, record: dict[str, Any]
) -> None:
    sota = as_dict(record.get("sota"))
    seen: dict[tuple[str, str], str | None] = {}  # (method, metric) -> its paper
    for row in sota.get("rows") or []:
        if not isinstance(row, dict):
            continue
        archive.rows += 1
        method = str(row.get("model_name") or "").strip()
        parsed = try_parse_arxiv_id(str(row.get("paper_url") or ""))
        arxiv_id = parsed[0] if parsed else None
        for link in row.get("code_links") or []:
            url = link.get("url") if isinstance(link, dict) else link
            if arxiv_id and isinstance(url, str) and url.startswith("http"):
                archive.code_links.append((arxiv_id, url))
        metrics = as_dict(row.get("metrics"))
        for metric_name, raw in metrics.items():
            value = parse_number(raw)
            if value is None or not method:
                continue
            metric_type, split = split_metric(str(metric_name))
            model = method
            if seen.get((method, metric_name), arxiv_id) != arxiv_id:
                # Two papers call their method the same: keep both rows apart.
                model = f"{method} ({arxiv_id or row.get('paper_title') or 'no paper'})"
            seen[(method, metric_name)] = arxiv_id
            archive.results.append(
                ResultRecord(
                    model_name=model,
                    task_id=task_id,
                    task_name=task_name,
                    dataset_id=slug(name),
                    dataset_name=name,
                    dataset_config=config,
                    dataset_split=split,
                    metric_type=metric_type,
                    metric_name=str(metric_name),
                    value=value,
                    value_text=str(raw),
                    verified=False,
                    source=SOURCE,
                    paper_arxiv_id=arxiv_id,
                )
            )


def import_evaluations(engine: Engine, path: Path, now: datetime) -> dict[str, int]:
    """Import one file in one transaction; idempotent. Returns what was read and added."""
    archive = parse(read_file(path))
    arxiv_ids = {r.paper_arxiv_id for r in archive.results if r.paper_arxiv_id}
    arxiv_ids |= {a for a, _ in archive.code_links}
    with write_transaction(engine) as conn:
        before = store.paper_ids(conn, arxiv_ids)
        ids = ensure_stubs(conn, arxiv_ids, now)
        store.ensure_tasks(conn, archive.task_names, archive.task_names)
        new = store.upsert_results(conn, archive.results, {}, ids)
        add_code_links(conn, [(ids[a], url, "import") for a, url in archive.code_links])
    return {
        "tasks": len(archive.task_names),
        "datasets": len({(r.task_id, r.dataset_id) for r in archive.results}),
        "rows": archive.rows,
        "results": len(archive.results),
        "new_results": new,
        "papers": len(arxiv_ids),
        "stubs": len(arxiv_ids - set(before)),
    }
