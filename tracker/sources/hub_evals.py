"""The Hub's evaluation results (`evalResults`, from `.eval_results/*.yaml`) -> ResultRecords.

huggingface_hub parses the entries (parse_eval_result_entries -> EvalResultEntry); we
read them one item at a time so that one bad item costs that item only, and count the
files the Hub itself reported as invalid (`{"filename", "error"}` items): they are
logged and counted, never stored as scores.

An entry names a benchmark dataset and one of its tasks (Idavidrein/gpqa, gpqa_diamond)
but no metric: its score is stored as metric "score", with the benchmark task as the
dataset config. A "with tools" score is another variant of the benchmark: it keeps its
own board and is never ranked against (or merged with) the default setup.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from huggingface_hub import EvalResultEntry, parse_eval_result_entries
from huggingface_hub.hf_api import DatasetLeaderboardEntry

from tracker.records import BenchmarkEntryRecord, ResultRecord

log = logging.getLogger(__name__)

SOURCE = "eval-results"
SCORE = "score"
WITH_TOOLS = "with tools"

# Benchmarks whose task we know without asking the Hub (their task_categories are
# often missing or too broad); anything else is mapped from task_categories, else "other".
BENCHMARK_TASKS: dict[str, str] = {
    "idavidrein/gpqa": "question-answering",
    "cais/hle": "question-answering",
    "cais/mmlu": "question-answering",
    "tiger-lab/mmlu-pro": "question-answering",
    "openai/gsm8k": "text-generation",
    "openai/openai_humaneval": "text-generation",
    "livecodebench/code_generation_lite": "text-generation",
    "swe-bench/swe-bench_verified": "text-generation",
    "princeton-nlp/swe-bench_verified": "text-generation",
    "hellaswag": "text-generation",
    "rowan/hellaswag": "text-generation",
    "allenai/ai2_arc": "question-answering",
    "math-ai/aime25": "text-generation",
    "huggingfaceh4/math-500": "text-generation",
}
OTHER_TASK = "other"

# The `task_categories` of a dataset card name Hub tasks; these are ours when they differ.
_CATEGORY_TASKS = {
    "multiple-choice": "question-answering",
    "text2text-generation": "text-generation",
}

_TOOLS = re.compile(r"\btools?\b|\btool[- ]use\b", re.IGNORECASE)
_NO_TOOLS = re.compile(r"\b(no|without|w/o)[- ]tools?\b", re.IGNORECASE)


def benchmark_task(dataset_id: str, task_categories: Iterable[str] = ()) -> str:
    """Our catalogue task for a benchmark: the table, then its first task category, else 'other'."""
    known = BENCHMARK_TASKS.get(dataset_id.lower())
    if known:
        return known
    for category in task_categories:
        if isinstance(category, str) and category.strip():
            return _CATEGORY_TASKS.get(category.strip(), category.strip())
    return OTHER_TASK


def variant_of(notes: str | None) -> str:
    """'With tools' / 'tools' -> 'with tools'; no notes, 'no-tools' or other notes -> default ''."""
    if not notes or _NO_TOOLS.search(notes):
        return ""
    return WITH_TOOLS if _TOOLS.search(notes) else ""


def _text(value: Any) -> str:
    return str(value).strip() if value is not None and not isinstance(value, dict | list) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().rstrip("%"))
    except ValueError:
        return None


def eval_record(entry: EvalResultEntry, repo_id: str) -> ResultRecord:
    """One parsed entry -> a result of repo_id on the benchmark, with its provenance."""
    return ResultRecord(
        model_name=repo_id,
        task_id=benchmark_task(entry.dataset_id),
        dataset_id=entry.dataset_id,
        dataset_name=entry.dataset_id,
        dataset_config=_text(entry.task_id),
        metric_type=SCORE,
        metric_name=SCORE,
        value=_number(entry.value),
        value_text=_text(entry.value),
        verified=bool(entry.verify_token),
        source=SOURCE,
        variant=variant_of(entry.notes),
        notes=_text(entry.notes),
        source_name=_text(entry.source_name or entry.source_org or entry.source_user),
        source_url=_text(entry.source_url),
        dataset_revision=_text(entry.dataset_revision),
        result_date=_text(entry.date),
    )


@dataclass
class EvalRead:
    results: list[ResultRecord] = field(default_factory=list)
    errors: int = 0  # files the Hub reported invalid, and items we could not read


def read_eval_results(raw: Any, repo_id: str) -> EvalRead:
    """A model's `evalResults` list -> its results and the count of invalid items."""
    out = EvalRead()
    if not isinstance(raw, list):
        return out
    for item in raw:
        if isinstance(item, dict) and "error" in item:
            out.errors += 1
            log.warning(
                "model %s: the Hub rejected eval results file %s: %s",
                repo_id,
                item.get("filename") or "?",
                item.get("error"),
            )
            continue
        try:
            entries = parse_eval_result_entries([item])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            out.errors += 1
            log.warning("model %s: unreadable eval results item: %r", repo_id, exc)
            continue
        out.results += [eval_record(e, repo_id) for e in entries]
    return out


def _task_of(entry: DatasetLeaderboardEntry) -> str:
    """The benchmark task of a board row: a taskId the Hub sends (kept by the library as
    an unknown key), else the result file's name (.eval_results/gpqa_diamond.yaml)."""
    extra = vars(entry)
    for key in ("taskId", "task_id"):
        if isinstance(extra.get(key), str) and extra[key]:
            return str(extra[key])
    return ""


def board_record(entry: DatasetLeaderboardEntry) -> BenchmarkEntryRecord:
    """A parsed leaderboard entry -> BenchmarkEntryRecord."""
    source = entry.source if isinstance(entry.source, dict) else {}
    author = entry.author
    return BenchmarkEntryRecord(
        rank=entry.rank if isinstance(entry.rank, int) else 0,
        model_repo=str(entry.model_id),
        value=_number(entry.value),
        verified=entry.verified is True,
        filename=_text(entry.filename),
        bench_task=_task_of(entry),
        source_name=_text(source.get("name")),
        source_url=_text(source.get("url")),
        author=_text(getattr(author, "name", None) or getattr(author, "username", None)),
        pull_request=_text(entry.pull_request),
        notes=_text(entry.notes),
        variant=variant_of(entry.notes),
    )


def read_board(raw: Any, dataset_id: str) -> list[BenchmarkEntryRecord]:
    """A leaderboard answer (a list of entries) -> records; an unreadable entry is skipped."""
    out: list[BenchmarkEntryRecord] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            out.append(board_record(DatasetLeaderboardEntry(**item)))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning("benchmark %s: unreadable leaderboard entry: %r", dataset_id, exc)
    return out
