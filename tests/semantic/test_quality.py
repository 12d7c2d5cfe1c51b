"""Similar papers and search by meaning on the demo data, with the real model."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.semantic.conftest import MemoEncoder
from tests.semantic.judgments import QUERIES, RELATED, scores
from tracker.db.engine import read_connection
from tracker.db.search import search_papers
from tracker.embed.semantic import hybrid_search, semantic_search

NO_SHARED_WORD = "turning spoken recordings into written words"
SPEECH = {"2212.04356", "2006.11477"}  # Whisper, wav2vec 2.0


def _ids(hits: list[dict[str, Any]]) -> list[str]:
    return [h["arxiv_id"] for h in hits]


@pytest.mark.backends
def test_similar_finds_the_papers_a_researcher_calls_related(demo_embedded: Any, cli: Any) -> None:
    result = cli("similar", "1810.04805", "--limit", "5", "--json")
    assert result.code == 0, result.err
    hits = result.json()
    assert set(hits[0]) == {
        "arxiv_id",
        "title",
        "published",
        "primary_category",
        "authors",
        "score",
        "reason",
    }
    assert "1810.04805" not in _ids(hits)
    assert len(set(_ids(hits)) & RELATED["1810.04805"]) >= 3
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert all(0 < h["score"] <= 1 for h in hits)
    assert "bert" in hits[0]["reason"]  # RoBERTa/ALBERT/XLNet all name BERT
    rankings = []
    for pid, related in RELATED.items():
        ranked = _ids(cli("similar", pid, "--limit", "5", "--json").json())
        rankings.append((ranked, related))
    quality = scores(rankings)
    assert quality["mrr"] >= 0.8, quality
    assert quality["recall@5"] >= 0.6, quality


@pytest.mark.backends
def test_a_query_with_no_word_of_its_target_finds_it_by_meaning(
    demo_embedded: Any, env: Any, minilm_encoder: MemoEncoder
) -> None:
    with read_connection(demo_embedded) as conn:
        texts = dict(
            conn.exec_driver_sql(
                "SELECT arxiv_id, title || ' ' || abstract FROM papers WHERE arxiv_id IN "
                "('2212.04356', '2006.11477')"
            ).all()
        )
        keyword = search_papers(conn, NO_SHARED_WORD)
    words = set(re.findall(r"[a-z]+", NO_SHARED_WORD))
    assert all(not words & set(re.findall(r"[a-z]+", t.lower())) for t in texts.values())
    assert keyword == []
    found = semantic_search(
        demo_embedded, env.config(), NO_SHARED_WORD, minilm_encoder.query, limit=3
    )
    assert SPEECH & set(_ids(found[:2]))
    assert all(h["mode"] == "semantic" for h in found)


def test_search_quality_by_mode(demo_embedded: Any, env: Any, minilm_encoder: MemoEncoder) -> None:
    config = env.config()
    by_mode: dict[str, list[tuple[list[str], set[str]]]] = {
        "keyword": [],
        "semantic": [],
        "hybrid": [],
    }
    for query, relevant in QUERIES:
        with read_connection(demo_embedded) as conn:
            by_mode["keyword"].append((_ids(search_papers(conn, query, limit=10)), relevant))
        for mode, find in (("semantic", semantic_search), ("hybrid", hybrid_search)):
            hits = find(demo_embedded, config, query, minilm_encoder.query, limit=10)
            by_mode[mode].append((_ids(hits), relevant))
    quality = {mode: scores(r) for mode, r in by_mode.items()}
    print(quality)
    # Keyword search needs every word; researchers' own words rarely all appear.
    assert quality["semantic"]["mrr"] > quality["keyword"]["mrr"] + 0.2, quality
    assert quality["hybrid"]["recall@5"] >= quality["keyword"]["recall@5"], quality
    assert quality["hybrid"]["mrr"] >= 0.6, quality
