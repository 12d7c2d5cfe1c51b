"""Which way a metric ranks: one rule for the CLI, the TUI, the digest and anything new.

A metric's type and name are split into lowercase words ('Test WER' -> test, wer;
'answer_f1' -> answer, f1) and looked up in two tables. A word of the lower table
wins over one of the higher table ('top-1 error' is an error rate); a name with no
known word ranks higher-is-better, marked as a guess so that every view can say so.
Words are matched whole (or, for the few stems below, by prefix), never as
substrings: 'parameters' does not hold 'ter', 'character_accuracy' is no CER.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# Words whose smaller values win: error rates, losses, distances, costs.
LOWER_WORDS = frozenset(
    {
        "wer",
        "cer",
        "ter",
        "fid",
        "kid",
        "perplexity",
        "ppl",
        "nll",
        "bpb",
        "bpc",
        "bpd",
        "eer",
        "error",
        "errors",
        "err",
        "loss",
        "mse",
        "rmse",
        "mae",
        "mape",
        "latency",
        "distance",
        "fpr",
        "fnr",
        "far",
        "frr",
    }
)
# Phrases (matched on the words joined by single spaces) whose smaller values win.
LOWER_PHRASES = ("bits per", "word error", "character error", "miss rate", "error rate")
# Words whose larger values win.
HIGHER_WORDS = frozenset(
    {
        "accuracy",
        "acc",
        "f1",
        "em",
        "exact",
        "match",
        "bleu",
        "sacrebleu",
        "chrf",
        "meteor",
        "cider",
        "spice",
        "bertscore",
        "map",
        "ap",
        "ap50",
        "ap75",
        "auc",
        "roc",
        "precision",
        "recall",
        "iou",
        "miou",
        "pq",
        "panoptic",
        "quality",
        "ndcg",
        "mrr",
        "top",
        "inception",
        "score",
        "sdr",
        "sdri",
        "snr",
        "snri",
        "pesq",
        "stoi",
        "mcc",
        "pearson",
        "spearman",
        "correlation",
        "kappa",
        "mmlu",
        "pass",
        "win",
        "success",
        "reward",
        "return",
        "psnr",
        "ssim",
    }
)
# Stems matched at the start of a word: rouge1, rouge2, rougeL, rougeLsum; f1macro ...
HIGHER_PREFIXES = ("rouge", "accuracy", "f1", "bleu", "recall", "precision", "hit")

Direction = Literal["higher", "lower"]


@dataclass(frozen=True)
class MetricDirection:
    """How a metric ranks: `direction` ('higher' | 'lower'), `guessed` when no word is known."""

    direction: Direction
    guessed: bool

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"

    def label(self) -> str:
        return direction_label(self.direction, self.guessed)

    def as_json(self) -> dict[str, object]:
        """The keys every JSON row of a ranked metric carries."""
        return {
            "lower_is_better": self.lower_is_better,
            "direction": self.direction,
            "direction_guessed": self.guessed,
        }


def direction_label(direction: str, guessed: bool) -> str:
    """'lower is better', 'higher is better', or 'higher is better, guessed' for a name
    the tables do not know: the CLI's board headers and the TUI's board title."""
    return f"{direction} is better" + (", guessed" if guessed else "")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def metric_direction(metric_type: str, metric_name: str = "") -> MetricDirection:
    """The direction of a metric named by its type and/or display name."""
    words = _words(f"{metric_type} {metric_name}")
    joined = " ".join(words)
    if any(word in LOWER_WORDS for word in words) or any(p in joined for p in LOWER_PHRASES):
        return MetricDirection("lower", guessed=False)
    known = any(w in HIGHER_WORDS or w.startswith(HIGHER_PREFIXES) for w in words)
    return MetricDirection("higher", guessed=not known)


def lower_is_better(metric_type: str, metric_name: str = "") -> bool:
    """True when smaller values win (loss, error, perplexity, WER, FID ...)."""
    return metric_direction(metric_type, metric_name).lower_is_better
