"""The pool recommendations learn from, shared by the tf-idf and semantic modes.

The pool is the newest [recommend] pool papers plus every paper the user marked.
Positives are the papers with the tag (or, without a tag, every starred or tagged
paper); every other paper is a negative. Candidates are the unmarked papers
published since the cutoff; each recommended one becomes an explained item.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.engine import Connection

from tracker.config import Config
from tracker.db.follow_queries import marked_papers, paper_texts
from tracker.db.queries import iso
from tracker.errors import UsageError


@dataclass
class Corpus:
    """The pool: ids, texts and who is marked with what."""

    ids: list[int]
    arxiv_ids: list[str]
    titles: list[str]
    texts: list[str]
    published: list[datetime | None]
    marks: dict[int, set[str]]


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


def unmarked_since(corpus: Corpus, cutoff: datetime | None) -> np.ndarray:
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


def require_positives(y: np.ndarray, tag: str | None, known_tags: set[str]) -> None:
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


def explained_item(
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
