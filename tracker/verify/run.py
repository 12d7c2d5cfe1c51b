"""One verification: plan (model gates, data, columns, labels), then measure and judge.

`plan_verify` does everything that needs no model weights, so bad input (a missing
split or column, labels that don't map, an unsupported metric, a model that will
not fit) fails before any download. `measure` loads the model through the trial
runner, predicts, scores, bootstraps and judges against the claim.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tracker.config import Config
from tracker.errors import UsageError
from tracker.trial.plan import TrialPlan, plan_trial
from tracker.verify import references as refs
from tracker.verify.bootstrap import estimate
from tracker.verify.columns import map_columns
from tracker.verify.metrics import SUPPORTED_TASKS, Metric, resolve_metric, task_metrics
from tracker.verify.reader import Rows, Split
from tracker.verify.sources import find_split
from tracker.verify.verdict import Claim, Verdict, judge

DEFAULT_SAMPLES = 500
# The trial runner's names for a task that verify scores under another.
VERIFY_TASK = {"feature-extraction": "sentence-similarity"}


@dataclass
class Request:
    model: str
    dataset: str
    config: str | None = None
    split: str | None = None
    metric: str | None = None
    claim: Claim | None = None
    task: str | None = None
    samples: int | None = DEFAULT_SAMPLES  # None: the whole split
    seed: int = 0
    first: bool = False
    device: str | None = None
    dtype: str | None = None
    revision: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    label_map: str | None = None


@dataclass
class VerifyPlan:
    request: Request
    trial: TrialPlan
    task: str
    metric: Metric
    rows: Rows
    split: str
    config: str
    dataset_revision: str
    roles: dict[str, str]
    prepared: refs.Prepared


@dataclass
class Measurement:
    plan: VerifyPlan
    estimate: Any
    verdict: Verdict
    load_seconds: float
    seconds: float
    created_at: datetime

    @property
    def examples_per_second(self) -> float:
        return self.estimate.n / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        p, claim = self.plan, self.plan.request.claim
        return {
            "model": p.trial.source.repo_id,
            "model_revision": p.trial.source.revision,
            "task": p.task,
            "dataset": p.request.dataset,
            "config": p.config,
            "split": p.split,
            "dataset_revision": p.dataset_revision,
            "metric": p.metric.name,
            "n": self.estimate.n,
            "split_size": p.rows.total,
            "sampled": p.rows.sampled,
            "seed": p.request.seed,
            "value": self.verdict.value,
            "low": self.verdict.low,
            "high": self.verdict.high,
            "scale": self.verdict.scale,
            "claimed": self.verdict.claimed,
            "claim_result_id": claim.result_id if claim else None,
            "verdict": self.verdict.to_dict(),
            "device": p.trial.device,
            "dtype": p.trial.dtype,
            "load_seconds": round(self.load_seconds, 4),
            "data_seconds": round(p.rows.seconds, 4),
            "bytes_read": p.rows.bytes_read,
            "seconds": round(self.seconds, 4),
            "examples_per_second": round(self.examples_per_second, 2),
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
        }


def _verify_task(plan: TrialPlan) -> str:
    task = VERIFY_TASK.get(plan.task, plan.task)
    if task not in SUPPORTED_TASKS:
        task_metrics(task)  # raises the one line listing what is supported
    return task


def _id2label(plan: TrialPlan) -> dict[int, str]:
    raw = plan.source.config.get("id2label") or {}
    return {int(k): str(v) for k, v in raw.items()}


def plan_verify(
    request: Request, config: Config, catalog: dict[str, Any] | None = None
) -> VerifyPlan:
    """Everything before the weights: gates, data rows, columns, label mapping."""
    trial = plan_trial(
        request.model,
        config,
        task=request.task,
        device=request.device,
        dtype=request.dtype,
        revision=request.revision,
        catalog=catalog,
    )
    task = _verify_task(trial)
    metric = resolve_metric(
        task, request.metric or (request.claim.metric if request.claim else None)
    )
    files = find_split(
        request.dataset, request.config, request.split, revision=None, endpoint=config.hub.endpoint
    )
    split = Split(files)
    roles = map_columns(task, split.columns, request.columns)
    rows = split.read(
        sorted(set(roles.values())), request.samples, seed=request.seed, first=request.first
    )
    if not rows.rows:
        raise UsageError(f"split {files.split!r} of {request.dataset} has no rows.")
    context = refs.Context(
        files.dataset, files.config, trial.source.repo_id, _id2label(trial), request.label_map
    )
    prepared = refs.prepare(task, rows, roles, context)
    return VerifyPlan(
        request,
        trial,
        task,
        metric,
        rows,
        files.split,
        files.config,
        files.revision,
        roles,
        prepared,
    )


Tick = Callable[[int], None]


def measure(
    plan: VerifyPlan,
    loaded: Any,
    *,
    batch_size: int,
    tick: Tick,
    stop: Callable[[], bool] | None = None,
) -> Measurement:
    """Predict with a model loaded from plan.trial, score, bootstrap and judge."""
    start = time.perf_counter()
    predictions = predict(plan, loaded, batch_size=batch_size, tick=tick, stop=stop)
    seconds = time.perf_counter() - start
    stats = plan.metric.stats(plan.prepared.references, predictions)
    result = estimate(plan.metric, stats, seed=plan.request.seed)
    sampled_from = plan.rows.total if plan.rows.sampled else None
    verdict = judge(
        plan.metric,
        result,
        plan.request.claim,
        split=plan.split,
        config=plan.config,
        sampled_from=sampled_from,
    )
    return Measurement(plan, result, verdict, loaded.load_seconds, seconds, datetime.now(UTC))


def predict(
    plan: VerifyPlan, loaded: Any, *, batch_size: int, tick: Tick, stop: Callable[[], bool] | None
) -> list[Any]:
    from tracker.trial import evaluate as p

    prep, task = plan.prepared, plan.task
    common: dict[str, Any] = {"batch_size": batch_size, "tick": tick, "stop": stop}
    if task == "text-classification":
        ids = p.classify(loaded, prep.inputs, prep.pairs, **common)
        return _to_dataset_ids([_model_label(loaded, i) for i in ids], prep.mapping)
    if task == "token-classification":
        tags = p.tag_words(loaded, prep.inputs, **common)
        names = prep.names or []
        return [[_tag_name(loaded, t, prep.mapping, names) for t in seq] for seq in tags]
    if task == "sentence-similarity":
        return p.similarities(loaded, prep.inputs, prep.pairs or [], **common)
    if task == "question-answering":
        if any(not answers for answers in prep.references):  # SQuAD v2: some have no answer
            return p.answer_questions(loaded, prep.inputs, **common)
        return p.through_runner(loaded, prep.inputs, "answer", **common)
    if task in ("summarization", "translation"):
        key = "summary_text" if task == "summarization" else "translation_text"
        return p.through_runner(loaded, prep.inputs, key, **common)
    if task == "image-classification":
        tops = p.through_pipeline(loaded, prep.inputs, "image", **common)
        return [_to_dataset_ids(top, prep.mapping) for top in tops]
    return p.through_pipeline(loaded, prep.inputs, "audio", **common)


def _model_label(loaded: Any, class_id: int) -> str:
    id2label = loaded.pipe.model.config.id2label
    return str(id2label.get(class_id, f"LABEL_{class_id}"))


def _to_dataset_ids(labels: list[str], mapping: dict[str, int]) -> list[int]:
    """-1 for a model label the dataset does not have (always counted wrong)."""
    return [mapping.get(label, -1) for label in labels]


def _tag_name(loaded: Any, tag: int, mapping: dict[str, int], names: list[str]) -> str:
    if tag < 0:
        return "O"
    index = mapping.get(_model_label(loaded, tag), -1)
    return names[index] if 0 <= index < len(names) else "O"
