"""The What's new view: the digest and recommendations, opening a paper, mark as read."""

from __future__ import annotations

import pytest

from tests.tui.conftest import SIZE, wait_for
from tracker.db.engine import open_database, write_transaction
from tracker.db.queries import paper_id_for
from tracker.db.userdata import set_starred
from tracker.follow.digest import run_digest
from tracker.tui.screens.paper import PaperScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.whats_new import WhatsNewScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


def rows(screen: WhatsNewScreen) -> list[str]:
    table = screen.query_one("#whats-new-table")
    return [
        " ".join(str(cell).strip() for cell in table.get_row_at(i)).strip()
        for i in range(table.row_count)
    ]


def status(screen: WhatsNewScreen) -> str:
    return screen.query_one("#whats-new-status").render().plain


async def test_whats_new_shows_the_digest_and_marks_it_read(make_app, demo_db, env):
    env.configure(watch={"authors": ["Vaswani"], "searches": []})
    engine = open_database(demo_db)
    with write_transaction(engine) as conn:
        set_starred(conn, paper_id_for(conn, "1810.04805"), True)
    engine.dispose()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        screen = WhatsNewScreen()
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.digest is not None and screen.recommend_note)
        assert status(screen).startswith("Since ")
        shown = rows(screen)
        assert shown[:3] == [
            "New papers",
            "author Vaswani",
            "1706.03762 Attention Is All You Need",
        ]
        # The demo papers are years old: nothing recent to recommend, and it says so.
        assert shown[-1] == "Recommended for you no unmarked papers from the last 14 days"

        table = screen.query_one("#whats-new-table")
        table.move_cursor(row=2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaperScreen))
        assert app.screen.arxiv_id == "1706.03762"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("m")
        await wait_for(pilot, lambda: status(screen).startswith("Nothing new since "))
        assert rows(screen)[0].startswith("Recommended for you")
    # Marking from the TUI is what a digest run does: cron's next digest starts after it.
    engine = open_database(demo_db)
    assert run_digest(engine, env.config(), mark=False).empty
    engine.dispose()


async def test_recommendations_need_a_marked_paper(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        screen = WhatsNewScreen()
        app.push_screen(screen)
        await wait_for(pilot, lambda: screen.digest is not None and screen.recommend_note)
        assert screen.recommend_note.startswith("you have not starred or tagged any paper yet")
        assert status(screen).startswith("Nothing new since ")


async def test_w_opens_whats_new_from_the_papers_view(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhatsNewScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen))
