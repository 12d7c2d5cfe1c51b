"""Paper pages in one request (paper_info): linked models, TLDR, keywords, counts, Spaces."""

from __future__ import annotations

import json

import pytest

from tests.hub.conftest import info_body, listing_item, serve_info
from tests.hub.test_eval_results import FIXTURES, info
from tests.hub.test_hub_sync import add_papers
from tests.support.server import Reply
from tracker.db.paper_hub import hub_counts_line

PAPER = "2511.00001"


def serve_page(server) -> None:
    page = json.loads((FIXTURES / "paper_info.json").read_text())
    server.add(f"/api/papers/{PAPER}", Reply.json(page))
    serve_info(server, info())
    serve_info(server, info_body(listing_item("acme/reasoner-7b-gguf", arxiv=[], downloads=900)))


@pytest.mark.backends
def test_refresh_reads_the_paper_page_in_one_request(env, server, cli, db_engine):
    add_papers(db_engine, [PAPER])
    serve_page(server)
    result = cli("models", "--paper", PAPER, "--refresh", "--json")
    assert result.code == 0, result.err
    # The page names both models (the gguf's tags do not cite the paper): one request
    # for the page, one card each.
    assert [m["repo_id"] for m in result.json()] == ["acme/reasoner-7b", "acme/reasoner-7b-gguf"]
    assert f"hub: 2 models for {PAPER} (2 new, 2 cards read, 3 Hub requests)" in result.err
    paper = cli("show", PAPER, "--json").json()
    assert paper["summary"].startswith("A 7B model trained with verifier feedback")
    assert "machine-written" in paper["summary_label"]
    assert paper["keywords"] == ["reasoning", "verifier feedback", "GPQA"]
    assert paper["spaces"] == ["acme/reasoner-demo"]
    assert paper["hub_counts"] == {"models": 2, "datasets": 1, "spaces": 1}
    assert paper["upvotes"] == 42
    assert "https://github.com/acme/reasoner" in paper["code_links"]
    # The eval-results scores came with the card: one row per result, every source.
    assert sorted((r["dataset"], r["variant"] or "", r["sources"]) for r in paper["results"]) == [
        ("Idavidrein/gpqa", "", ["eval-results", "model-index"]),
        ("Idavidrein/gpqa", "with tools", ["eval-results"]),
        ("cais/hle", "", ["eval-results"]),
    ]


def test_show_prints_the_tldr_labelled_and_the_counts(env, server, cli, db_engine):
    add_papers(db_engine, [PAPER])
    serve_page(server)
    assert cli("models", "--paper", PAPER, "--refresh").code == 0
    out = cli("show", PAPER).out
    assert "on the Hub: 2 models · 1 datasets · 1 Spaces" in out
    tldr = out.index("machine-written")
    assert tldr < out.index("About models.")  # the TLDR comes before the abstract
    assert "Keywords: reasoning, verifier feedback, GPQA" in out


def test_a_paper_never_looked_up_has_no_page(env, cli, db_engine):
    add_papers(db_engine, [PAPER])
    paper = cli("show", PAPER, "--json").json()
    assert (paper["summary"], paper["hub_counts"], paper["spaces"]) == (None, None, [])
    assert hub_counts_line(None) is None


def test_the_daily_pass_keeps_the_feeds_tldr(env, server, cli, db_engine):
    from tests.hub.conftest import serve_daily, serve_listing

    add_papers(db_engine, [PAPER])
    serve_listing(server, [[]])
    item = {
        "paper": {
            "id": PAPER,
            "upvotes": 7,
            "ai_summary": "A short machine-written summary.",
            "ai_keywords": ["reasoning"],
        },
        "title": "Reasoning at Seven Billion",
    }
    serve_daily(server, [item])
    assert cli("sync", "--source", "hub", "-q").code == 0
    paper = cli("show", PAPER, "--json").json()
    assert (paper["summary"], paper["keywords"], paper["upvotes"]) == (
        "A short machine-written summary.",
        ["reasoning"],
        7,
    )
    assert paper["hub_counts"] is None  # the feed carries no linked counts


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_tui_detail_shows_the_tldr_above_the_abstract(env, server, cli, db_engine):
    from textual.app import App, ComposeResult

    from tracker.db.queries import paper_detail
    from tracker.tui.widgets.paper_detail import PaperDetail

    add_papers(db_engine, [PAPER])
    serve_page(server)
    assert cli("models", "--paper", PAPER, "--refresh").code == 0
    with db_engine.connect() as conn:
        paper = paper_detail(conn, PAPER)

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield PaperDetail()

    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        detail = app.query_one(PaperDetail)
        detail.show(paper)
        await pilot.pause()
        hub = detail.query_one("#paper-hub")
        shown = hub.render().plain
        assert "on the Hub: 2 models · 1 datasets · 1 Spaces" in shown
        assert "TLDR (machine-written) A 7B model trained" in shown
        assert hub.region.y < detail.query_one("#paper-abstract").region.y
        detail.show(None)
        await pilot.pause()
        assert not hub.display
