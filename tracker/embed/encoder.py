"""The embedding model: title + abstract -> unit-length float32 vectors.

It loads through the trial runner (the same plan, safety gates, offline packages and
device choice as `tracker try`: CUDA when present) and embeds with the runner's batch
mode: texts sorted by token length, each batch padded to its own longest, pooled
with the attention mask. torch loads when an Encoder is opened, never on import.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tracker.config import Config


class Encoder:
    """An opened embedding model; close() releases it."""

    def __init__(self, model: str, config: Config, *, batch_size: int = 64) -> None:
        from tracker.trial import runner
        from tracker.trial.plan import plan_trial

        plan = plan_trial(model, config, task="feature-extraction")
        self.model = model
        self.batch_size = batch_size
        runner.quiet_transformers()  # its loading bars would land among our output
        self._loaded: Any = runner.load(plan)

    @property
    def device(self) -> str:
        return str(self._loaded.device)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """(len(texts), dim) unit-length vectors, in input order."""
        from tracker.trial import batching

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        pipe = self._loaded.pipe
        vectors = batching.embed(
            pipe.model,
            pipe.tokenizer,
            list(texts),
            batch_size=self.batch_size,
            pooling=self._loaded.pooling,
        )
        out = vectors.numpy().astype(np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)

    def close(self) -> None:
        self._loaded.close()

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
