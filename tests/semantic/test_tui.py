"""The TUI: the "Similar papers" section opens on enter; ctrl+t switches the search mode."""

from __future__ import annotations

from typing import Any

import pytest

from tests.semantic.conftest import HashEncoder
from tests.tui.conftest import SIZE, wait_for
from tests.tui.conftest import anyio_backend as anyio_backend  # noqa: F401 - a fixture
from tests.tui.conftest import demo_db as demo_db  # noqa: F401 - a fixture
from tests.tui.conftest import make_app as make_app  # noqa: F401 - a fixture
from tracker.db.engine import open_database
from tracker.embed.pipeline import embed_pending
from tracker.embed.semantic import semantic_search
from tracker.tui.screens.paper import PaperScreen
from tracker.tui.screens.papers import PapersScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


@pytest.fixture
def embedded(demo_db: str, env: Any) -> str:  # noqa: F811 - the fixture above
    engine = open_database(demo_db)
    embed_pending(engine, env.config(), encoder=lambda m, c: HashEncoder())
    engine.dispose()
    return demo_db


async def _papers(pilot: Any, app: Any) -> PapersScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
    return app.screen  # type: ignore[no-any-return]


def _similar_rows(screen: Any) -> list[str]:
    table = screen.query_one("#paper-similar")
    return [str(key.value) for key in table.rows]


async def test_similar_papers_section_opens_on_enter(make_app: Any, embedded: str) -> None:  # noqa: F811
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _papers(pilot, app)
        table = screen.query_one("#paper-table")
        table.focus()
        await wait_for(pilot, lambda: screen.paper_detail is not None)
        await wait_for(pilot, lambda: len(_similar_rows(screen)) == 5)
        me = screen.paper_detail["arxiv_id"]
        assert me not in _similar_rows(screen)
        assert screen.query_one("#paper-similar-section").display
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, PaperScreen) and app.screen.paper_detail
        )
        page = app.screen
        await wait_for(pilot, lambda: len(_similar_rows(page)) == 5)
        first = _similar_rows(page)[0]
        page.query_one("#paper-similar").focus()
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PaperScreen)
                and app.screen is not page
                and app.screen.paper_detail
            ),
        )
        assert app.screen.paper_detail["arxiv_id"] == first


async def test_no_embeddings_no_section(make_app: Any, demo_db: str) -> None:  # noqa: F811
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _papers(pilot, app)
        await wait_for(pilot, lambda: screen.paper_detail is not None)
        section = screen.query_one("#paper-similar-section")
        await pilot.pause(0.2)
        assert not section.display


async def test_the_search_box_switches_to_meaning(
    make_app: Any, embedded: str, env: Any, monkeypatch: Any
) -> None:
    encoder = HashEncoder()

    def fake_model(config: Any) -> Any:
        return (lambda text: encoder.encode([text])[0]), encoder.close

    monkeypatch.setattr("tracker.embed.semantic.model_encoder", fake_model)
    query = "vision transformers image patches"
    engine = open_database(embedded)
    expected = [
        h["arxiv_id"]
        for h in semantic_search(engine, env.config(), query, fake_model(None)[0], limit=100)
    ]
    engine.dispose()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _papers(pilot, app)
        await pilot.press("ctrl+t")
        assert screen.search_mode == "semantic"
        await pilot.press("slash")
        await pilot.press(*query)
        await wait_for(pilot, lambda: screen.shown.text == query)
        shown = [r.arxiv_id for r in screen.query_one("#paper-table").rows_shown]
        assert shown == expected
        await pilot.press("ctrl+t")
        assert screen.search_mode == "hybrid"
        await pilot.press("ctrl+t")
        assert screen.search_mode == "keyword"
