"""The watchlists screen: list, add (a saved search from the papers view too), remove
with a confirm, refusals as notifications, and What's new following the edits."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.widgets import Input, Select

from tests.tui.conftest import SIZE, wait_for
from tracker.db.engine import open_database, read_connection, write_transaction
from tracker.follow.watchlists import add_watch, all_watches
from tracker.tui.screens.confirm import ConfirmScreen
from tracker.tui.screens.dialogs import HelpScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.watchlists import AddWatchScreen, WatchlistsScreen
from tracker.tui.screens.whats_new import WhatsNewScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


def stored(env, url: str) -> list[tuple[str, str, str | None, str]]:
    """What `tracker watch list` lists: (kind, value, category, origin)."""
    engine = open_database(url)
    try:
        with read_connection(engine) as conn:
            return [
                (w.kind, w.value, w.category, w.origin) for w in all_watches(conn, env.config())
            ]
    finally:
        engine.dispose()


def rows(screen: WatchlistsScreen) -> list[tuple[str, ...]]:
    table = screen.query_one("#watchlists-table")
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def open_watchlists(pilot, app) -> WatchlistsScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
    await pilot.press("W")
    await wait_for(
        pilot, lambda: isinstance(app.screen, WatchlistsScreen) and app.screen.items is not None
    )
    return app.screen


async def add(pilot, app, kind: str, value: str | None) -> AddWatchScreen:
    """a, choose the kind, type the value (None: keep what the dialog offers), enter."""
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(app.screen, AddWatchScreen))
    dialog = app.screen
    dialog.query_one("#watch-kind", Select).value = kind
    await pilot.pause()
    if value is not None:
        dialog.query_one("#watch-value", Input).value = value
    return dialog


async def test_add_a_watch_and_the_cli_lists_it(make_app, demo_db, env, cli):
    env.configure(watch={"authors": ["Vaswani"]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_watchlists(pilot, app)
        assert rows(screen) == [("author", "author Vaswani", "config file")]
        dialog = await add(pilot, app, "task", "ner")
        assert not dialog.query_one("#watch-name").parent.display  # saved searches only
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items is not None and len(screen.items) == 2)
        assert app.screen is screen
        assert rows(screen)[1] == ("task", "task token-classification", "database")
        assert [n.message for n in app._notifications][-1] == (
            "Now following task token-classification."
        )
        # Already followed (here: in the config file): said, not stored twice.
        await add(pilot, app, "author", "Vaswani")
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: [n.message for n in app._notifications][-1].startswith("Already following"),
        )
    assert stored(env, demo_db) == [
        ("author", "Vaswani", None, "config"),
        ("task", "token-classification", None, "database"),
    ]
    listed = cli("watch", "list", "--json").json()
    assert [(w["kind"], w["value"], w["origin"]) for w in listed] == [
        ("author", "Vaswani", "config"),
        ("task", "token-classification", "database"),
    ]


async def test_a_saved_search_starts_from_the_papers_view(make_app, demo_db, env):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        papers = app.screen
        papers.set_filters(
            replace(papers.filters, text="transformer", category="cs.CL", has_code=True)
        )
        await wait_for(pilot, lambda: papers.shown.text == "transformer")
        screen = await open_watchlists(pilot, app)
        dialog = await add(pilot, app, "search", None)
        assert dialog.query_one("#watch-value", Input).value == "transformer"
        assert dialog.query_one("#watch-category", Input).value == "cs.CL"
        note = str(dialog.query_one("#add-watch-note").render())
        assert "Not part of a saved search: has code." in note
        dialog.query_one("#watch-name", Input).value = "transformers"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.items)
        assert rows(screen) == [("search", 'search "transformers" (cs.CL)', "database")]
    assert stored(env, demo_db) == [("search", "transformer", "cs.CL", "database")]


async def test_remove_asks_first(make_app, demo_db, env, cli):
    engine = open_database(demo_db)
    with write_transaction(engine) as conn:
        add_watch(conn, env.config(), "org", "google")
        add_watch(conn, env.config(), "dataset", "squad")
    engine.dispose()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_watchlists(pilot, app)
        assert [r[1] for r in rows(screen)] == ["organisation google", "dataset squad"]
        screen.query_one("#watchlists-table").move_cursor(row=1)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert str(app.screen.query_one("#confirm-question").render()) == (
            "Stop following dataset squad?"
        )
        await pilot.press("n")  # no: nothing removed
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(screen.items) == 2
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.items) == 1)
        assert [r[1] for r in rows(screen)] == ["organisation google"]
        assert [n.message for n in app._notifications][-1] == "Stopped following dataset squad."
    assert stored(env, demo_db) == [("organisation", "google", None, "database")]
    assert cli("watch", "remove", "dataset", "squad").err.startswith(
        "Error: no dataset watch 'squad'."
    )


async def test_bad_input_and_refusals_are_notifications(make_app, demo_db, env):
    env.configure(watch={"authors": ["Vaswani"]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_watchlists(pilot, app)
        await add(pilot, app, "author", "   ")
        await pilot.press("enter")
        await wait_for(pilot, lambda: errors(app))
        assert errors(app) == ["a author watch needs a value."]
        assert app.screen is screen and screen.is_running
        # Declared in the config file: it says where to remove it, and asks nothing.
        await pilot.press("d")
        await wait_for(pilot, lambda: len(errors(app)) == 2)
        assert errors(app)[1] == (
            f"author Vaswani is declared in {env.config_path}.\n"
            "Remove it from [watch] authors there."
        )
        assert app.screen is screen
    assert stored(env, demo_db) == [("author", "Vaswani", None, "config")]


async def test_nothing_to_remove_is_a_warning(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_watchlists(pilot, app)
        assert str(screen.query_one("#watchlists-status").render()).startswith(
            "You follow nothing yet."
        )
        await pilot.press("d")
        await pilot.pause()
        assert [(n.message, n.severity) for n in app._notifications] == [
            ("Nothing to remove: a adds a watchlist.", "warning")
        ]


async def test_whats_new_follows_an_edit(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        await pilot.press("w")
        await wait_for(
            pilot, lambda: isinstance(app.screen, WhatsNewScreen) and app.screen.digest is not None
        )
        whats_new = app.screen
        assert "author Vaswani" not in [
            g.heading for s in whats_new.digest.sections for g in s.groups
        ]
        await pilot.press("W")
        await wait_for(
            pilot, lambda: isinstance(app.screen, WatchlistsScreen) and app.screen.items is not None
        )
        screen = app.screen
        await add(pilot, app, "author", "Vaswani")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items)
        whats_new.digest = None
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is whats_new and whats_new.digest is not None)
        headings = [g.heading for s in whats_new.digest.sections for g in s.groups]
        assert "author Vaswani" in headings


async def test_help_and_palette_list_the_watchlists(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Watchlists")
        await command.callback()
        await wait_for(pilot, lambda: isinstance(app.screen, WatchlistsScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Add", "Remove", "Back"} <= set(titles)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        assert ("W", "Watchlists") in sections["Everywhere"]
        assert sections["Watchlists (W)"] == [
            ("esc", "Back"),
            ("a", "Add"),
            ("d", "Remove"),
            ("delete", "Remove"),
        ]
