"""Batch mode with dynamic padding: sort by token length, batch, pad per batch, restore order.

Padding every text to the longest in the whole input wastes most of the compute on
padding; padding each batch of similar-length texts to its own longest does not.
Embeddings are pooled with the attention mask, so padding positions (which a
feature-extraction pipeline returns vectors for) never enter the mean.
Only trial code imports this module (it imports torch at the top).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch

from tracker.errors import TrialError

T = TypeVar("T")
R = TypeVar("R")


class CancelledError(TrialError):
    """The user cancelled a running trial."""

    def __init__(self) -> None:
        super().__init__("the trial was cancelled.")


@dataclass(frozen=True)
class Pooling:
    mode: str = "mean"  # mean | cls | max
    normalize: bool = False


def read_pooling(folder: Path | None) -> Pooling:
    """The pooling a sentence-transformers folder declares (1_Pooling, Normalize); else mean."""
    if folder is None:
        return Pooling()
    mode, normalize = "mean", False
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        modules = []
    for module in modules if isinstance(modules, list) else []:
        kind = str(module.get("type", ""))
        if kind.endswith("Normalize"):
            normalize = True
        if kind.endswith("Pooling"):
            try:
                cfg = json.loads(
                    (folder / module.get("path", "") / "config.json").read_text("utf-8")
                )
            except (OSError, ValueError):
                cfg = {}
            if cfg.get("pooling_mode_cls_token"):
                mode = "cls"
            elif cfg.get("pooling_mode_max_tokens"):
                mode = "max"
    return Pooling(mode, normalize)


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Input indices grouped in batches of similar length (longest first)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def run_in_batches(
    items: Sequence[T],
    lengths: Sequence[int],
    batch_size: int,
    fn: Callable[[list[T]], list[R]],
    should_stop: Callable[[], bool] | None = None,
) -> list[R]:
    """fn over length-sorted batches; results come back in the input order."""
    results: list[R | None] = [None] * len(items)
    for batch in length_sorted_batches(lengths, batch_size):
        if should_stop is not None and should_stop():
            raise CancelledError()
        outputs = fn([items[i] for i in batch])
        if len(outputs) != len(batch):
            raise TrialError(f"a batch of {len(batch)} inputs gave {len(outputs)} outputs.")
        for index, output in zip(batch, outputs, strict=True):
            results[index] = output
    return results  # type: ignore[return-value]


def token_lengths(tokenizer: Any, texts: Sequence[str]) -> list[int]:
    encoded = tokenizer(list(texts), add_special_tokens=True, truncation=False)["input_ids"]
    return [len(ids) for ids in encoded]


def max_length(tokenizer: Any, model: Any) -> int:
    limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
    if 0 < limit < 100_000:
        return limit
    return int(getattr(model.config, "max_position_embeddings", 512) or 512)


def pool(hidden: torch.Tensor, mask: torch.Tensor, pooling: Pooling) -> torch.Tensor:
    """(batch, tokens, dim) -> (batch, dim), over the positions the attention mask keeps."""
    if pooling.mode == "cls":
        pooled = hidden[:, 0]
    elif pooling.mode == "max":
        pooled = hidden.masked_fill(~mask.bool().unsqueeze(-1), float("-inf")).amax(dim=1)
    else:
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    pooled = pooled.float()
    if pooling.normalize:
        pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
    return pooled


def embed(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    *,
    batch_size: int,
    pooling: Pooling = Pooling(),
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor:
    """Sentence embeddings (len(texts), dim) in input order, float32 on the CPU."""
    limit = max_length(tokenizer, model)
    encoded = tokenizer(list(texts), truncation=True, max_length=limit)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in encoded]
    rows = [{k: encoded[k][i] for k in keys} for i in range(len(texts))]
    lengths = [len(r["input_ids"]) for r in rows]
    device = model.device

    def forward(batch: list[dict[str, Any]]) -> list[torch.Tensor]:
        padded = tokenizer.pad(batch, padding="longest", return_tensors="pt")
        padded = {k: v.to(device) for k, v in padded.items()}
        with torch.inference_mode():
            hidden = model(**padded)[0]
        return list(pool(hidden, padded["attention_mask"], pooling).cpu())

    vectors = run_in_batches(rows, lengths, batch_size, forward, should_stop)
    if not vectors:
        return torch.empty(0)
    return torch.stack(vectors)
