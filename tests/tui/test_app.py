"""The app shell: start-up screens, sync in the background, worker errors, help, palette."""

from __future__ import annotations

import contextlib
import gc
import inspect
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.support.feeds import feed_xml, make_entries
from tests.support.server import Reply
from tests.tui.conftest import SIZE, wait_for
from tracker.db.engine import open_database, write_transaction
from tracker.db.paper_list import NewestPage, newest_page
from tracker.tui.formatting import one_line
from tracker.tui.navigation import Navigator
from tracker.tui.screens.database import DatabaseProblemScreen, EmptyDatabaseScreen
from tracker.tui.screens.dialogs import HelpScreen
from tracker.tui.screens.model import ModelScreen
from tracker.tui.screens.papers import PapersScreen

pytestmark = [pytest.mark.timeout(60), pytest.mark.anyio]


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def test_the_tui_loads_no_torch(demo_db, env):
    script = f"""
import asyncio, sys
from tracker.config import load_config
from tracker.tui.app import TrackerApp
assert not [m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers')]
async def main():
    app = TrackerApp(load_config({str(env.config_path)!r}), {demo_db!r})
    async with app.run_test() as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if getattr(app.screen, 'shown', None) is not None:
                break
        assert app.screen.shown is not None
asyncio.run(main())
loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers'))
print('LOADED', loaded)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout


def test_the_first_rows_are_painted_before_sqlalchemy_loads(demo_db, env):
    """`tracker` paints the newest papers from sqlite3; the database layer loads after."""
    script = f"""
import sys
from tracker import cli
from tracker.config import load_config
from tracker.tui.app import TrackerApp
heavy = ('sqlalchemy', 'sqlmodel', 'tracker.db', 'tracker.commands', 'pydantic',
         'textual.widgets._data_table', 'tracker.tui.screens.dialogs')
# The fast first page lives in tracker.db but needs only the standard library.
light = {{'tracker.db', 'tracker.db.paper_list', 'tracker.db.paper_rule'}}
loaded = lambda: sorted({{m for m in sys.modules if m.startswith(heavy)}} - light)
print('IMPORTED', loaded())
def painted():
    print('PAINTED', loaded(), len(app.screen.query_one('#paper-table').rows_shown))
    app.exit()
app = TrackerApp(load_config({str(env.config_path)!r}), {demo_db!r}, on_first_rows=painted)
app.run(headless=True)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "IMPORTED []" in out.stdout
    assert "PAINTED [] 43" in out.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_tracker_paints_the_newest_papers_on_a_terminal(demo_db, env):
    """The real command, as a user runs it: the newest title reaches the terminal, q quits."""
    import pty

    page = newest_page(env.db_path, limit=1)
    assert page is not None
    wanted = one_line(page.rows[0].title)[:14].encode()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=dict(os.environ, TERM="xterm-256color"),
        close_fds=True,
    )
    os.close(slave)
    output = b""
    try:
        deadline = time.monotonic() + 30
        while wanted not in output and time.monotonic() < deadline:
            output += os.read(master, 65536)
        assert wanted in output, output[-2000:]
        os.write(master, b"q")
        with contextlib.suppress(OSError):  # EIO once the app has exited
            while proc.poll() is None and time.monotonic() < deadline + 30:
                output += os.read(master, 65536)  # keep reading: a full terminal blocks it
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"Traceback" not in output


async def test_a_page_read_before_the_app_loads_is_the_first_screen(make_app, demo_db, env):
    """run_app reads the newest page while Textual imports; the app shows it at once."""
    peek = NewestPage(env.db_path)
    assert peek.wait() is not None
    app = make_app(demo_db, peek=peek)
    assert app.first_page is peek.page
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen) and app.screen.shown)
        assert len(app.screen.query_one("#paper-table").rows_shown) == 43
        await wait_for(pilot, lambda: app.engine is not None)  # opened once they are painted
        assert app.first_page is None


async def test_a_peek_that_found_nothing_lets_the_engine_explain(make_app, env):
    open_database(f"sqlite:///{env.db_path}").dispose()
    peek = NewestPage(env.db_path)
    assert peek.wait() is None
    app = make_app(peek=peek)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EmptyDatabaseScreen))


