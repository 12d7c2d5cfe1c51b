"""Relevance ranking on SQLite (tracker.db.relevance): the planned scoring, which
approximates bm25() for common words, finds the same papers as the exact one and
still ranks title matches first."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Connection, Engine

from tracker.db import fulltext, relevance
from tracker.db.engine import open_database, write_transaction
from tracker.db.papers import upsert_papers
from tracker.db.query_syntax import parse
from tracker.db.search import SearchFilters, search_papers
from tracker.records import PaperRecord

PAPERS = 240
START = datetime(2024, 1, 1, tzinfo=UTC)
COMMON = ["model", "learning", "data", "results", "method"]
NO_MODEL = {47, 93, 133, 173, 213, 233}  # every other abstract says "model"; all say "learning"
MIDDLE = ["graph", "neural", "speech", "vision"]  # in a third of them or so
RARE_TITLE_ID = "2401.00010"  # the one title with "zebrafish"; old, so not first by recency


def _corpus() -> list[PaperRecord]:
    rng = random.Random(7)
    records = []
    for i in range(1, PAPERS + 1):
        words = [rng.choice(COMMON[2:]) for _ in range(30)] + ["learning"] * rng.randint(1, 3)
        if i not in NO_MODEL:
            words += ["model"] * rng.randint(1, 3)
        if i % 3 == 0:
            words += ["graph", "neural"]  # always together: more matches than independence says
        if i % 4 == 0:
            words += [rng.choice(MIDDLE)]
        if i % 40 == 7:
            words += ["zebrafish"]
        rng.shuffle(words)
        arxiv_id = f"2401.{i:05d}"
        title = "A study of " + " ".join(rng.sample(COMMON + MIDDLE, 3))
        if arxiv_id == RARE_TITLE_ID:
            title = "Zebrafish models of learning"
        if i % 9 == 0:
            title += " with graph learning"
        records.append(
            PaperRecord(
                arxiv_id=arxiv_id,
                version=1,
                title=title,
                abstract=" ".join(words),
                authors=["Ada Lovelace" if i % 5 == 0 else f"Grace Hopper{i % 3}", "Alan Turing"],
                primary_category="cs.LG" if i % 2 else "cs.CV",
                categories=["cs.LG" if i % 2 else "cs.CV"],
                published=START + timedelta(days=i),
                updated=START + timedelta(days=i),
            )
        )
    return records


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path_factory.mktemp('relevance') / 'papers.db'}")
    with write_transaction(engine) as conn:
        upsert_papers(conn, _corpus(), datetime.now(UTC))
    yield engine
    engine.dispose()


@pytest.fixture
def conn(corpus: Engine) -> Iterator[Connection]:
    with corpus.connect() as connection:
        yield connection


def planned(monkeypatch: pytest.MonkeyPatch, budget: int) -> None:
    """Let bm25() read at most `budget` doclist entries: 0 approximates every word."""
    monkeypatch.setattr(relevance, "IDF_BUDGET", budget)


def ids(hits: list[dict]) -> list[str]:
    return [h["arxiv_id"] for h in hits]


# 0: every word approximated; 60: the rare word exact, the common ones not;
# the default: everything exact, in one walk.
BUDGETS = [0, 60, relevance.IDF_BUDGET]


@pytest.mark.parametrize("budget", BUDGETS)
@pytest.mark.parametrize(
    ("query", "found"), [("zebrafish model", 6), ("learning zebrafish", 7), ("zebrafish", 7)]
)
def test_a_rare_word_in_the_title_ranks_first(conn, monkeypatch, budget, query, found):
    planned(monkeypatch, budget)
    hits = ids(search_papers(conn, query, limit=10))
    assert hits[0] == RARE_TITLE_ID
    # The title paper and the six with it in the abstract, one of which lacks "model".
    assert len(hits) == found


# How the best hits are checked: a walk over their range, seeks, or a driven walk.
CHECKS = [{}, {"NARROW": 0}, {"NARROW": 0, "FEW_SEEKS": 0}]


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("limit", [1, 3, 5, 10])
def test_words_in_nearly_every_paper_are_checked_not_walked(conn, monkeypatch, limit, check):
    # "model" is in 234 of the 240 papers: the walk leaves it out and the best hits
    # are checked for it, so 2401.00047 (zebrafish, no model) never shows up.
    exact = ids(search_papers(conn, "zebrafish model", limit=10))
    for name, value in check.items():
        monkeypatch.setattr(relevance, name, value)
    planned(monkeypatch, 60)
    hits = ids(search_papers(conn, "zebrafish model", limit=limit))
    assert hits == exact[:limit]
    assert "2401.00047" not in hits
    planned(monkeypatch, 0)
    assert len(search_papers(conn, "model zebrafish", limit=limit)) == min(limit, 6)


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize(
    "query", ["speech model", "model vision -graph", "zebrafish OR speech model"]
)
def test_checked_words_find_every_match(conn, monkeypatch, check, query):
    exact = set(ids(search_papers(conn, query, limit=PAPERS, candidates=0)))
    checked = []
    check_all = relevance._holding_all
    monkeypatch.setattr(
        relevance, "_holding_all", lambda *args: checked.append(args) or check_all(*args)
    )
    for name, value in check.items():
        monkeypatch.setattr(relevance, name, value)
    planned(monkeypatch, 0)
    assert set(ids(search_papers(conn, query, limit=PAPERS))) == exact
    assert checked, "model was checked, not walked"


@pytest.mark.parametrize(
    ("word", "budget"),
    [("graph", budget) for budget in BUDGETS] + [("learning", 0), ("learning", 60)],
)
def test_title_matches_come_before_abstract_matches(conn, monkeypatch, word, budget):
    # "graph" is in a third of the papers, "learning" in all of them: bm25() gives it
    # an IDF of 1e-6 (and may rank a paper that repeats it in the abstract above a
    # title match); the planner weighs such words alike, by where they appear.
    planned(monkeypatch, budget)
    hits = search_papers(conn, word, limit=PAPERS)
    in_title = [word in h["title"].lower() for h in hits]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)


def test_scores_stay_on_the_bm25_scale(conn, monkeypatch):
    exact = search_papers(conn, "zebrafish graph", limit=5)
    # "graph" is in more than half of the papers: bm25() gives it an IDF of 1e-6,
    # and the planner leaves it out, so with "zebrafish" exact nothing changes.
    planned(monkeypatch, 60)
    rare_exact = search_papers(conn, "zebrafish graph", limit=5)
    assert ids(rare_exact) == ids(exact)
    assert [h["score"] for h in rare_exact] == pytest.approx([h["score"] for h in exact])
    # Approximated, "zebrafish" counts as one abstract hit in a paper of average length.
    planned(monkeypatch, 0)
    approximate = search_papers(conn, "zebrafish graph", limit=5)
    assert set(ids(approximate)) == set(ids(exact))
    assert approximate[0]["score"] == pytest.approx(exact[0]["score"], rel=0.1)


def test_more_matches_than_independence_predicts_keep_the_newest(conn, monkeypatch):
    # graph and neural always come together: a third of the papers, where
    # independence predicts a ninth. The walk must still keep only the newest.
    exact = set(ids(search_papers(conn, "graph neural", limit=PAPERS, candidates=30)))
    planned(monkeypatch, 0)
    found = search_papers(conn, "graph neural", limit=PAPERS, candidates=30)
    assert set(ids(found)) == exact
    newest = sorted(ids(search_papers(conn, "graph neural", sort="date", limit=PAPERS)))[-30:]
    assert exact == set(newest)


WORDS = COMMON + MIDDLE + ["zebrafish", "lovelace", "hopper1", "study", "absent"]
token = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: "-" + w),
    st.sampled_from(WORDS).map(lambda w: "NOT " + w),
    st.sampled_from(WORDS).map(lambda w: w[:3] + "*"),
    st.sampled_from(["title:", "ti:", "abs:", "author:"]).flatmap(
        lambda f: st.sampled_from(WORDS).map(lambda w: f + w)
    ),
    st.lists(st.sampled_from(WORDS), min_size=2, max_size=3).map(
        lambda ws: '"' + " ".join(ws) + '"'
    ),
    st.just("OR"),
)
filters = st.builds(
    SearchFilters,
    category=st.sampled_from([None, "cs.LG", "cs.CV"]),
    author=st.sampled_from([None, "lovelace", "hopper"]),
    since=st.sampled_from([None, START + timedelta(days=100)]),
    until=st.sampled_from([None, START + timedelta(days=200)]),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(token, min_size=1, max_size=4).map(" ".join),
    filters,
    st.sampled_from([3, 30, 2000]),
)
def test_planned_scoring_finds_what_exact_scoring_finds(conn, query, where, candidates):
    def run(budget: int, **options) -> list[dict]:
        options = {"limit": PAPERS, **options}
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(relevance, "IDF_BUDGET", budget)
            return search_papers(conn, query, filters=where, candidates=candidates, **options)

    exact = set(ids(run(10**9)))
    for budget in (0, 60):
        found = set(ids(run(budget)))
        # "model", in nearly every paper, is checked rather than walked: when there
        # are more matches than candidates, a few of the oldest may be left out.
        assert found == exact if candidates >= PAPERS else found <= exact, budget
        few = ids(run(budget, limit=4))
        assert set(few) <= found and len(few) == min(4, len(found))
        assert ids(run(budget, sort="date")) == ids(run(10**9, sort="date"))
    dates = [h["published"] for h in run(0, sort="date")]
    assert dates == sorted(dates, reverse=True)


def test_document_frequencies_are_estimated_from_the_newest_matches(conn, monkeypatch):
    monkeypatch.setattr(relevance, "DF_SAMPLE", 20)
    freq = relevance._Frequencies(conn, ["zebrafish", "learning", "graph", "neural"])
    assert freq.documents == PAPERS
    assert freq.word("zebrafish") == (7, True)  # fewer than the sample: counted
    learning, exact = freq.word("learning")
    assert not exact and learning == PAPERS  # in every paper
    graph, exact = freq.word("graph")
    counted = conn.exec_driver_sql("SELECT count(*) FROM papers_fts('graph')").scalar()
    assert not exact and counted > 20 and abs(graph - counted) <= counted * 0.3
    term = parse('"graph neural"').groups[0][0]
    assert freq.df(term) == min(graph, freq.word("neural")[0])  # its rarest word's
    assert freq.cost(term) == graph + freq.word("neural")[0]  # bm25() reads both doclists
    assert freq.idf(parse("learning").groups[0][0]) == relevance.FLOOR


def test_index_stats_match_the_index(conn):
    documents, newest = fulltext.index_stats(conn)
    assert documents == conn.exec_driver_sql("SELECT count(*) FROM papers_fts_docsize").scalar()
    assert newest == conn.exec_driver_sql("SELECT max(id) FROM papers").scalar()


def _varint(value: int) -> bytes:
    groups = [value & 0x7F]
    value >>= 7
    while value:
        groups.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(groups))


@pytest.mark.parametrize("value", [0, 5, 127, 128, 16_383, 16_384, 1_020_000, 2**40 + 3])
def test_varints(value):
    assert fulltext._varint(_varint(value) + b"\x07") == value
    assert fulltext._varint(bytes([0xFF] * 8 + [0x01])) == ((2**56 - 1) << 8) | 1


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(token, st.text(max_size=8)), min_size=1, max_size=4).map(" ".join))
def test_any_text_is_a_valid_planned_query(conn, query):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(relevance, "IDF_BUDGET", 0)
        hits = search_papers(conn, query, limit=5)
    every_match = set(ids(search_papers(conn, query, limit=PAPERS)))
    assert len(hits) <= 5 and len(set(ids(hits))) == len(hits)
    assert set(ids(hits)) <= every_match  # the plan finds matches, never other papers
