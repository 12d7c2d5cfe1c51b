"""Hybrid search fuses keyword and meaning ranks; the CLI's modes and their errors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from tracker.db.engine import open_database, write_transaction
from tracker.db.papers import upsert_papers
from tracker.db.search import search_papers
from tracker.db.vectors import write_vectors
from tracker.embed.semantic import hybrid_search, semantic_search
from tracker.records import PaperRecord

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
QUERY = "gravitational lensing"


def _paper(arxiv_id: str, title: str, abstract: str) -> PaperRecord:
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=1,
        title=title,
        abstract=abstract,
        authors=["Ada Lovelace"],
        primary_category="astro-ph.CO",
        categories=["astro-ph.CO"],
        published=datetime(2026, 1, 1, tzinfo=UTC),
        updated=datetime(2026, 1, 1, tzinfo=UTC),
    )


def _unit(*weights: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(weights)] = weights
    return v / np.linalg.norm(v)


# Meaning is given here (fixed vectors): the query points along the first axis.
# "lexical" names the query's words but means something else; "meaning" says the
# same thing in other words; two distractors are near in meaning but not relevant.
PAPERS = {
    "2601.00001": ("Gravitational lensing of a software pipeline", "A build tool.", _unit(0.2, 1)),
    "2601.00002": ("Light bent by galaxy clusters", "Mass maps from arcs.", _unit(1, 0.1)),
    "2601.00003": ("Dark matter halos", "Halo profiles.", _unit(1, 0.4)),
    "2601.00004": ("Cosmic shear surveys", "Weak distortions.", _unit(1, 0.5)),
    "2601.00005": ("Protein folding", "Amino acids.", _unit(0, 0, 1)),
}
LEXICAL, MEANING = "2601.00001", "2601.00002"


@pytest.fixture
def fixture_engine(env: Any) -> Any:
    engine = open_database(env.url)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        upsert_papers(conn, [_paper(k, t, a) for k, (t, a, _) in PAPERS.items()], now)
        ids = dict(conn.exec_driver_sql("SELECT arxiv_id, id FROM papers").all())
        vectors = [(ids[k], v) for k, (_, _, v) in PAPERS.items()]
        write_vectors(conn, MODEL, vectors, encoding="float16")
    yield engine
    engine.dispose()


def _ids(hits: list[dict[str, Any]]) -> list[str]:
    return [h["arxiv_id"] for h in hits]


@pytest.mark.backends
def test_hybrid_finds_what_keyword_and_meaning_each_miss(fixture_engine: Any, env: Any) -> None:
    config = env.config()
    query_vector = _unit(1)
    with fixture_engine.connect() as conn:
        keyword = _ids(search_papers(conn, QUERY, limit=2))
    meaning = _ids(semantic_search(fixture_engine, config, QUERY, lambda q: query_vector, limit=2))
    hybrid = hybrid_search(fixture_engine, config, QUERY, lambda q: query_vector, limit=2)
    assert keyword == [LEXICAL]  # misses MEANING
    assert LEXICAL not in meaning and MEANING in meaning
    assert set(_ids(hybrid)) == {LEXICAL, MEANING}
    assert all(h["mode"] == "hybrid" and h["score"] > 0 for h in hybrid)


@pytest.mark.backends
def test_semantic_search_applies_the_same_filters(fixture_engine: Any, env: Any) -> None:
    config = env.config()
    from tracker.db.search import SearchFilters

    hits = semantic_search(
        fixture_engine,
        config,
        QUERY,
        lambda q: _unit(1),
        filters=SearchFilters(since=datetime(2027, 1, 1, tzinfo=UTC)),
    )
    assert hits == []
    hits = semantic_search(
        fixture_engine,
        config,
        QUERY,
        lambda q: _unit(1),
        filters=SearchFilters(category="astro-ph.CO"),
    )
    assert len(hits) == len(PAPERS)


@pytest.mark.backends
def test_search_modes_need_embeddings_first(demo_engine: Any, cli: Any) -> None:
    result = cli("search", "attention", "--mode", "semantic")
    assert result.code == 2
    assert result.err.startswith(f"Error: no paper has an embedding of {MODEL} yet.")
    assert "tracker embed" in result.err
    result = cli("similar", "1706.03762")
    assert result.code == 2 and "tracker embed" in result.err
    result = cli("search", "attention", "--mode", "hybrid", "--sort", "date")
    assert result.code == 2
    assert result.err.startswith("Error: --sort date works with --mode keyword only.")


@pytest.mark.backends
def test_keyword_json_gains_score_and_mode(demo_engine: Any, cli: Any) -> None:
    hits = cli("search", "attention", "--json").json()
    assert hits and set(hits[0]) == {
        "arxiv_id",
        "title",
        "published",
        "primary_category",
        "authors",
        "score",
        "mode",
    }
    assert hits[0]["mode"] == "keyword" and isinstance(hits[0]["score"], float)


@pytest.mark.backends
def test_semantic_search_from_the_cli(demo_embedded: Any, cli: Any, monkeypatch: Any) -> None:
    from tests.semantic.conftest import MINILM

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    result = cli(
        "search",
        "turning spoken recordings into written words",
        "--mode",
        "semantic",
        "--limit",
        "3",
        "--json",
    )
    assert result.code == 0, result.err
    hits = result.json()
    assert {"2212.04356", "2006.11477"} & {h["arxiv_id"] for h in hits[:2]}
    assert {h["mode"] for h in hits} == {"semantic"}
    assert MINILM