@pytest.mark.parametrize("database", ["demo", "missing"])
async def test_the_collector_runs_again_once_start_up_is_over(make_app, demo_db, env, database):
    """`tracker` turns the collector off for start-up; the app turns it back on."""
    url = demo_db if database == "demo" else f"sqlite:///{env.tmp / 'missing.db'}"
    app = make_app(url)
    gc.disable()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(
                pilot,
                lambda: app.engine is not None or isinstance(app.screen, DatabaseProblemScreen),
            )
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_missing_database_gets_a_screen_that_says_what_to_do(make_app, env):
    app = make_app(f"sqlite:///{env.tmp / 'nothing-here.db'}")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DatabaseProblemScreen))
        assert "no database at" in app.screen.message
        assert "tracker demo" in (app.screen.hint or "")
        await pilot.press("1", "2", "S")  # the views need a database: nothing happens
        assert isinstance(app.screen, DatabaseProblemScreen)
        assert not (env.tmp / "nothing-here.db").exists()


async def test_too_new_database_gets_a_screen(make_app, env):
    url = f"sqlite:///{env.db_path}"
    engine = open_database(url)
    with write_transaction(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO _tracker_migrations (name, applied_at) VALUES ('m999_future', '2030-01-01')"
            )
        )
    engine.dispose()
    app = make_app(url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DatabaseProblemScreen))
        assert "newer tracker" in app.screen.message


async def test_empty_database_offers_sync_and_demo(make_app, env):
    open_database(f"sqlite:///{env.db_path}").dispose()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EmptyDatabaseScreen))
        await pilot.press("escape")
        assert isinstance(app.screen, PapersScreen)
        await wait_for(pilot, lambda: app.screen.shown is not None)
        assert app.screen.query_one("#papers-status").render().plain.startswith("No papers yet")


async def test_background_sync_fills_an_empty_database(make_app, env, server):
    env.configure(arxiv={"page_size": 10})
    entries = make_entries(3, newest=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
    server.add(
        "/api/query",
        Reply(body=feed_xml(entries, 3, 0)),
        params={"search_query": "cat:cs.CL", "start": "0"},
    )
    open_database(f"sqlite:///{env.db_path}").dispose()
    app = make_app(sync_sources=("arxiv",))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, EmptyDatabaseScreen))
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen), timeout=20)
        await wait_for(pilot, lambda: len(app.screen.query_one("#paper-table").rows_shown) == 3)
        assert any(n.startswith("sync: 3 new") for n in notes(app))
        assert app.sub_title == str(env.db_path)


async def test_a_failing_worker_becomes_a_notification(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen))
        app.push_screen(ModelScreen("nobody/no-such-model"))
        await wait_for(pilot, lambda: notes(app))
        assert notes(app) == [
            "model nobody/no-such-model is not in the database.\n"
            "Run `tracker sync` to fetch the models linked to your papers."
        ]
        assert [n.severity for n in app._notifications] == ["error"]
        assert isinstance(app.screen, ModelScreen)  # still running


async def test_help_lists_the_keys(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen))
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        assert ("s", "Star") in sections["Papers (1)"]
        assert ("t", "Try") in sections["Models (2)"]
        assert ("/", "Search") in sections["Papers (1)"]
        await pilot.press("escape")
        assert isinstance(app.screen, PapersScreen)


async def test_the_command_palette_holds_every_action(make_app, demo_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PapersScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in (
            "Search",
            "Filters",
            "Clear filters",
            "Open",
            "BibTeX",
            "Copy id",
            "Star",
            "Read",
            "Tag",
            "Note",
            "Try",
            "Papers",
            "Models",
            "Tasks",
            "Sync",
            "Help",
        ):
            assert title in titles
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Models")
        await command.callback()
        await pilot.pause()
        assert app.current_mode == "models"


def test_the_app_is_the_navigator_the_screens_expect(make_app):
    """Screens reach the app only through Navigator: the app has each member, same parameters."""
    app = make_app()
    assert isinstance(app, Navigator)
    methods = [n for n, v in vars(Navigator).items() if callable(v) and not n.startswith("_")]
    assert "open_paper" in methods and "confirm" in methods
    for name in methods:
        expected = list(inspect.signature(getattr(Navigator, name)).parameters)[1:]
        assert list(inspect.signature(getattr(app, name)).parameters) == expected, name
