"""Snapshots of every screen at 120x36 on the demo data (review before --snapshot-update).

The database is opened by a relative path from the test's folder, so the header
shows `tracker.db` rather than a temporary path, and snapshots stay stable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.widgets import Input, TextArea

from tests.tui.conftest import SNAP_SIZE, wait_for
from tracker.db.engine import open_database, write_transaction
from tracker.follow.watchlists import add_watch
from tracker.tui.app import TrackerApp
from tracker.tui.screens.leaderboard import LeaderboardScreen
from tracker.tui.screens.models import ModelsScreen
from tracker.tui.screens.paper import PaperScreen
from tracker.tui.screens.papers import PapersScreen
from tracker.tui.screens.tasks import TasksScreen
from tracker.tui.screens.watchlists import AddWatchScreen, WatchlistsScreen

pytestmark = pytest.mark.timeout(60)

URL = "sqlite:///tracker.db"


@pytest.fixture
def app(env, demo_db, monkeypatch) -> TrackerApp:
    monkeypatch.chdir(env.tmp)
    app = TrackerApp(env.config(), URL)
    app.animation_level = "none"
    return app


def still(app: TrackerApp) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for area in app.screen.query(TextArea):
        area.cursor_blink = False


def when(*steps: Any) -> Callable[[Any], Awaitable[None]]:
    """run_before: wait for the papers list, then run steps (keys, or (callable, condition))."""

    async def run_before(pilot: Any) -> None:
        app = pilot.app
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, PapersScreen)
                and app.screen.paper_detail
                and app.screen.total is not None
            ),  # counted once the list rests
        )
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                action, condition = step
                if action is not None:
                    action(app)
                await wait_for(pilot, lambda: condition(app))  # noqa: B023
            still(app)
        still(app)
        await pilot.pause()

    return run_before


def test_papers_view(app, snap_compare):
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when())


def test_papers_search(app, snap_compare):
    typed = ("slash", *"transformer vision")
    searched = (
        None,
        lambda a: a.screen.shown.text == "transformer vision" and a.screen.paper_detail,
    )
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when(*typed, searched))


def test_paper_page(app, snap_compare):
    opened = (
        lambda a: a.push_screen(PaperScreen("1910.01108")),
        lambda a: isinstance(a.screen, PaperScreen) and a.screen.paper_detail,
    )
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when(opened))


def test_models_view(app, snap_compare):
    shown = (None, lambda a: isinstance(a.screen, ModelsScreen) and a.screen.model)
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when("2", shown))


def test_tasks_view(app, snap_compare):
    shown = (
        None,
        lambda a: (
            isinstance(a.screen, TasksScreen)
            and a.screen.chosen_task
            and a.screen.query_one("#task-datasets").row_count
        ),
    )
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when("3", shown))


def test_leaderboard(app, snap_compare):
    board = (
        lambda a: a.push_screen(LeaderboardScreen("question-answering", "squad")),
        lambda a: isinstance(a.screen, LeaderboardScreen) and a.screen.rows,
    )
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when(board))


def test_help(app, snap_compare):
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when("question_mark"))


def test_filters_dialog(app, snap_compare):
    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=when("f"))


@pytest.fixture
def watching_app(env, demo_db, monkeypatch) -> TrackerApp:
    """The app with a watch in the config file and two in the database."""
    monkeypatch.chdir(env.tmp)
    env.configure(watch={"authors": ["Vaswani"]})
    engine = open_database(demo_db)
    with write_transaction(engine) as conn:
        config = env.config()
        add_watch(conn, config, "search", '"long context" -survey', name="long context")
        add_watch(conn, config, "organisation", "google")
    engine.dispose()
    app = TrackerApp(env.config(), URL)
    app.animation_level = "none"
    return app


WATCHLISTS_SHOWN = (None, lambda a: isinstance(a.screen, WatchlistsScreen) and a.screen.items)


def test_watchlists(watching_app, snap_compare):
    assert snap_compare(
        watching_app, terminal_size=SNAP_SIZE, run_before=when("W", WATCHLISTS_SHOWN)
    )


def test_add_watch_dialog(watching_app, snap_compare):
    dialog = (None, lambda a: isinstance(a.screen, AddWatchScreen))
    assert snap_compare(
        watching_app, terminal_size=SNAP_SIZE, run_before=when("W", WATCHLISTS_SHOWN, "a", dialog)
    )


def test_empty_database(env, snap_compare, monkeypatch):
    monkeypatch.chdir(env.tmp)
    open_database("sqlite:///empty.db").dispose()
    app = TrackerApp(env.config(), "sqlite:///empty.db")

    async def run_before(pilot: Any) -> None:
        from tracker.tui.screens.database import EmptyDatabaseScreen

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, EmptyDatabaseScreen))

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)


def test_missing_database(env, snap_compare, monkeypatch):
    monkeypatch.chdir(env.tmp)
    app = TrackerApp(env.config(), "sqlite:///missing.db")

    async def run_before(pilot: Any) -> None:
        from tracker.tui.screens.database import DatabaseProblemScreen

        await wait_for(pilot, lambda: isinstance(pilot.app.screen, DatabaseProblemScreen))

    assert snap_compare(app, terminal_size=SNAP_SIZE, run_before=run_before)
