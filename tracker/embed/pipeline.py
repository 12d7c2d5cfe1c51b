"""`tracker embed`: embed the papers that have no vector of the model yet, or whose
text changed (a new arXiv version), then refresh the search matrix.

A batch is written per transaction, so an interrupted run keeps what it computed
and the next run goes on from there. The model loads only when something is to be
embedded. Vectors are keyed by model: a model change embeds everything again and
never mixes vectors of two models.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import read_connection, write_transaction
from tracker.db.vectors import count_stale, stale_batch, write_vectors
from tracker.progress import EmbeddingProgress

log = logging.getLogger(__name__)

BATCH = 256  # papers read, embedded and stored per step


class TextEncoder(Protocol):
    @property
    def device(self) -> str: ...

    def encode(self, texts: list[str]) -> NDArray[np.float32]: ...

    def close(self) -> None: ...


@dataclass
class EmbedReport:
    model: str
    embedded: int = 0
    seconds: float = 0.0  # the whole run, model load and index refresh included
    embed_seconds: float = 0.0  # reading, embedding and writing papers only
    device: str = ""

    @property
    def per_second(self) -> float:
        return self.embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0


def open_encoder(model: str, config: Config) -> TextEncoder:
    from tracker.embed.encoder import Encoder

    return Encoder(model, config, batch_size=config.search.embed_batch_size)


def embed_pending(
    engine: Engine,
    config: Config,
    *,
    everything: bool = False,
    progress: EmbeddingProgress | None = None,
    encoder: Callable[[str, Config], TextEncoder] | None = None,
    refresh_index: bool = True,
) -> EmbedReport:
    """Embed new or changed papers (every paper with everything) with [search] embedding_model."""
    model = config.search.embedding_model
    report = EmbedReport(model)
    started = time.monotonic()
    with read_connection(engine) as conn:
        total = count_stale(conn, model, everything=everything)
    if total:
        opened = (encoder or open_encoder)(model, config)
        report.device = opened.device
        log.info("embedding %d papers with %s on %s", total, model, opened.device)
        embedding = time.monotonic()
        try:
            report.embedded = _embed_batches(engine, config, opened, everything, total, progress)
        finally:
            opened.close()
        report.embed_seconds = time.monotonic() - embedding
    report.seconds = time.monotonic() - started
    if refresh_index and (report.embedded or total == 0):
        from tracker.embed.index import load_index

        load_index(engine, model, approximate_above=config.search.approximate_above)
    return report


def _embed_batches(
    engine: Engine,
    config: Config,
    encoder: TextEncoder,
    everything: bool,
    total: int,
    progress: EmbeddingProgress | None,
) -> int:
    model = config.search.embedding_model
    below: int | None = None
    done = 0
    while True:
        with read_connection(engine) as conn:
            batch = stale_batch(conn, model, everything=everything, below=below, size=BATCH)
        if not batch:
            return done
        vectors = encoder.encode([t for _, _, t in batch])
        with write_transaction(engine) as conn:
            write_vectors(
                conn,
                model,
                [(pid, vectors[i]) for i, (pid, _, _) in enumerate(batch)],
                encoding=config.search.vector_encoding,
                versions={pid: version for pid, version, _ in batch},
            )
        done += len(batch)
        below = batch[-1][0]
        if progress is not None:
            progress(done, max(total, done))
