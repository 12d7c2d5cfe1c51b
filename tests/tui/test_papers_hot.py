"""The papers view's hot sort: the order of `tracker search --sort hot`, a page at a time."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Select

from tests.tui.conftest import SIZE, wait_for
from tracker.db.engine import open_database, read_connection
from tracker.db.paper_pages import PaperFilters, count_papers, fetch_papers
from tracker.follow.hot import hot_search
from tracker.tui.screens.filters import PaperFiltersScreen
from tracker.tui.screens.papers import PapersScreen

pytestmark = pytest.mark.timeout(60)


def cli_hot(env, url: str, query: str = "", limit: int = 100) -> list[str]:
    """What `tracker search QUERY --sort hot --limit N` lists."""
    engine = open_database(url)
    try:
        with read_connection(engine) as conn:
            hits = hot_search(conn, query, limit=limit, candidates=env.config().search.candidates)
    finally:
        engine.dispose()
    return [h["arxiv_id"] for h in hits]


def shown_ids(screen: PapersScreen) -> list[str]:
    return [r.arxiv_id for r in screen.query_one("#paper-table").rows_shown]


@pytest.mark.anyio
async def test_hot_sort_orders_papers_as_the_cli_does(make_app, demo_db, env):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        screen = app.screen
        newest = shown_ids(screen)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, PaperFiltersScreen))
        app.screen.query_one("#filter-sort", Select).value = "hot"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.shown.sort == "hot")
        hot = shown_ids(screen)
        assert hot == cli_hot(env, demo_db)
        assert sorted(hot) == sorted(newest) and hot != newest  # all of them, reordered
        status = str(screen.query_one("#papers-status").render())
        assert status.endswith("·  hot")

        # With a query: its matches, ranked as `tracker search QUERY --sort hot` ranks them.
        screen.set_filters(screen.filters.with_text("transformer"))
        await wait_for(pilot, lambda: screen.shown.text == "transformer")
        matches = shown_ids(screen)
        assert matches == cli_hot(env, demo_db, "transformer")
        assert len(matches) > 3

        # Filters the CLI lacks narrow the ranked list, keeping its order.
        screen.set_filters(replace(screen.filters, has_models=True))
        await wait_for(pilot, lambda: screen.shown.has_models)
        with_models = shown_ids(screen)
        assert with_models == [a for a in matches if a in set(with_models)]
        assert 0 < len(with_models) < len(matches)


def test_hot_pages_a_page_at_a_time(env, demo_db):
    """Pages of 10 join up into the CLI's order; the total is not counted (a capped pool)."""
    engine = open_database(demo_db)
    filters = PaperFilters(sort="hot")
    try:
        with read_connection(engine) as conn:
            pages = [
                fetch_papers(conn, filters, offset=offset, limit=10, candidates=2000)
                for offset in range(0, 50, 10)
            ]
            assert count_papers(conn, filters) is None
            small = fetch_papers(conn, filters, limit=10, candidates=5)
            five = [h["arxiv_id"] for h in hot_search(conn, "", limit=5, candidates=5)]
    finally:
        engine.dispose()
    assert [len(p.rows) for p in pages] == [10, 10, 10, 10, 3]
    assert [p.has_more for p in pages] == [True, True, True, True, False]
    assert [r.arxiv_id for p in pages for r in p.rows] == cli_hot(env, demo_db)
    # The pool is capped as the CLI's is: the [search] candidates newest papers, ranked.
    assert [r.arxiv_id for r in small.rows] == five and not small.has_more
