"""Similar papers, search by meaning, and hybrid search (keyword and meaning fused).

Hybrid fuses the two rankings with reciprocal rank fusion (score = sum of
1 / (RRF_K + rank) over the rankings a paper is in): ranks, not scores, because
bm25 and cosine live on unrelated scales, and a paper that only one side finds can
still come first when that side puts it at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.engine import Engine

from tracker.config import Config
from tracker.db.engine import read_connection
from tracker.db.queries import paper_id_for
from tracker.db.search import SearchFilters, as_hit, rows_passing, search_papers
from tracker.embed.index import VectorIndex, load_index
from tracker.embed.terms import shared_terms
from tracker.errors import NotFoundError

RRF_K = 60
NO_FILTERS = SearchFilters()
FUSED_DEPTH = 100  # how deep each ranking goes into the fusion
QueryEncoder = Callable[[str], NDArray[np.float32]]


def open_index(engine: Engine, config: Config) -> VectorIndex:
    """The search matrix of [search] embedding_model; an error when it holds nothing."""
    model = config.search.embedding_model
    index = load_index(engine, model, approximate_above=config.search.approximate_above)
    if not len(index):
        raise NotFoundError(
            f"no paper has an embedding of {model} yet.",
            hint="Run `tracker embed` (or set [search] embeddings = true and sync).",
        )
    return index


def similar_papers(
    engine: Engine, config: Config, raw_id: str, *, limit: int = 10
) -> list[dict[str, Any]]:
    """The papers nearest raw_id by meaning, each with its cosine and shared key terms."""
    index = open_index(engine, config)
    with read_connection(engine) as conn:
        pid = paper_id_for(conn, raw_id)
        row = index.row_of(pid)
        if row is None:
            raise NotFoundError(
                f"paper {raw_id} has no embedding yet.", hint="Run `tracker embed` first."
            )
        query = np.asarray(index.matrix[row], dtype=np.float32)
        near = [(i, s) for i, s in index.search(query, limit + 1) if i != pid][:limit]
        rows = rows_passing(conn, [pid] + [i for i, _ in near])
    me = rows[pid]
    hits = []
    for i, score in near:
        if i in rows:
            hit = as_hit(rows[i], round(score, 4), "semantic")
            terms = shared_terms((me.title, me.abstract), (rows[i].title, rows[i].abstract))
            hit["reason"] = "shared: " + ", ".join(terms) if terms else "close in meaning"
            hits.append(hit)
    return hits


def semantic_search(
    engine: Engine,
    config: Config,
    query: str,
    encode: QueryEncoder,
    *,
    filters: SearchFilters = NO_FILTERS,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Papers nearest the query's meaning that pass the filters, best first."""
    index = open_index(engine, config)
    vector = encode(query)
    depth = max(200, 10 * limit)
    while True:
        near = index.search(vector, depth)
        with read_connection(engine) as conn:
            rows = rows_passing(conn, [i for i, _ in near], filters)
        hits = [as_hit(rows[i], round(s, 4), "semantic") for i, s in near if i in rows]
        # Filters can drop most of what is near: look deeper until enough pass.
        if len(hits) >= limit or depth >= len(index):
            return hits[:limit]
        depth *= 8


def hybrid_search(
    engine: Engine,
    config: Config,
    query: str,
    encode: QueryEncoder,
    *,
    filters: SearchFilters = NO_FILTERS,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Keyword (bm25) and meaning rankings fused by reciprocal rank."""
    depth = max(FUSED_DEPTH, limit)
    with read_connection(engine) as conn:
        keyword = search_papers(
            conn, query, filters=filters, limit=depth, candidates=config.search.candidates
        )
    meaning = semantic_search(engine, config, query, encode, filters=filters, limit=depth)
    return fuse([keyword, meaning], limit)


def fuse(rankings: list[list[dict[str, Any]]], limit: int) -> list[dict[str, Any]]:
    """Reciprocal rank fusion of hit lists (keyed by arxiv_id); score = the fused value."""
    scores: dict[str, float] = {}
    first: dict[str, dict[str, Any]] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            key = hit["arxiv_id"]
            scores[key] = scores.get(key, 0.0) + 1.0 / (RRF_K + rank)
            first.setdefault(key, hit)
    ordered = sorted(scores, key=lambda k: -scores[k])[:limit]
    return [{**first[k], "score": round(scores[k], 6), "mode": "hybrid"} for k in ordered]


def model_encoder(config: Config) -> tuple[QueryEncoder, Callable[[], None]]:
    """A query encoder of [search] embedding_model and its close (torch loads here)."""
    from tracker.embed.encoder import Encoder

    encoder = Encoder(config.search.embedding_model, config, batch_size=1)
    return (lambda text: encoder.encode([text])[0]), encoder.close
