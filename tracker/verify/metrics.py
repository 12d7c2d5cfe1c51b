"""Metrics by task, each as per-example statistics plus a reduction over a set of examples.

Splitting a metric this way lets one bootstrap serve them all: an interval resamples
the rows of `stats` and reduces each resample. Accuracy reduces by a mean, corpus
metrics (macro F1, entity F1, WER, BLEU, Spearman) by summing counts or ranking again.
Values are fractions (BLEU too: 0.273 for 27.3); tracker.verify.verdict rescales them
to the claim's scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tracker.errors import UsageError
from tracker.verify import text_metrics as tm

Stats = Callable[[Sequence[Any], Sequence[Any]], np.ndarray]
Reduce = Callable[[np.ndarray], float]


@dataclass(frozen=True)
class Metric:
    name: str
    stats: Stats  # (references, predictions) -> one row per example
    reduce: Reduce
    percent: bool = False  # reported ×100 by convention (BLEU, SQuAD)
    lower_is_better: bool = False

    def compute(self, references: Sequence[Any], predictions: Sequence[Any]) -> float:
        return self.reduce(self.stats(references, predictions))


def _rows(values: Sequence[Any], width: int) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1, width)


def _mean(stats: np.ndarray) -> float:
    return float(stats[:, 0].mean()) if len(stats) else 0.0


def _pairs(refs: Sequence[Any], preds: Sequence[Any]) -> np.ndarray:
    return _rows([[float(r), float(p)] for r, p in zip(refs, preds, strict=True)], 2)


def _equal(refs: Sequence[Any], preds: Sequence[Any]) -> np.ndarray:
    return _rows([float(r == p) for r, p in zip(refs, preds, strict=True)], 1)


def macro_f1(stats: np.ndarray) -> float:
    """Mean F1 over the classes seen in references or predictions (sklearn's macro)."""
    refs, preds = stats[:, 0], stats[:, 1]
    classes = np.union1d(refs, preds)
    scores = []
    for c in classes:
        tp = float(np.sum((refs == c) & (preds == c)))
        wrong = float(np.sum((refs == c) != (preds == c)))
        scores.append(2 * tp / (2 * tp + wrong) if tp + wrong else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def _entity_counts(refs: Sequence[Sequence[str]], preds: Sequence[Sequence[str]]) -> np.ndarray:
    rows = []
    for ref, pred in zip(refs, preds, strict=True):
        gold, found = tm.entities(ref), tm.entities(pred)
        rows.append([float(len(gold & found)), float(len(found)), float(len(gold))])
    return _rows(rows, 3)


def entity_f1(stats: np.ndarray) -> float:
    correct, predicted, gold = stats.sum(axis=0) if len(stats) else (0.0, 0.0, 0.0)
    if correct == 0:
        return 0.0
    precision, recall = correct / predicted, correct / gold
    return float(2 * precision * recall / (precision + recall))


def _squad(column: int) -> Stats:
    def stats(refs: Sequence[Sequence[str]], preds: Sequence[str]) -> np.ndarray:
        scores = [tm.squad_scores(p, r)[column] for r, p in zip(refs, preds, strict=True)]
        return _rows(scores, 1)

    return stats


def _wer_counts(refs: Sequence[str], preds: Sequence[str]) -> np.ndarray:
    return _rows([list(tm.word_errors(r, p)) for r, p in zip(refs, preds, strict=True)], 2)


def _ratio(stats: np.ndarray) -> float:
    errors, words = stats.sum(axis=0) if len(stats) else (0.0, 0.0)
    return float(errors / words) if words else 0.0


def _top(k: int) -> Stats:
    def stats(refs: Sequence[Any], preds: Sequence[Sequence[Any]]) -> np.ndarray:
        return _rows([float(r in list(p)[:k]) for r, p in zip(refs, preds, strict=True)], 1)

    return stats


def _rouge(kind: str) -> Stats:
    def stats(refs: Sequence[str], preds: Sequence[str]) -> np.ndarray:
        if kind == "L":
            return _rows([tm.rouge_l(p, r) for r, p in zip(refs, preds, strict=True)], 1)
        n = int(kind)
        return _rows([tm.rouge_n(p, r, n) for r, p in zip(refs, preds, strict=True)], 1)

    return stats


def _bleu_counts(refs: Sequence[str], preds: Sequence[str]) -> np.ndarray:
    return _rows([tm.bleu_counts(p, r) for r, p in zip(refs, preds, strict=True)], 10)


def corpus_bleu(stats: np.ndarray, order: int = 4) -> float:
    """sacrebleu's corpus BLEU (exp smoothing) from summed counts, as a fraction."""
    if not len(stats):
        return 0.0
    sums = stats.sum(axis=0)
    hyp_len, ref_len = sums[0], sums[1]
    matches, totals = sums[2 : 2 + order], sums[2 + order : 2 + 2 * order]
    log_sum, smooth = 0.0, 1.0
    for n in range(order):
        if totals[n] == 0:
            return 0.0
        if matches[n] == 0:
            smooth *= 2
            precision = 1.0 / (smooth * totals[n])
        else:
            precision = matches[n] / totals[n]
        log_sum += math.log(precision)
    if hyp_len == 0:
        return 0.0
    brevity = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    return float(brevity * math.exp(log_sum / order))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (scipy.stats.rankdata's default)."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(1, len(values) + 1)
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return (sums / counts)[inverse]


def pearson(stats: np.ndarray) -> float:
    x, y = stats[:, 0], stats[:, 1]
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return 0.0
    return float(np.corrcoef(x, y)[0, 1])


def spearman(stats: np.ndarray) -> float:
    if len(stats) < 2:
        return 0.0
    return pearson(np.column_stack([_ranks(stats[:, 0]), _ranks(stats[:, 1])]))


_METRICS: dict[str, dict[str, Metric]] = {
    "text-classification": {
        "accuracy": Metric("accuracy", _equal, _mean),
        "f1": Metric("f1", _pairs, macro_f1),
    },
    "token-classification": {"f1": Metric("f1", _entity_counts, entity_f1)},
    "question-answering": {
        "exact_match": Metric("exact_match", _squad(0), _mean, percent=True),
        "f1": Metric("f1", _squad(1), _mean, percent=True),
    },
    "automatic-speech-recognition": {
        "wer": Metric("wer", _wer_counts, _ratio, lower_is_better=True)
    },
    "image-classification": {
        "accuracy": Metric("accuracy", _top(1), _mean),
        "top5_accuracy": Metric("top5_accuracy", _top(5), _mean),
    },
    "summarization": {
        "rouge1": Metric("rouge1", _rouge("1"), _mean),
        "rouge2": Metric("rouge2", _rouge("2"), _mean),
        "rougeL": Metric("rougeL", _rouge("L"), _mean),
    },
    "translation": {"bleu": Metric("bleu", _bleu_counts, corpus_bleu, percent=True)},
    "sentence-similarity": {
        "spearman": Metric("spearman", _pairs, spearman),
        "pearson": Metric("pearson", _pairs, pearson),
    },
}

# What model cards call these metrics (model-index `type` or `name`, lower-cased).
ALIASES = {
    "acc": "accuracy",
    "top-1": "accuracy",
    "top1": "accuracy",
    "top-1 accuracy": "accuracy",
    "top-5": "top5_accuracy",
    "top5": "top5_accuracy",
    "top-5 accuracy": "top5_accuracy",
    "macro f1": "f1",
    "f1_macro": "f1",
    "em": "exact_match",
    "exact match": "exact_match",
    "exact": "exact_match",
    "squad": "f1",
    "rouge-1": "rouge1",
    "rouge-2": "rouge2",
    "rouge-l": "rougeL",
    "rougel": "rougeL",
    "rougelsum": "rougeL",
    "sacrebleu": "bleu",
    "spearmanr": "spearman",
    "cosine_spearman": "spearman",
    "spearman correlation": "spearman",
    "pearsonr": "pearson",
    "cosine_pearson": "pearson",
    "test wer": "wer",
}

SUPPORTED_TASKS = tuple(_METRICS)


def task_metrics(task: str) -> dict[str, Metric]:
    if task not in _METRICS:
        raise UsageError(
            f"`tracker verify` has no metrics for task '{task}'.",
            hint="Supported tasks: " + ", ".join(SUPPORTED_TASKS) + ".",
        )
    return _METRICS[task]


def resolve_metric(task: str, name: str | None) -> Metric:
    """The task's metric called `name` (a card's spelling is fine); its first metric for None."""
    metrics = task_metrics(task)
    if name is None:
        return next(iter(metrics.values()))
    key = name.strip()
    key = ALIASES.get(key.lower(), key)
    for candidate in (key, key.lower()):
        if candidate in metrics:
            return metrics[candidate]
    supported = "; ".join(f"{t}: {', '.join(m)}" for t, m in _METRICS.items())
    raise UsageError(
        f"metric '{name}' is not supported for {task}.",
        hint=f"Supported metrics: {supported}.",
    )
