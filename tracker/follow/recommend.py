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
from sqlalchemy.engine import Connection, Engine

from tracker.config import Config
from tracker.db.engine import read_connection
from tracker.db.follow_queries import marked_papers, paper_texts
from tracker.db.queries import iso
from tracker.errors import UsageError
from tracker.follow.textvec import Csr, SparseOps, Tfidf, train_linear

log = logging.getLogger(__name__)

REASON_TERMS = 3


@dataclass
class Corpus:
    """The pool: ids, texts and who is marked with what."""

    ids: list[int]
    arxiv_ids: list[str]
    titles: list[str]
    texts: list[str]
    published: list[datetime | None]
    marks: dict[int, set[str]]


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


def load_corpus(conn: Connection, config: Config) -> Corpus:
    marks = marked_papers(conn)
    rows = paper_texts(conn, newest=config.recommend.pool, include=list(marks))
    return Corpus(
        ids=[r[0] for r in rows],
        arxiv_ids=[r[1] for r in rows],
        titles=[r[2] for r in rows],
        texts=[f"{r[2]}. {r[3]}" for r in rows],
        published=[r[4] for r in rows],
        marks=marks,
    )


def labels(corpus: Corpus, tag: str | None) -> np.ndarray:
    """1 for the positives of tag (every marked paper when tag is None), else -1."""
    if tag is None:
        return np.array([1.0 if corpus.marks.get(pid) else -1.0 for pid in corpus.ids])
    return np.array([1.0 if tag in corpus.marks.get(pid, ()) else -1.0 for pid in corpus.ids])


def _candidates(corpus: Corpus, cutoff: datetime | None) -> np.ndarray:
    keep = []
    for i, pid in enumerate(corpus.ids):
        if corpus.marks.get(pid):
            continue
        published = corpus.published[i]
        if cutoff is not None and published is not None:
            if published.tzinfo is None:
                published = published.replace(tzinfo=UTC)
            if published < cutoff:
                continue
        keep.append(i)
    return np.asarray(keep, dtype=np.int64)


def _check_positives(y: np.ndarray, tag: str | None, known_tags: set[str]) -> None:
    if (y > 0).any():
        return
    if tag is None:
        raise UsageError(
            "you have not starred or tagged any paper yet, so there is nothing to learn from.",
            hint="Star papers you like with `tracker star ID` (or `s` in the TUI), then try again.",
        )
    shown = ", ".join(sorted(known_tags)) or "none yet"
    raise UsageError(
        f"no paper in the pool is tagged '{tag}'.",
        hint=f"Your tags: {shown}. Tag papers with `tracker tag ID {tag}`.",
    )


def explain_terms(x: Csr, i: int, w: np.ndarray, terms: list[str]) -> list[str]:
    cols, vals = x.row(i)
    contrib = vals * w[cols]
    order = np.argsort(-contrib)[:REASON_TERMS]
    return [terms[cols[j]] for j in order if contrib[j] > 0]


def _item(
    corpus: Corpus, i: int, score: float, tag: str | None, terms: list[str], near: tuple[int, float]
) -> dict[str, Any]:
    j, similarity = near
    reason = []
    if terms:
        reason.append("shares " + ", ".join(f"'{t}'" for t in terms))
    reason.append(f"closest to {corpus.arxiv_ids[j]} ({similarity:.2f})")
    return {
        "arxiv_id": corpus.arxiv_ids[i],
        "title": corpus.titles[i],
        "published": iso(corpus.published[i]),
        "score": round(score, 4),
        "tag": tag,
        "terms": terms,
        "nearest": {
            "arxiv_id": corpus.arxiv_ids[j],
            "title": corpus.titles[j],
            "similarity": round(similarity, 4),
        },
        "reason": "; ".join(reason),
    }


def rank_tfidf(
    corpus: Corpus,
    tag: str | None,
    *,
    limit: int,
    cutoff: datetime | None,
) -> list[dict[str, Any]]:
    """Fit tf-idf on the pool, train the tag's SVM, score and explain the top candidates."""
    y = labels(corpus, tag)
    _check_positives(y, tag, {t for ts in corpus.marks.values() for t in ts})
    vectorizer = Tfidf(max_df=0.1 if len(corpus.ids) >= 2000 else 0.5)
    x = vectorizer.fit_transform(corpus.texts)
    ops = SparseOps(x)
    w, b = train_linear(ops.dot, ops.tdot, y, x.columns)
    candidates = _candidates(corpus, cutoff)
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
        items.append(_item(corpus, i, float(scores[k]), tag, terms, near))
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
