"""Recommendations: "more like my starred papers", per tag, local and explained.

The pool is the newest [recommend] pool papers plus every paper the user marked.
Positives are the papers with the tag (or, without --tag, every starred or tagged
paper); every other paper of the pool is a negative, as in arxiv-sanity-lite. A
linear SVM on tf-idf features (tracker.follow.textvec) scores the unmarked papers
published in the last [recommend] days. Each recommendation says why: the terms
that add most to its score, and the nearest marked paper with its cosine
similarity. The semantic mode (tracker.follow.semantic) swaps tf-idf for stored
sentence embeddings.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import read_connection
from tracker.follow.corpus import (
    Corpus,
    explained_item,
    labels,
    load_corpus,
    require_positives,
    unmarked_since,
)
from tracker.follow.textvec import Csr, SparseOps, Tfidf, train_linear

log = logging.getLogger(__name__)

REASON_TERMS = 3


@dataclass
class Recommendations:
    tag: str | None
    positives: int
    pool: int
    seconds: float
    mode: str
    items: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> list[dict[str, Any]]:
        return self.items


def explain_terms(x: Csr, i: int, w: np.ndarray, terms: list[str]) -> list[str]:
    cols, vals = x.row(i)
    contrib = vals * w[cols]
    order = np.argsort(-contrib)[:REASON_TERMS]
    return [terms[cols[j]] for j in order if contrib[j] > 0]


def rank_tfidf(
    corpus: Corpus,
    tag: str | None,
    *,
    limit: int,
    cutoff: datetime | None,
) -> list[dict[str, Any]]:
    """Fit tf-idf on the pool, train the tag's SVM, score and explain the top candidates."""
    y = labels(corpus, tag)
    require_positives(y, tag, {t for ts in corpus.marks.values() for t in ts})
    vectorizer = Tfidf(max_df=0.1 if len(corpus.ids) >= 2000 else 0.5)
    x = vectorizer.fit_transform(corpus.texts)
    ops = SparseOps(x)
    w, b = train_linear(ops.dot, ops.tdot, y, x.columns)
    candidates = unmarked_since(corpus, cutoff)
    if not len(candidates):
        return []
    scores = ops.dot(w)[candidates] + b
    order = np.argsort(-scores, kind="stable")[:limit]
    positives = np.flatnonzero(y > 0)
    pos_ops = SparseOps(x.take(positives))
    items = []
    for k in order:
        i = int(candidates[k])
        cols, vals = x.row(i)
        dense = np.zeros(x.columns)
        dense[cols] = vals
        sims = pos_ops.dot(dense)
        best = int(np.argmax(sims))
        terms = explain_terms(x, i, w, vectorizer.terms)
        near = (int(positives[best]), float(sims[best]))
        items.append(explained_item(corpus, i, float(scores[k]), tag, terms, near))
    return items


def recommend(
    engine: Engine,
    config: Config,
    *,
    tag: str | None = None,
    limit: int = 20,
    days: int | None = None,
    semantic: bool = False,
    now: datetime | None = None,
    progress: Any = None,
) -> Recommendations:
    """The best unmarked recent papers for tag (None: all starred and tagged papers)."""
    start = time.perf_counter()
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=days or config.recommend.days)
    with read_connection(engine) as conn:
        corpus = load_corpus(conn, config)
    if semantic:
        from tracker.follow.semantic import rank_semantic

        items = rank_semantic(
            engine, config, corpus, tag, limit=limit, cutoff=cutoff, progress=progress
        )
    else:
        items = rank_tfidf(corpus, tag, limit=limit, cutoff=cutoff)
    seconds = time.perf_counter() - start
    positives = int((labels(corpus, tag) > 0).sum())
    log.info("recommend: %d positives, pool %d, %.2f s", positives, len(corpus.ids), seconds)
    return Recommendations(
        tag, positives, len(corpus.ids), seconds, "semantic" if semantic else "tfidf", items
    )
