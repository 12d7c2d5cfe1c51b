"""search and show on the demo data: ranking, filters, JSON shapes, hostile input."""

from __future__ import annotations

import sqlite3
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.db.engine import open_database
from tracker.db.query_syntax import parse
from tracker.db.search import SearchFilters, search_papers
from tracker.demo import load_demo

pytestmark = pytest.mark.backends

SHOW_KEYS = {
    "arxiv_id",
    "version",
    "title",
    "abstract",
    "authors",
    "primary_category",
    "categories",
    "published",
    "updated",
    "doi",
    "journal_ref",
    "comment",
    "pdf_url",
    "code_links",
    "models",
    "tasks",
    "datasets",
    "results",
}


@pytest.fixture
def demo_db(env):
    engine = open_database(env.url)
    load_demo(engine)
    yield engine
    engine.dispose()


def ids(hits):
    return [h["arxiv_id"] for h in hits]


def test_search_json_shape_and_ranking(demo_db, cli):
    result = cli("search", "attention", "--json")
    assert result.code == 0
    hits = result.json()
    assert hits, "the demo has papers about attention"
    for hit in hits:
        assert {"arxiv_id", "title", "published", "primary_category"} <= set(hit)
    # A title match outranks abstract-only matches.
    assert hits[0]["arxiv_id"] in {"1706.03762", "2205.14135"}
    assert "Attention" in hits[0]["title"]


def test_stemming_finds_plural_titles(demo_db, cli):
    titles = [h["title"] for h in cli("search", "transformer", "--json").json()]
    assert any("Transformers" in t for t in titles)


def test_filters(demo_db, cli):
    cv = cli("search", "--category", "cs.CV", "--limit", "100", "--json").json()
    assert cv and all(h["arxiv_id"] for h in cv)
    cl = set(ids(cli("search", "--category", "cs.CL", "--limit", "100", "--json").json()))
    assert "1706.03762" in cl
    assert not set(ids(cv)) & {"1810.04805"}
    by_author = ids(cli("search", "--author", "Vaswani", "--json").json())
    assert by_author == ["1706.03762"]
    since = cli("search", "--since", "2023-01-01", "--limit", "100", "--json").json()
    assert since and all(h["published"] >= "2023-01-01" for h in since)
    until = cli("search", "--until", "2013-01-01", "--limit", "100", "--json").json()
    assert until and all(h["published"] < "2013-01-01" for h in until)
    by_date = cli("search", "model", "--sort", "date", "--limit", "100", "--json").json()
    dates = [h["published"] for h in by_date]
    assert dates == sorted(dates, reverse=True)


def test_query_language(demo_db, cli, backend):
    assert ids(cli("search", '"attention is all you need"', "--json").json()) == ["1706.03762"]
    bert = set(ids(cli("search", "bert", "--limit", "100", "--json").json()))
    not_distil = set(ids(cli("search", "bert -distilled", "--limit", "100", "--json").json()))
    assert "1910.01108" in bert and "1910.01108" not in not_distil
    either = set(ids(cli("search", "whisper OR wav2vec", "--json").json()))
    assert {"2212.04356", "2006.11477"} <= either
    assert ids(cli("search", "title:anything", "--json").json()) == ["2304.02643"]
    assert set(ids(cli("search", "title:segment", "--json").json())) == {"2304.02643", "1505.04597"}
    assert "1706.03762" in ids(cli("search", "author:kaiser", "--json").json())
    assert "1706.03762" in ids(cli("search", "author:łukasz", "--json").json())
    if backend == "sqlite":  # FTS5 folds diacritics; PostgreSQL's english config does not
        assert "2112.10752" in ids(cli("search", "author:bjorn", "--json").json())  # Björn
    assert cli("search", "transf*", "--json").json()


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', "(((", "a:b:c", "AND", "OR OR", "-", "*", "NOT NOT x", '""', "title:", "^~!@#"],
)
def test_hostile_queries_never_raise(demo_db, cli, query):
    result = cli("search", query, "--json")
    assert result.code == 0, result.err
    # None of these holds a word the demo papers share: no hits, and no error.
    assert result.json() == []


@pytest.mark.parametrize("query", ['"attention', "(((attention", "title:attention AND"])
def test_hostile_queries_around_a_word_still_find_it(demo_db, cli, query):
    result = cli("search", query, "--json")
    assert result.code == 0, result.err
    assert "1706.03762" in ids(result.json())


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_text_is_a_valid_query(demo_db, text):
    with demo_db.connect() as conn:
        hits = search_papers(conn, text, filters=SearchFilters(), limit=5)
        every_match = ids(search_papers(conn, text, filters=SearchFilters(), limit=1000))
    assert len(hits) <= 5 and len(set(ids(hits))) == len(hits)
    assert set(ids(hits)) <= set(every_match)
    if not any(c.isalnum() or unicodedata.category(c)[0] in "LMN" for c in text) and text.strip():
        assert hits == []  # punctuation and symbols only: nothing to look for


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_generated_fts5_expressions_are_well_formed(text):
    expr = parse(text).fts5()
    if expr is None:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title, abstract, authors)")
    db.execute("INSERT INTO t VALUES ('a', 'b', 'c')")
    db.execute("SELECT * FROM t WHERE t MATCH ?", (expr,)).fetchall()


def test_show_json_shape(demo_db, cli):
    paper = cli("show", "1706.03762v5", "--json").json()
    assert SHOW_KEYS <= set(paper)
    assert paper["arxiv_id"] == "1706.03762"
    assert paper["authors"][0] == "Ashish Vaswani"
    assert "Łukasz Kaiser" in paper["authors"]
    assert paper["published"].endswith("Z")
    assert paper["pdf_url"].startswith("https://arxiv.org/pdf/1706.03762")
    assert paper["code_links"] == ["https://github.com/tensorflow/tensor2tensor"]
    assert "$O(n^2" in paper["abstract"]


def test_show_old_style_and_unknown_ids(demo_db, cli):
    assert cli("show", "hep-th/9711200", "--json").json()["arxiv_id"] == "hep-th/9711200"
    assert cli("show", "https://arxiv.org/abs/hep-th/9711200v3").code == 0
    missing = cli("show", "2101.00001")
    assert missing.code == 2
    assert missing.err.splitlines()[0] == "Error: paper 2101.00001 is not in the database."
    bad = cli("show", "not-an-id")
    assert bad.code == 2
    assert bad.err.splitlines()[0] == "Error: 'not-an-id' is not an arXiv id."


def test_user_marks_survive_a_reload(demo_db, cli):
    assert cli("star", "1706.03762").code == 0
    assert cli("tag", "1706.03762", "classics", "nlp").code == 0
    assert cli("note", "1706.03762", "Read section 3.2 again").code == 0
    load_demo(demo_db)  # the same upserts a sync does
    paper = cli("show", "1706.03762", "--json").json()
    assert paper["starred"] is True
    assert paper["tags"] == ["classics", "nlp"]
    assert paper["note"] == "Read section 3.2 again"
    assert cli("tag", "1706.03762", "nlp", "--remove").code == 0
    assert cli("show", "1706.03762", "--json").json()["tags"] == ["classics"]


def test_demo_command(cli, env):
    first = cli("demo", "--json")
    assert first.code == 0, first.err
    assert first.json()["papers"] >= 40
    again = cli("demo", "--json")
    assert again.json()["papers"] == first.json()["papers"]
    assert cli("--demo", "show", "1908.10084", "--json").json()["title"].startswith("Sentence-BERT")
