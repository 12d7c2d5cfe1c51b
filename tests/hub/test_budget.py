"""The request budget on a synthetic week: the Hub pass stays far inside 500 calls / 5 min."""

from __future__ import annotations

import time

import pytest

from tests.hub.synthetic import build_week, serve_arxiv, serve_hub
from tracker.sources.hub import ANONYMOUS_CALLS


@pytest.mark.slow
def test_synthetic_week_stays_inside_the_anonymous_budget(env, server, cli):
    week = build_week(papers=3000, listed=2500, linked=300)
    env.configure(arxiv={"page_size": 1000})
    serve_arxiv(server, week, 1000)
    arxiv = cli("sync", "--source", "arxiv", "--json")
    assert arxiv.code == 0, arxiv.err
    new = arxiv.json()["new"]
    assert new == 3000

    serve_hub(server, week)
    started = time.perf_counter()
    result = cli("sync", "--source", "hub", "--json")
    seconds = time.perf_counter() - started
    assert result.code == 0, result.err
    report = result.json()
    stats = report["sources"]["hub:models"]
    weeks = stats["hub_requests"] - week.pages - len(week.infos)
    assert weeks in (1, 2)  # the daily papers of the ISO weeks of the papers just stored
    assert report["hub_requests"] == week.pages + len(week.infos) + weeks
    assert report["hub_requests"] < ANONYMOUS_CALLS
    assert stats["waited_seconds"] == 0  # never held back, so never near a 429
    assert report["requests"] == 1  # the ten famous papers, in one arXiv id-list request
    assert stats["papers_fetched"] == 10
    assert report["models"] == len(week.infos)
    per_paper = report["hub_requests"] / new
    assert per_paper < 0.15
    print(
        f"\nsynthetic week: {new} new papers, {len(week.listed)} models listed, "
        f"{len(week.infos)} linked; {report['hub_requests']} Hub requests "
        f"= {per_paper:.3f} per new paper; enriched in {seconds:.2f} s"
    )


@pytest.mark.slow
def test_benchmark_boards_keep_the_week_inside_the_budget(env, server, cli):
    """With scores citing 8 benchmarks (4 known, 4 asked for their card), the boards add
    exactly 8 + 4 requests to the week (bench_hub gives the default week's figures)."""
    week = build_week(papers=3000, listed=2500, linked=300, benchmarks=8)
    env.configure(arxiv={"page_size": 1000})
    serve_arxiv(server, week, 1000)
    assert cli("sync", "--source", "arxiv", "-q").code == 0
    serve_hub(server, week)
    result = cli("sync", "--source", "hub", "--json")
    assert result.code == 0, result.err
    report = result.json()
    stats = report["sources"]["hub:models"]
    assert stats["benchmarks_fetched"] == 8
    assert stats["benchmark_entries"] > 0
    boards = 8 + 4  # a board each, and a card for the four tracker does not know
    weeks = report["hub_requests"] - week.pages - len(week.infos) - boards
    assert weeks in (1, 2)
    assert report["hub_requests"] / 3000 < 0.15  # as without boards (the test above)
    board = cli("leaderboard", "--benchmark", "Idavidrein/gpqa", "--json").json()
    assert board["entries"] and all(e["model_in_tracker"] for e in board["entries"])
