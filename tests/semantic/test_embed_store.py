"""Embedding is incremental, keyed by model, and stored compactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from tests.semantic.conftest import HashEncoder
from tracker.db.engine import read_connection, write_transaction
from tracker.db.vectors import pack, read_vectors, unpack
from tracker.embed.pipeline import embed_pending


def _count(engine: Any, model: str | None = None) -> int:
    sql = "SELECT count(*) FROM paper_embeddings"
    with engine.connect() as conn:
        if model is None:
            return int(conn.execute(text(sql)).scalar())
        return int(conn.execute(text(sql + " WHERE model = :m"), {"m": model}).scalar())


@pytest.mark.parametrize("encoding, size, tolerance", [("float16", 768, 1e-3), ("int8", 388, 1e-2)])
def test_compact_encodings_round_trip(encoding: Any, size: int, tolerance: float) -> None:
    rng = np.random.default_rng(1)
    v = rng.standard_normal(384).astype(np.float32)
    v /= np.linalg.norm(v)
    data = pack(v, encoding)
    assert len(data) == size <= 1024
    back = unpack(data, encoding)
    assert back.dtype == np.float32
    assert float(np.abs(back - v).max()) < tolerance
    assert float(back @ v / np.linalg.norm(back)) > 0.999


@pytest.mark.backends
def test_only_new_or_changed_papers_are_embedded(demo_engine: Any, env: Any) -> None:
    config = env.config()
    first = HashEncoder()
    report = embed_pending(demo_engine, config, encoder=lambda m, c: first)
    with read_connection(demo_engine) as conn:
        papers = int(
            conn.execute(text("SELECT count(*) FROM papers WHERE is_stub = false")).scalar()
        )
    assert report.embedded == papers == len(first.seen) == _count(demo_engine)
    assert first.closed

    # Nothing new: the model is not even opened.
    again = embed_pending(demo_engine, config, encoder=lambda m, c: pytest.fail("opened"))
    assert again.embedded == 0

    # A new version of one paper: only that one is embedded again.
    with write_transaction(demo_engine) as conn:
        conn.execute(
            text(
                "UPDATE papers SET version = version + 1, abstract = 'Cats on mats.' "
                "WHERE arxiv_id = '1706.03762'"
            )
        )
    third = HashEncoder()
    report = embed_pending(demo_engine, config, encoder=lambda m, c: third)
    assert report.embedded == 1
    assert len(third.seen) == 1 and "Cats on mats." in third.seen[0]

    # --all embeds everything again, replacing (not adding) rows.
    fourth = HashEncoder()
    assert (
        embed_pending(demo_engine, config, everything=True, encoder=lambda m, c: fourth).embedded
        == papers
    )
    assert _count(demo_engine) == papers


@pytest.mark.backends
def test_a_model_change_embeds_again_and_never_mixes(demo_engine: Any, env: Any) -> None:
    embed_pending(demo_engine, env.config(), encoder=lambda m, c: HashEncoder(64))
    env.configure(search={"embedding_model": "org/other-model", "vector_encoding": "int8"})
    other = HashEncoder(32)
    report = embed_pending(demo_engine, env.config(), encoder=lambda m, c: other)
    assert report.model == "org/other-model"
    assert report.embedded == _count(demo_engine, "org/other-model") == _count(demo_engine) // 2
    with read_connection(demo_engine) as conn:
        dims = {
            m: d for m, d in conn.execute(text("SELECT DISTINCT model, dim FROM paper_embeddings"))
        }
        encodings = set(
            conn.execute(
                text(
                    "SELECT DISTINCT encoding FROM paper_embeddings WHERE model = 'org/other-model'"
                )
            ).scalars()
        )
        ids = list(conn.execute(text("SELECT id FROM papers WHERE is_stub = false")).scalars())
        vectors = read_vectors(conn, "org/other-model", ids)
    assert dims == {"sentence-transformers/all-MiniLM-L6-v2": 64, "org/other-model": 32}
    assert encodings == {"int8"}
    assert {len(v) for v in vectors.values()} == {32}
    # The search matrix holds one model's vectors only.
    from tracker.embed.index import load_index

    index = load_index(demo_engine, "org/other-model")
    assert index.matrix.shape == (len(ids), 32)
